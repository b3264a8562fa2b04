import ArgumentParser
import PalimpsestCommands
import PalimpsestCore

/// The `palimpsest` executable. The commands live in the PalimpsestCommands library, which the
/// test-only `palimpsest-fault-harness` runs too; this binary installs no fault plan.
@main
enum PalimpsestMain {
    static func main() async {
        // Before the commands' threads allocate: arenas made before the limit stay.
        ProcessMemory.limitArenas()
        await Palimpsest.main(nil)
    }
}
