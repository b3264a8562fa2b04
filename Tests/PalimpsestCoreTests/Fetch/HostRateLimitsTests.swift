import Foundation
import Testing

@testable import PalimpsestCore

@Suite struct HostRateLimitsTests {
    @Test func limitOutlivesTheProcessThroughItsFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rate-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let now = Date(timeIntervalSince1970: 1_785_592_800)
        let first = HostRateLimits(file: file)
        #expect(first.limit(host: "Mastodon.Example", until: now.addingTimeInterval(1800)))
        #expect(
            !first.limit(host: "mastodon.example", until: now.addingTimeInterval(60)),
            "an earlier reset never shortens a limit")
        try first.save(now: now)

        let restarted = HostRateLimits(file: file)
        #expect(
            restarted.blockedUntil(host: "mastodon.example", now: now.addingTimeInterval(600))
                == now.addingTimeInterval(1800))
        #expect(restarted.blockedUntil(host: "mastodon.example", now: now.addingTimeInterval(1801)) == nil)
        #expect(restarted.blockedUntil(host: "other.example", now: now) == nil)
    }

    @Test func unreadableFileStartsWithNoLimits() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rate-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("not json".utf8).write(to: file)
        #expect(HostRateLimits(file: file).blockedUntil(host: "a.example", now: Date(timeIntervalSince1970: 0)) == nil)
    }
}
