import ArgumentParser
import Foundation
import PalimpsestCore

struct AlertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alert",
        abstract: "Check the alert sinks ([[alert]] in the config).",
        discussion: """
            Findings are pushed to the [[alert]] sinks from a durable outbox in state_dir as soon as \
            the deletion log holds them (docs/alerts.md). `palimpsest alert test` sends a sample \
            event to each sink now, so that the setup can be checked before a real deletion.
            """,
        subcommands: [AlertTestCommand.self]
    )
}

struct AlertTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Send a sample event to each alert sink (or one) and print what each answered.",
        discussion: """
            The sample is a `deleted` event of the account `sample:palimpsest-alert-test` whose \
            text says it is a test; its id starts with `test` so receivers can tell it apart. It \
            goes to every sink (or the one named by --sink) whatever the sink's filters, straight \
            from this command: nothing is written to the deletion log or the outbox. Prints one line \
            per sink (`ok` and the answer, or `FAILED` and why). Exit status 0 when every sink took \
            it, 1 when one did not, 78 when the config has no such sink.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("Test only this sink (its `name` in [[alert]]).", valueName: "name"))
    var sink: String?

    func run() async throws {
        _ = self.options.bootstrapLogging()
        let config = try self.options.loadConfig()
        let sinks = config.alerts.filter { self.sink == nil || $0.name == self.sink }
        guard !sinks.isEmpty else {
            let known = config.alerts.map(\.name).joined(separator: ", ")
            printError(
                self.sink.map {
                    "no [[alert]] named \"\($0)\" in \(config.file.path); sinks: \(known.isEmpty ? "none" : known)"
                }
                    ?? "no [[alert]] sink in \(config.file.path): add one (docs/alerts.md)")
            throw ExitCode(78)
        }
        try CurlHTTPClient.globalInit()
        var http = HTTPClientConfiguration()
        http.userAgent = config.daemon.userAgent
        http.timeout = 60
        http.connectTimeout = 10
        let client = try CurlHTTPClient(configuration: http)
        defer { client.shutdown() }
        let senders = AlertSenders.make(for: config, client: client)
        let message = AlertMessage(events: [Self.sample()])
        var failed = 0
        for sink in sinks {
            guard let sender = senders[sink.name] else {
                printLine("\(sink.name) (\(sink.kind.rawValue)): FAILED: no sender (an email sink needs [digest.smtp])")
                failed += 1
                continue
            }
            do {
                let answer = try await sender.send(message)
                printLine("\(sink.name) (\(sink.kind.rawValue)): ok: \(answer)")
            } catch {
                printLine("\(sink.name) (\(sink.kind.rawValue)): FAILED: \(error)")
                failed += 1
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }

    /// A sample `deleted` event, marked as a test.
    static func sample(now: Date = Date()) -> Event {
        let key = AccountKey(rawValue: "sample:palimpsest-alert-test")
        var event = Event(
            id: "test"
                + String(
                    Event.makeID(account: key, post: "1", kind: .deleted, proof: RFC3339.string(from: now)).prefix(28)),
            detectedAt: now, event: .deleted, platform: nil, account: key, accountName: "Palimpsest alert test")
        event.postID = "1"
        event.reason = .removed
        event.confirmedBy = .probe
        event.text = "This is a test of the Palimpsest alert sinks: nothing was deleted."
        event.lifetime = SecondsInterval(minSeconds: 600, maxSeconds: 1200)
        return event
    }
}
