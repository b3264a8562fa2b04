import ArgumentParser
import PalimpsestCommands

/// The `palimpsest` executable. The commands live in the PalimpsestCommands library, which the
/// test-only `palimpsest-fault-harness` runs too; this binary installs no fault plan.
@main
enum PalimpsestMain {
    static func main() async {
        await Palimpsest.main(nil)
    }
}
