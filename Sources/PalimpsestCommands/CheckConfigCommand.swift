import ArgumentParser
import PalimpsestCore

struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the config file and list the accounts it watches.",
        discussion: """
            Every problem is reported with the file, the account (index and name) and the key, \
            and what was expected. Exit status 0 when valid, 78 (EX_CONFIG) when not. A valid \
            config can still draw warnings on stderr (exit status 0): a cookie_file or \
            password_file that is missing or unreadable by the user the units run as, an SMTP \
            login without TLS, a state_dir that is a file, an alert `accounts` entry that matches \
            no account, and the others docs/configuration.md lists. With --keys, list every key the file accepts (the tables of \
            docs/configuration.md, generated from the same declarations) and read no file.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Flag(
        name: .long,
        help: "List every table and key the config file accepts, with type, default and meaning, and exit.")
    var keys = false

    func run() async throws {
        if self.keys {
            printLine(ConfigKeyTables.all.map { "\($0.heading)\n\n\($0.markdown)" }.joined(separator: "\n\n"))
            return
        }
        let config = try self.options.loadConfig()
        printLine(ConfigSummary.describe(config))
        let warnings = ConfigWarnings.find(in: config)
        for warning in warnings { printError("warning: \(warning)") }
        if !warnings.isEmpty {
            printError(
                "\(warnings.count) \(warnings.count == 1 ? "warning" : "warnings"): the config is valid, "
                    + "but fix \(warnings.count == 1 ? "it" : "them") before relying on it")
        }
    }
}
