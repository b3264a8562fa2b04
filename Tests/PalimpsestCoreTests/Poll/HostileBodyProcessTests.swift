import Foundation
import PalimpsestCore
import PalimpsestReplay
import PalimpsestTestSupport
import SystemPackage
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Hostile bodies against the real `palimpsest poll` in a child process (issue 8, items 9 and 10):
/// a crash or a blow-up of memory shows as the child's exit status or peak resident set size, and
/// cannot take the test runner down with it.
@Suite(.serialized) struct HostileBodyProcessTests {
    /// What a finished `palimpsest poll` left.
    struct Finished {
        /// The exit status, or 128 + the signal that killed it.
        var status: Int32
        /// Peak resident set size (`ru_maxrss` from `wait4`), KiB.
        var peakKiB: Int
        /// stdout and stderr, interleaved.
        var output: String
    }

    /// Runs `palimpsest poll --config <config> --now <now>` and waits for it (`posix_spawn`, then
    /// `wait4` for the child's resource usage), with an empty signal mask as a daemon gets.
    static func poll(config: URL, now: String, in folder: URL) async throws -> Finished {
        let binary = try DaemonProcessTests.binary().string
        let outputURL = folder.appendingPathComponent("poll-\(now).out")
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let arguments = [binary, "poll", "--config", config.path, "--now", now]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, binary, &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
        var status: Int32 = 0
        var usage = rusage()
        // The child's own high-water mark, read while it runs: `ru_maxrss` from wait4 also counts
        // this test process's resident set, which posix_spawn's vfork-style clone shares until exec.
        var highWater = 0
        while wait4(pid, &status, WNOHANG, &usage) == 0 {
            highWater = max(highWater, Self.residentHighWaterKiB(of: pid) ?? 0)
            try await Task.sleep(for: .milliseconds(10))
        }
        // WIFEXITED / WEXITSTATUS are macros Swift does not import.
        let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let output = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        return Finished(status: code, peakKiB: highWater > 0 ? highWater : Int(usage.ru_maxrss), output: output)
    }

