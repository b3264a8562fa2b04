import Foundation
import Logging
import PalimpsestCore
import PalimpsestReplay
import PalimpsestTestSupport
import Subprocess
import SystemPackage
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A small tmpfs, mounted for one test: a real file system that really fills up.
final class SmallTmpfs: Sendable {
    let mountPoint: URL

    /// Mounts a tmpfs of `bytes` at a new folder under /tmp.
    /// - Throws: when `mount(2)` fails (`EPERM` without `CAP_SYS_ADMIN`).
    init(bytes: Int) throws {
        self.mountPoint = URL(fileURLWithPath: "/tmp/pfull-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: self.mountPoint, withIntermediateDirectories: true)
        guard mount("tmpfs", self.mountPoint.path, "tmpfs", 0, "size=\(bytes),mode=0700") == 0 else {
            let code = errno
            try? FileManager.default.removeItem(at: self.mountPoint)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EPERM)
        }
    }

    /// True when this process may mount a tmpfs (root with `CAP_SYS_ADMIN`, not in every container).
    static let isAvailable: Bool = {
        guard let probe = try? SmallTmpfs(bytes: 64 * 1024) else { return false }
        probe.unmount()
        return true
    }()

    /// Writes a file until the file system refuses (`ENOSPC`): the disk is then full.
    func fill(_ name: String = "filler") throws {
        let path = self.mountPoint.appendingPathComponent(name).path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0x2e, count: 4096)
        while true {
            let written = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                guard errno == ENOSPC else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
                return
            }
        }
    }

    /// Frees what ``fill(_:)`` took.
    func free(_ name: String = "filler") {
        unlink(self.mountPoint.appendingPathComponent(name).path)
    }

    func unmount() {
        umount2(self.mountPoint.path, Int32(MNT_DETACH))
        try? FileManager.default.removeItem(at: self.mountPoint)
    }
}

