import ArgumentParser
import PalimpsestCore

struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the config file and list the accounts it watches.",
        discussion: """
            Every problem is reported with the file, the account (index and name) and the key, \
            and what was expected. Exit status 0 when valid, 78 (EX_CONFIG) when not.
            """
    )

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let config = try self.options.loadConfig()
        printLine(ConfigSummary.describe(config))
    }
}
