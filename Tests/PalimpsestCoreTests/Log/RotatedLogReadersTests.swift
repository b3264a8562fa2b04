import Foundation
import PalimpsestTestSupport
import Subprocess
import Testing

@testable import PalimpsestCore

/// After logrotate, `status`, `tail` and the daemon's count of today's events still read the
/// whole log: the rotated files (gzipped ones too) with the new file.
@Suite struct RotatedLogReadersTests {
    static func config(in folder: URL) throws -> PalimpsestConfig {
        let file = folder.appendingPathComponent("palimpsest.toml")
        try Data(
            """
            [daemon]
            state_dir = "state"
            deletion_log = "deletions.jsonl"

            [[account]]
            platform = "feed"
            name = "Example"
            url = "https://example.org/feed.xml"
            """.utf8
        ).write(to: file)
        return try ConfigLoader.load(from: file)
    }

    /// Events `e1`…`e5`, detected 1 to 5 days before `now`, the first three rotated away.
    static func writeLog(_ url: URL, now: Date) async throws {
        let log = try DeletionLog(url: url)
        func event(_ index: Int) -> Event {
            var event = StoreTestSupport.event("e\(index)")
            event.detectedAt = now.addingTimeInterval(-Double(6 - index) * 86_400)
            return event
        }
        _ = try log.append([event(1), event(2)])
        try await DeletionLogSetTests.rotate(log, to: "deletions.jsonl.2", gzip: true)
        _ = try log.append([event(3)])
        try await DeletionLogSetTests.rotate(log, to: "deletions.jsonl.1", gzip: false)
        _ = try log.append([event(4), event(5)])
    }

    @Test func statusCountsTheWeeksEventsAcrossRotatedFiles() async throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let config = try Self.config(in: folder)
        let now = Date(timeIntervalSince1970: 1_795_990_720)
        try await Self.writeLog(config.daemon.deletionLog, now: now)
        let report = try StatusReport.gather(config: config, now: now)
        #expect(report.accounts.map(\.eventsThisWeek) == [5])
    }

    @Test func tailPrintsTheRotatedFilesFirst() async throws {
        let binary = try DaemonProcessTests.binary()
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let config = try Self.config(in: folder)
        try await Self.writeLog(config.daemon.deletionLog, now: Date())

        let result = try await Subprocess.run(
            .path(binary), arguments: ["tail", "--json", "--config", config.file.path],
            environment: .inherit.updating(["TZ": "UTC"]), output: .string(limit: 1 << 20),
            error: .string(limit: 1 << 16))
        #expect(result.terminationStatus.isSuccess, "\(result.standardError)")
        let ids = result.standardOutput.split(separator: "\n").compactMap {
            try? JSONCoding.decoder().decode(Event.self, from: Data($0.utf8)).id
        }
        #expect(ids == ["e1", "e2", "e3", "e4", "e5"])

        // --since takes a span back from now: e4 and e5 were detected 2 and 1 days ago.
        let recent = try await Subprocess.run(
            .path(binary), arguments: ["tail", "--json", "--since", "2d1h", "--config", config.file.path],
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 16))
        #expect(recent.terminationStatus.isSuccess, "\(recent.standardError)")
        let recentIDs = recent.standardOutput.split(separator: "\n").compactMap {
            try? JSONCoding.decoder().decode(Event.self, from: Data($0.utf8)).id
        }
        #expect(recentIDs == ["e4", "e5"])
        let wrong = try await Subprocess.run(
            .path(binary), arguments: ["tail", "--since", "last tuesday", "--config", config.file.path],
            output: .discarded, error: .string(limit: 1 << 16))
        #expect(wrong.terminationStatus == .exited(64))
        #expect(wrong.standardError.contains("a span back from now (30m, 1h, 2d)"))
    }

    @Test func tailLinesPrintsTheLastEventsFromTheLiveFileOrAcrossRotation() async throws {
        let binary = try DaemonProcessTests.binary()
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let config = try Self.config(in: folder)
        try await Self.writeLog(config.daemon.deletionLog, now: Date())
        func ids(_ arguments: [String]) async throws -> [String] {
            let result = try await Subprocess.run(
                .path(binary), arguments: Arguments(["tail", "--json", "--config", config.file.path] + arguments),
                output: .string(limit: 1 << 20), error: .string(limit: 1 << 16))
            #expect(result.terminationStatus.isSuccess, "\(result.standardError)")
            return result.standardOutput.split(separator: "\n").compactMap {
                try? JSONCoding.decoder().decode(Event.self, from: Data($0.utf8)).id
            }
        }
        // The live file holds e4 and e5: read from its end.
        #expect(try await ids(["--lines", "2"]) == ["e4", "e5"])
        #expect(try await ids(["-n", "1"]) == ["e5"])
        #expect(try await ids(["-n", "0"]) == [])
        // More than the live file holds: the rotated files are read too.
        #expect(try await ids(["-n", "4"]) == ["e2", "e3", "e4", "e5"])
        #expect(try await ids(["-n", "9"]) == ["e1", "e2", "e3", "e4", "e5"])
        // With a filter: the last matching events.
        #expect(try await ids(["-n", "1", "--since", "3d1h"]) == ["e5"])
        // A checkpoint line at the end is not an event: the last two events are still e4 and e5.
        let handle = try FileHandle(forWritingTo: config.daemon.deletionLog)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"event":"checkpoint","id":"c1","seq":6,"v":1}"#.utf8 + [0x0A]))
        try handle.close()
        #expect(try await ids(["-n", "2"]) == ["e4", "e5"])
        // With --follow, as `tail -F -n 2`: the last two events, then what is appended (a tester
        // had it refused).
        let followed = try await Subprocess.run(
            .path(binary), arguments: ["tail", "--json", "-n", "2", "--follow", "--config", config.file.path],
            input: .none, output: .string(limit: 1 << 20), error: .string(limit: 1 << 16)
        ) { execution -> String? in
            // Time for the process to print the last two (a slow start would count e6 among them).
            try await Task.sleep(for: .seconds(3))
            var event = StoreTestSupport.event("e6")
            event.detectedAt = Date()
            let appending = try FileHandle(forWritingTo: config.daemon.deletionLog)
            try appending.seekToEnd()
            try appending.write(contentsOf: try JSONCoding.lineEncoder().encode(event) + [0x0A])
            try appending.close()
            try await Task.sleep(for: .seconds(3))
            try execution.send(signal: .terminate)
            return nil
        }
        let followedIDs = followed.standardOutput.split(separator: "\n").compactMap {
            try? JSONCoding.decoder().decode(Event.self, from: Data($0.utf8)).id
        }
        #expect(followedIDs == ["e4", "e5", "e6"], "\(followed.standardOutput)\(followed.standardError)")
    }
}
