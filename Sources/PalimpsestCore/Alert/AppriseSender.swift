public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `type = "apprise"`: runs the `apprise` command (Debian package `apprise`, https://github.com/caronc/apprise)
/// with the message's title and body. The URLs (`urls`, and the lines of `urls_file`) go to it in
/// a configuration file readable only by this user (`apprise -c FILE`), never on its command line,
/// since they hold tokens. Exit status 0 is a delivery; any other, or no exit within the sink's
/// `timeout` (the process is then killed), is retried.
public struct AppriseSender: AlertSending {
    public let sink: AlertSink
    /// The `apprise` executable; `nil` looks it up in `PATH` (then `/usr/bin/apprise`).
    public let executable: String?

    public init(sink: AlertSink, executable: String? = nil) {
        self.sink = sink
        self.executable = executable
    }

    /// The `apprise` found in `PATH`, else `/usr/bin/apprise` when it exists, else `nil`.
    public static func locate() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") + ["/usr/bin"] {
            let candidate = "\(folder)/apprise"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    public func send(_ message: AlertMessage) async throws -> String {
        var urls = self.sink.appriseURLs
        if let file = self.sink.appriseURLsFile {
            let data = try AlertSenders.readSecret(file, sink: self.sink.name, key: "urls_file")
            urls += String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        }
        guard let executable = self.executable ?? Self.locate() else {
            throw AlertDeliveryError(
                sink: self.sink.name, message: "the apprise command is not installed",
                advice: "install it (apt-get install apprise; `make` does when it is missing)", isPermanent: true)
        }
        let allURLs = urls
        let sinkName = self.sink.name
        let timeout = self.sink.timeout
        let title = message.title
        let body = message.body
        let type = message.events.contains { $0.event == .alarm || $0.event == .deleted } ? "warning" : "info"
        return try await BlockingIO.runConcurrently {
            try Self.run(
                executable: executable, urls: allURLs, title: title, body: body, type: type, timeout: timeout,
                sink: sinkName)
        }
    }

    private static func run(
        executable: String, urls: [String], title: String, body: String, type: String, timeout: TimeInterval,
        sink: String
    ) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "palimpsest-apprise-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("urls.txt")
        let output = folder.appendingPathComponent("output.txt")
        FileManager.default.createFile(
            atPath: config.path, contents: Data((urls.joined(separator: "\n") + "\n").utf8),
            attributes: [.posixPermissions: 0o600])
        FileManager.default.createFile(atPath: output.path, contents: nil, attributes: [.posixPermissions: 0o600])
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-v", "-n", type, "-c", config.path, "-t", title, "-b", body]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            throw AlertDeliveryError(
                sink: sink, message: "cannot start \(executable): \(error)", advice: "check that apprise is installed")
        }
        var timedOut = false
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
        }
        let said = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        let tail = TerminalText.singleLine(String(said.suffix(300)))
        if timedOut {
            throw AlertDeliveryError(
                sink: sink, message: "apprise did not finish within \(Int(timeout)) s (killed): \(tail)",
                advice: "check the Apprise URLs and the network; the alert is retried")
        }
        guard process.terminationStatus == 0 else {
            throw AlertDeliveryError(
                sink: sink, message: "apprise exited with status \(process.terminationStatus): \(tail)",
                advice: "check the Apprise URLs (apprise -vv -c FILE -b test); the alert is retried")
        }
        return "apprise exited 0"
    }
}
