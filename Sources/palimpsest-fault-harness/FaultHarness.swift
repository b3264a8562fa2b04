import ArgumentParser
import Foundation
import PalimpsestCommands
import PalimpsestCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// palimpsest-fault-harness: the crash-safety tests' `palimpsest`. It runs the same commands as
// `palimpsest`, with one fault point armed: the process stops there as a crash would stop it.
// Built for the tests, never installed (`make install` installs `palimpsest` alone).
//
//     palimpsest-fault-harness <action>-before-<point> <palimpsest arguments…>
//
// <action> is `kill` (SIGKILL: nothing runs after it, no flush, no handler) or `exit` (status 75);
// <point> is a FaultPoint of PalimpsestCore: `log-append`, `store-commit`, `alert-queue`.

/// Stops the process the first time it reaches ``point``.
struct StopAt: FaultInjecting {
    enum Action: String { case kill, exit }

    let point: FaultPoint
    let action: Action

    init?(_ name: String) {
        guard let range = name.range(of: "-"),
            let action = Action(rawValue: String(name[..<range.lowerBound])),
            let point = FaultPoint(rawValue: String(name[range.upperBound...]))
        else { return nil }
        self.point = point
        self.action = action
    }

    func reached(_ reached: FaultPoint, account: AccountKey?) throws {
        guard reached == self.point else { return }
        let whose = account.map { " (\($0))" } ?? ""
        FileHandle.standardError.write(
            Data("fault harness: \(self.action.rawValue) at \(reached.rawValue)\(whose)\n".utf8))
        switch self.action {
        case .kill: kill(getpid(), SIGKILL)
        case .exit: exit(75)
        }
    }
}

/// Arms the fault point its first argument names, then runs `palimpsest` with the rest.
@main
enum FaultHarness {
    static func main() async {
        var arguments = CommandLine.arguments.dropFirst()
        // swift-argument-parser's generate-manual plugin (`make man`) asks every executable of
        // the package for its help: answer with the commands this harness runs.
        if arguments.first == "--experimental-dump-help" {
            await Palimpsest.main(Array(arguments))
            return
        }
        guard let name = arguments.popFirst(), let plan = StopAt(name) else {
            let points = FaultPoint.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(
                Data(
                    ("usage: palimpsest-fault-harness <kill|exit>-<point> <palimpsest arguments…>, where <point> is "
                        + "one of \(points) (crash-safety tests only)\n").utf8))
            exit(64)
        }
        FaultInjection.install(plan)
        await Palimpsest.main(Array(arguments))
    }
}
