public import Foundation
public import Logging
import Synchronization

/// Operator messages on stderr: one line each. Under systemd (`JOURNAL_STREAM` set) every line
/// starts with its syslog priority (`<3>` … `<7>`, sd-daemon(3)) so journald files it by level and
/// adds its own timestamp; elsewhere lines start with an RFC 3339 UTC timestamp and the level.
///
/// The message is a constant text; what varies goes in swift-log metadata, written after the
/// message as `key=value` pairs sorted by key, a value in double quotes (`\"` and `\\` escaped)
/// when it is empty or holds a space, `"` or `=`:
/// `poll could not run account.key=weibo:123 error="HTTP 503 from m.weibo.cn"`.
public struct OperatorLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let journald: Bool

    public init(label: String, level: Logger.Level, journald: Bool) {
        self.label = label
        self.logLevel = level
        self.journald = journald
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = self.metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        // One line per message, without control or bidirectional characters from account names,
        // platform answers or config values (journald splits on newlines; a terminal obeys ESC).
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.field("\($0.value)"))" }
            .joined(separator: " ")
        let prefix: String
        if self.journald {
            prefix = "<\(Self.syslogPriority(event.level))>"
        } else {
            prefix = "\(RFC3339.string(from: Date())) \(event.level.rawValue.uppercased()) "
        }
        let line = prefix + TerminalText.singleLine("\(event.message)") + (fields.isEmpty ? "" : " \(fields)") + "\n"
        OperatorLogging.write(line)
    }

    /// A metadata value as written on the line: on one line, in double quotes when it is empty or
    /// holds a space, `"` or `=` (so that `key=value` pairs stay apart), with `"` and `\` escaped.
    static func field(_ value: String) -> String {
        let line = TerminalText.singleLine(value)
        guard line.isEmpty || line.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\\" }) else {
            return line
        }
        let escaped = line.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }

    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }
}

/// Process-wide setup of operator logging.
public enum OperatorLogging {
    private static let bootstrapped = Mutex(false)
    private static let output = Mutex(FileHandle.standardError)

    /// Installs ``OperatorLogHandler`` as swift-log's backend (once per process; later calls do nothing).
    public static func bootstrap(
        level: Logger.Level, environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        let first = Self.bootstrapped.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        let journald = environment["JOURNAL_STREAM"] != nil
        LoggingSystem.bootstrap { label in OperatorLogHandler(label: label, level: level, journald: journald) }
    }

    static func write(_ line: String) {
        Self.output.withLock { $0.write(Data(line.utf8)) }
    }
}