    /// `VmHWM` of `/proc/<pid>/status` (the peak resident set of the process since exec), KiB;
    /// `nil` once it has exited.
    static func residentHighWaterKiB(of pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        return Int(
            line.dropFirst("VmHWM:".count).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
    }

    static func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("palimpsest-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    // MARK: - Item 9: depth

    @Test func bodiesNestedFiftyThousandDeepBlindTheirAccountsAndTheOthersArePolled() async throws {
        let server = ReplayServer()
        try await server.start()
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let depth = 50_000
        let deepXML =
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><item><guid>1</guid><description>"
            + String(repeating: "<x>", count: depth) + String(repeating: "</x>", count: depth)
            + "</description></item></channel></rss>"
        let deepJSON =
            "{\"id\":\"1\",\"note\":" + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            + "}"
        let deepHTML =
            "<html><head><title>Deep</title></head><body>" + String(repeating: "<div>", count: depth) + "deep text"
            + String(repeating: "</div>", count: depth) + "</body></html>"
        let html: HTTPHeaders = [("Content-Type", "text/html; charset=utf-8")]
        server.script(
            "/deep.xml", [ReplayResponse(status: 200, headers: IntegrationHarness.rss, body: Data(deepXML.utf8))])
        server.script(
            "/api/v1/accounts/lookup",
            [ReplayResponse(status: 200, headers: IntegrationHarness.json, body: Data(deepJSON.utf8))])
        server.script("/deep.html", [ReplayResponse(status: 200, headers: html, body: Data(deepHTML.utf8))])
        server.script(
            "/normal.xml",
            [
                try .file(
                    IntegrationHarness.fixtures.appendingPathComponent(
                        "feeds/rsshub_twitter_ArknightsStaff_snapshot0.xml"),
                    contentType: "application/rss+xml")
            ])
        let config = folder.appendingPathComponent("palimpsest.toml")
        try Data(
            """
            [daemon]
            state_dir = "state"

            [[account]]
            platform = "feed"
            name = "Deep feed"
            url = "\(server.url("/deep.xml").absoluteString)"

            [[account]]
            platform = "mastodon"
            name = "Deep JSON"
            instance = "\(server.baseURL.absoluteString)"
            acct = "deep"

            [[account]]
            platform = "url"
            name = "Deep page"
            url = "\(server.url("/deep.html").absoluteString)"

            [[account]]
            platform = "feed"
            name = "Normal feed"
            url = "\(server.url("/normal.xml").absoluteString)"
            """.utf8
        ).write(to: config)

        let finished = try await Self.poll(config: config, now: "2026-08-01T14:00:00Z", in: folder)
        await server.stop()
        #expect(finished.status == 0, "the poll died (139 is SIGSEGV):\n\(finished.output.suffix(2_000))")
        let lines = finished.output.split(separator: "\n").map(String.init)
        func line(_ name: String) -> String { lines.first { $0.hasPrefix("\(name): ") } ?? "no line for \(name)" }
        #expect(line("Deep feed").hasPrefix("Deep feed: blind: unparsable:"), "\(line("Deep feed"))")
        #expect(line("Deep feed").contains("nest deeper than 256 levels"), "\(line("Deep feed"))")
        #expect(line("Deep JSON").hasPrefix("Deep JSON: blind: unparsable:"), "\(line("Deep JSON"))")
        #expect(line("Deep JSON").contains("deeper than 256 levels"), "\(line("Deep JSON"))")
        #expect(line("Deep page").hasPrefix("Deep page: complete:"), "\(line("Deep page"))")
        #expect(line("Normal feed").hasPrefix("Normal feed: complete: 7 posts in window"), "\(line("Normal feed"))")

        let events = try DeletionLog.readEvents(at: folder.appendingPathComponent("state/deletions.jsonl"))
        #expect(events.map(\.event) == [.blind, .blind])
        #expect(events.allSatisfy { $0.blind?.failure.kind == .unparsable })
        #expect(events.allSatisfy { $0.detail?.contains("deeper than 256 levels") == true })
        #expect(Set(events.compactMap(\.accountName)) == ["Deep feed", "Deep JSON"])
    }

    // MARK: - Item 10: size

    @Test func aFeedOfAHundredThousandItemsStaysUnder150MiBAndKeepsMaxItems() async throws {
        let server = ReplayServer()
        try await server.start()
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        var body = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Big</title>\n"
        for index in stride(from: 100_000, to: 0, by: -1) {
            body += "<item><guid>i\(index)</guid><title>t\(index)</title></item>\n"
        }
        body += "</channel></rss>\n"
        #expect(body.utf8.count > 4_500_000)
        server.script("/big.xml", [ReplayResponse(status: 200, headers: IntegrationHarness.rss, body: Data(body.utf8))])
        let config = folder.appendingPathComponent("palimpsest.toml")
        try Data(
            """
            [daemon]
            state_dir = "state"

            [[account]]
            platform = "feed"
            name = "Big feed"
            url = "\(server.url("/big.xml").absoluteString)"
            """.utf8
        ).write(to: config)

        var peaks: [Int] = []
        for now in ["2026-08-01T14:00:00Z", "2026-08-01T14:10:00Z"] {
            let finished = try await Self.poll(config: config, now: now, in: folder)
            #expect(finished.status == 0, "\(finished.output.suffix(2_000))")
            // The second poll gets the same body: it ends early, as the first one left it.
            #expect(finished.output.contains("Big feed: complete: "), "\(finished.output.suffix(2_000))")
            #expect(finished.output.contains("1000 posts in window"), "\(finished.output.suffix(2_000))")
            peaks.append(finished.peakKiB)
        }
        await server.stop()
        let stateBytes = Self.size(of: folder.appendingPathComponent("state"))
        print("100,000-item feed: peak RSS per poll \(peaks.map { "\($0 / 1024) MiB" }), state \(stateBytes) bytes")
        #expect(peaks.allSatisfy { $0 <= 150 * 1024 }, "peak RSS \(peaks) KiB")
        // The raw body (evidence, stored once) plus a few snapshots and the archive of 1,000 posts.
        #expect(stateBytes < 12_000_000, "state_dir holds \(stateBytes) bytes after 2 polls")
    }

    /// Bytes of the regular files under `folder`.
    static func size(of folder: URL) -> Int {
        var total = 0
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.fileSizeKey])
        while let url = files?.nextObject() as? URL {
            total += (try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
        }
        return total
    }
}
