import ArgumentParser
import Foundation
import Logging
import PalimpsestCore
import PalimpsestReplay

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Replay recorded real platform responses from a loopback server and detect what changed.",
        discussion: """
            Starts an HTTP server on 127.0.0.1 that serves recorded real responses (an RSSHub feed, \
            a Mastodon account and a Weibo account, from the repository's Tests/Fixtures/real), \
            writes a config for them, and polls five times, ten minutes apart in recorded time, \
            while the data changes: a status is edited, a poll fails with HTTP 503, a status \
            disappears and its probe answers the recorded 404, a Weibo post disappears and its \
            status page answers the recorded Weibo error page, a feed cache answers with an older \
            copy. Everything \
            goes through the real libcurl client, store, detector and deletion log. Read the \
            result with `palimpsest tail --config <state>/palimpsest.toml`.
            """
    )

    @Option(help: ArgumentHelp("Folder of recorded fixtures.", valueName: "path"))
    var fixtures: String = "Tests/Fixtures/real"

    @Option(help: ArgumentHelp("Folder for the demo's config, state and deletion log (recreated).", valueName: "path"))
    var state: String = "demo-state"

    @Option(help: ArgumentHelp("Operator log level on stderr.", valueName: "level"))
    var logLevel: String = "error"

    func run() async throws {
        let fixtures = URL(fileURLWithPath: self.fixtures).standardizedFileURL
        guard FileManager.default.fileExists(atPath: fixtures.appendingPathComponent("PROVENANCE.md").path) else {
            throw ValidationError(
                "--fixtures \(fixtures.path): no recorded fixtures there (expected PROVENANCE.md). Run from the repository root."
            )
        }
        let stateRoot = URL(fileURLWithPath: self.state).standardizedFileURL
        try Self.recreateDemoFolder(stateRoot)
        OperatorLogging.bootstrap(level: .init(rawValue: self.logLevel) ?? .warning)
        let logger = Logger(label: "palimpsest.demo")

        let server = ReplayServer()
        try await server.start()
        let scenario = DemoScenario(fixtures: fixtures)
        let configURL = stateRoot.appendingPathComponent("palimpsest.toml")
        // Relative paths: they resolve against the config's folder, so a copied demo folder is a
        // demo of its own and never writes into the original.
        try Data(scenario.configText(server: server.baseURL).utf8).write(to: configURL)
        let config = try ConfigLoader.load(from: configURL)
        let runtime = try MonitorRuntime(config: config, logger: logger)
        printLine("Palimpsest demo: replaying recorded real responses from \(server.baseURL.absoluteString)")
        printLine("  accounts: " + config.accounts.map { "\($0.displayName) [\($0.key)]" }.joined(separator: ", "))
        let cycle = PollCycle(poller: runtime.poller, concurrency: 4)
        for step in 1...DemoScenario.pollCount {
            try scenario.script(server, forPoll: step)
            let time = scenario.time(ofPoll: step)
            printLine("\npoll \(step) at \(RFC3339.string(from: time)) — \(Self.narration[step - 1])")
            for result in await cycle.run(config.accounts, at: time) {
                switch result {
                case .polled(let report):
                    printLine(
                        "  \(report.account.displayName): \(report.record.outcome): \(report.record.detail); "
                            + "\(Plural.count(report.events.count, "event")) logged")
                case .fault(let account, let error):
                    printLine("  \(account.displayName): poll could not run: \(error)")
                }
            }
        }
        runtime.shutdown()
        await server.stop()
        printLine(
            """

            Done. Config: \(configURL.path)
                  State:  \(config.daemon.stateDirectory.path)  (snapshots, post archive, raw evidence)
                  Log:    \(config.daemon.deletionLog.path)
            Read it:      palimpsest tail --config \(configURL.path)
            """)
    }

    static let narration = [
        "first look at the three accounts",
        "a new feed item and a new Weibo post; a Mastodon status is edited",
        "the Mastodon instance answers HTTP 503 (a failed poll is never evidence)",
        "\"Toot number 9!\" is gone and its probe answers 404; a Weibo post is gone and its status page "
            + "answers Weibo's error page (reason: removed, Weibo does not say by whom); the feed cache serves "
            + "an older copy",
        "the same answers again: nothing is logged twice",
    ]

    /// Removes a previous demo folder (only one this command made: it carries a marker file) and
    /// creates it anew.
    static func recreateDemoFolder(_ url: URL) throws {
        let marker = url.appendingPathComponent(".palimpsest-demo")
        let manager = FileManager.default
        if manager.fileExists(atPath: url.path) {
            guard manager.fileExists(atPath: marker.path) else {
                throw ValidationError(
                    "--state \(url.path) exists and was not made by `palimpsest demo`; choose another folder.")
            }
            try manager.removeItem(at: url)
        }
        try manager.createDirectory(at: url, withIntermediateDirectories: true)
        try Data("made by palimpsest demo\n".utf8).write(to: marker)
    }
}