/// A full disk for real: a small tmpfs that fills up, then the kernel's own short writes and
/// `ENOSPC`. Skipped where the test may not mount (no `CAP_SYS_ADMIN`); `DiskFullTests` covers the
/// same behaviour there with ``SimulatedDiskSpace``. `palimpsest poll` is also run under a real
/// file size limit (`ulimit -f`, `EFBIG`), which needs no privilege.
@Suite(.serialized) struct RealFullDiskTests {
    @Test(
        .enabled(
            if: SmallTmpfs.isAvailable,
            "mounting a tmpfs needs CAP_SYS_ADMIN; DiskFullTests covers this with a simulated full disk"))
    func aRealFullDiskLosesNoBlindSpanAndLeavesEveryFileWhole() async throws {
        let disk = try SmallTmpfs(bytes: 2 * 1024 * 1024)
        defer { disk.unmount() }
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/feed")
        let poller = AccountPoller(
            client: harness.client,
            stateStore: try StateStore(root: disk.mountPoint.appendingPathComponent("state")),
            log: try DeletionLog(url: disk.mountPoint.appendingPathComponent("deletions.jsonl")),
            detection: DetectionSettings(), snapshotRetention: 3, logger: .init(label: "test"))
        let logURL = disk.mountPoint.appendingPathComponent("deletions.jsonl")
        let store = try poller.stateStore.accountStore(for: account.key)
        harness.server.script("/feed", [DiskFullTests.feed(harness, ids: [3, 2, 1])])
        _ = try await poller.poll(account, at: IntegrationHarness.time(0))
        let stateBefore = try store.loadState()

        try disk.fill()
        harness.server.script("/feed", [DiskFullTests.down])
        for minutes in [10, 20] {
            let error = await #expect(throws: PollWriteError.self) {
                try await poller.poll(account, at: IntegrationHarness.time(minutes))
            }
            #expect(error?.isDiskFull == true, "\(String(describing: error))")
        }
        #expect(
            try StateStore(root: disk.mountPoint.appendingPathComponent("state")).loadState(of: account.key)
                == stateBefore, "the stored state is untouched")
        #expect(try Data(contentsOf: logURL).isEmpty)

        disk.free()
        harness.server.script("/feed", [DiskFullTests.feed(harness, ids: [3, 2, 1])])
        _ = try await poller.poll(account, at: IntegrationHarness.time(30))
        let events = try DeletionLog.readEvents(at: logURL)
        let verification = try DeletionLog.verify(at: logURL)
        let archive = try store.archivedVersions()
        await harness.close()

        #expect(events.map(\.event) == [.blind, .blind])
        #expect(events.first?.blind?.from == IntegrationHarness.time(10))
        #expect(events.last?.blind?.to == IntegrationHarness.time(30))
        #expect(events.last?.blind?.failedPolls == 2)
        #expect(verification.problems.isEmpty, "\(verification.problems)")
        #expect(archive.count == 3)
    }

    @Test func pollExitsNonZeroNamingWhatItCouldNotWriteAndTheNextRunGoesOn() async throws {
        let binary = try DaemonProcessTests.binary()
        let scratch = try DaemonProcessTests.Scratch()
        defer { scratch.remove() }
        let server = ReplayServer()
        try await server.start()
        try scratch.writeConfig(server, feeds: ["a"])
        let feed = server.url("/a.xml")
        let body = try IntegrationHarness.fixture("feeds/rsshub_twitter_ArknightsStaff_snapshot0.xml")
        server.script("/a.xml", [ReplayResponse(status: 200, headers: IntegrationHarness.rss, body: body)])

        /// `palimpsest poll --now <time>`, under a file size limit of `blocks` × 512 bytes when given
        /// (SIGXFSZ ignored, so a write past it fails with EFBIG as on a full disk).
        func poll(at time: String, blocks: Int? = nil) async throws -> (status: TerminationStatus, stderr: String) {
            let limit = blocks.map { "trap '' XFSZ; ulimit -f \($0); " } ?? ""
            let result = try await Subprocess.run(
                .path("/bin/sh"),
                arguments: [
                    "-c", limit + "exec \"$0\" \"$@\"", binary.string, "poll", "--config", scratch.config.path,
                    "--now", time,
                ],
                environment: .inherit.updating(["NOTIFY_SOCKET": nil, "JOURNAL_STREAM": nil]),
                output: .discarded, error: .string(limit: 1 << 16))
            return (result.terminationStatus, result.standardError)
        }

        let first = try await poll(at: "2026-08-01T14:00:00Z")
        #expect(first.status == .exited(0), "\(first.stderr)")
        let feedKey = AccountKey(rawValue: "feed:" + feed.absoluteString)
        func storedState() throws -> AccountState? {
            try #require(try StateStore.openReadOnly(root: scratch.state)).loadState(of: feedKey)
        }
        let stateBefore = try storedState()
        #expect(stateBefore != nil)

        // Nothing fits any more (not even SQLite's 32 KiB shared-memory index, which the first
        // connection rebuilds): the run refuses to start, names the store, and changes nothing.
        server.script("/a.xml", [DiskFullTests.down])
        let limited = try await poll(at: "2026-08-01T14:10:00Z", blocks: 1)
        #expect(limited.status == .exited(1), "\(limited.stderr)")
        #expect(limited.stderr.contains("state.sqlite"), "\(limited.stderr)")
        #expect(limited.stderr.contains("check the state folder's disk"), "\(limited.stderr)")
        #expect(try storedState() == stateBefore, "the stored state is untouched")

        // With room again, the next run polls afresh and writes.
        server.script("/a.xml", [ReplayResponse(status: 200, headers: IntegrationHarness.rss, body: body)])
        let next = try await poll(at: "2026-08-01T14:20:00Z")
        await server.stop()
        #expect(next.status == .exited(0), "\(next.stderr)")
        #expect(try storedState() != stateBefore)
    }
}
