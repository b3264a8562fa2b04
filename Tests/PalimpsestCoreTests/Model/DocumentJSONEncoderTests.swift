import Foundation
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// `DocumentJSONEncoder` writes what `JSONCoding.documentEncoder()` writes, byte for byte, and
/// what it writes decodes back to the value.
@Suite struct DocumentJSONEncoderTests {
    /// A value that uses every kind of container and scalar `Codable` offers.
    struct Sample: Codable, Equatable {
        var text: String
        var texts: [String]
        var optional: String?
        var explicitNull: String?
        var number: Int
        var numbers: [Int64]
        var unsigned: UInt64
        var small: Int8
        var double: Double
        var doubles: [Double]
        var flag: Bool
        var date: Date
        var dates: [Date]
        var url: URL
        var data: Data
        var byName: [String: Int]
        var empty: [String]
        var emptyObject: [String: String]
        var nested: [[Int]]
        var children: [Child]
        var child: Child?

        enum CodingKeys: String, CodingKey {
            case text, texts, optional, number, numbers, unsigned, small, double, doubles, flag, date, dates, url
            case data, empty, nested, children, child
            case explicitNull = "explicit_null"
            case byName = "by_name"
            case emptyObject = "empty_object"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self.text, forKey: .text)
            try container.encode(self.texts, forKey: .texts)
            try container.encodeIfPresent(self.optional, forKey: .optional)
            try container.encode(self.explicitNull, forKey: .explicitNull)
            try container.encode(self.number, forKey: .number)
            try container.encode(self.numbers, forKey: .numbers)
            try container.encode(self.unsigned, forKey: .unsigned)
            try container.encode(self.small, forKey: .small)
            try container.encode(self.double, forKey: .double)
            try container.encode(self.doubles, forKey: .doubles)
            try container.encode(self.flag, forKey: .flag)
            try container.encode(self.date, forKey: .date)
            try container.encode(self.dates, forKey: .dates)
            try container.encode(self.url, forKey: .url)
            try container.encode(self.data, forKey: .data)
            try container.encode(self.byName, forKey: .byName)
            try container.encode(self.empty, forKey: .empty)
            try container.encode(self.emptyObject, forKey: .emptyObject)
            // A nested container written after its parent handed it out.
            var nested = container.nestedUnkeyedContainer(forKey: .nested)
            for row in self.nested {
                var inner = nested.nestedUnkeyedContainer()
                for value in row { try inner.encode(value) }
            }
            try container.encode(self.children, forKey: .children)
            try container.encodeIfPresent(self.child, forKey: .child)
        }
    }

    /// Two types' keys in one object (as `StatusReport.Row` encodes its entry and its own keys).
    struct Child: Codable, Equatable {
        var name: String
        var kind: Kind
        var share: Double

        enum Kind: String, Codable { case deleted, altered }

        enum CodingKeys: String, CodingKey {
            case name, kind, share
        }

        func encode(to encoder: any Encoder) throws {
            var first = encoder.container(keyedBy: CodingKeys.self)
            try first.encode(self.name, forKey: .name)
            var second = encoder.container(keyedBy: CodingKeys.self)
            try second.encode(self.kind, forKey: .kind)
            try second.encode((self.share * 10_000).rounded() / 10_000, forKey: .share)
        }
    }

    /// A varied value (`StoredJSONDecoderTests` decodes the same ones).
    func sample(_ random: inout RandomText, index: Int) -> Sample {
        // Every control character, quotes, backslashes, slashes, DEL, C1 controls, line and
        // paragraph separators, bidirectional overrides, a byte-order mark, emoji, CJK.
        let specials =
            (0..<0x20).map { String(UnicodeScalar(UInt8($0))) } + [
                "\"", "\\", "/", "\u{7F}", "\u{80}", "\u{9F}", "\u{2028}", "\u{2029}", "\u{202E}", "\u{FEFF}", "😀",
                "中文", "\\u0000", "</script>",
            ]
        func text() -> String {
            var text = random.text()
            for _ in 0..<Int.random(in: 0...4, using: &random) { text += specials.randomElement(using: &random)! }
            return text
        }
        let doubles: [Double] = [
            0, -0.0, 1, 0.5, 0.1, 1.0 / 3, 123_456_789.125, 1e-5, 1.5e-7, 1e16, 1e20, -2.75, 0.9999,
            Double.greatestFiniteMagnitude, Double.leastNonzeroMagnitude, 604_800,
        ]
        let keys = ["", "a", "B", "_x", "a10", "a9", "é", "中", "😀", "z z", "key\"quote", "\u{1}", "Ω"]
        return Sample(
            text: index == 0 ? "" : text(),
            texts: (0..<Int.random(in: 0...3, using: &random)).map { _ in text() },
            optional: Bool.random(using: &random) ? text() : nil,
            explicitNull: Bool.random(using: &random) ? text() : nil,
            number: Int.random(in: Int.min...Int.max, using: &random),
            numbers: [Int64.min, Int64.max, 0, -1],
            unsigned: UInt64.max,
            small: Int8.min,
            double: doubles.randomElement(using: &random)!,
            doubles: doubles,
            flag: Bool.random(using: &random),
            date: Date(timeIntervalSince1970: Double(Int.random(in: 0...4_000_000_000, using: &random))),
            dates: [Date(timeIntervalSince1970: 1_764_000_000.25), Date(timeIntervalSince1970: 1_764_000_000)],
            url: URL(string: "https://example.social/@user/\(index)?q=a%20b&x=/y")!,
            data: Data(
                (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }),
            byName: Dictionary(
                keys.shuffled(using: &random).prefix(Int.random(in: 0...keys.count, using: &random)).map {
                    ($0, Int.random(in: -5...5, using: &random))
                }, uniquingKeysWith: { a, _ in a }),
            empty: [],
            emptyObject: [:],
            nested: [[], [1, 2], []],
            children: (0..<Int.random(in: 0...3, using: &random)).map { _ in
                Child(name: text(), kind: Bool.random(using: &random) ? .deleted : .altered, share: 1.0 / 7)
            },
            child: Bool.random(using: &random) ? Child(name: text(), kind: .deleted, share: 0.5) : nil
        )
    }

    @Test func writesTheBytesOfTheDocumentEncoderForVariedValues() throws {
        var random = RandomText(seed: 0xD0C5)
        for index in 0..<300 {
            let value = self.sample(&random, index: index)
            let expected = try JSONCoding.documentEncoder().encode(value)
            let written = try DocumentJSONEncoder.encode(value)
            #expect(
                written == expected,
                "value \(index): \(String(decoding: written, as: UTF8.self)) != \(String(decoding: expected, as: UTF8.self))"
            )
            if written != expected { break }
        }
    }

    @Test func whatItWritesDecodesToTheEncodedValue() throws {
        var random = RandomText(seed: 0x5EED)
        for index in 0..<100 {
            var value = self.sample(&random, index: index)
            // Shares are written rounded to four places: decode compares with what was written.
            value.children = value.children.map { Child(name: $0.name, kind: $0.kind, share: 0.1429) }
            value.child = value.child.map { Child(name: $0.name, kind: $0.kind, share: 0.5) }
            let written = try DocumentJSONEncoder.encode(value)
            let decoded = try JSONCoding.decoder().decode(Sample.self, from: written)
            #expect(decoded == value)
            // And as plain JSON, the same document as Foundation's.
            let ours = try JSONSerialization.jsonObject(with: written) as? NSDictionary
            let theirs =
                try JSONSerialization.jsonObject(with: try JSONCoding.documentEncoder().encode(value))
                as? NSDictionary
            #expect(ours != nil && ours == theirs)
        }
    }

    @Test func writesAHugeStringAsTheDocumentEncoder() throws {
        let huge = String(repeating: "长文本 with \"quotes\", \\ and \u{1}\n", count: 200_000)
        let value = ["text": huge, "empty": ""]
        #expect(try DocumentJSONEncoder.encode(value) == (try JSONCoding.documentEncoder().encode(value)))
    }

    @Test func writesScalarsAndEmptyContainersAtTheTopLevelAsTheDocumentEncoder() throws {
        let encoder = JSONCoding.documentEncoder()
        #expect(try DocumentJSONEncoder.encode("a\"b") == (try encoder.encode("a\"b")))
        #expect(try DocumentJSONEncoder.encode(42) == (try encoder.encode(42)))
        #expect(try DocumentJSONEncoder.encode([String]()) == (try encoder.encode([String]())))
        #expect(try DocumentJSONEncoder.encode([String: Int]()) == (try encoder.encode([String: Int]())))
        #expect(try DocumentJSONEncoder.encode([[String: [Int]]]()) == (try encoder.encode([[String: [Int]]]())))
        #expect(try DocumentJSONEncoder.encode(Optional<Int>.none) == (try encoder.encode(Optional<Int>.none)))
    }

    @Test func refusesANumberThatIsNotFinite() {
        #expect(throws: EncodingError.self) { try DocumentJSONEncoder.encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try DocumentJSONEncoder.encode(["x": Double.infinity]) }
    }

    @Test func theLineEncoderWritesTheBytesOfJSONCodingsLineEncoder() throws {
        var random = RandomText(seed: 0x1173)
        for index in 0..<300 {
            let value = self.sample(&random, index: index)
            let expected = try JSONCoding.lineEncoder().encode(value)
            let written = try LineJSONEncoder.encode(value)
            #expect(
                written == expected,
                "value \(index): \(String(decoding: written, as: UTF8.self)) != \(String(decoding: expected, as: UTF8.self))"
            )
            if written != expected { break }
        }
        let encoder = JSONCoding.lineEncoder()
        #expect(try LineJSONEncoder.encode([String]()) == (try encoder.encode([String]())))
        #expect(try LineJSONEncoder.encode([String: Int]()) == (try encoder.encode([String: Int]())))
        #expect(try LineJSONEncoder.encode([[String: [Int]]]()) == (try encoder.encode([[String: [Int]]]())))
        #expect(try LineJSONEncoder.encode("a\"b/c") == (try encoder.encode("a\"b/c")))
        #expect(throws: EncodingError.self) { try LineJSONEncoder.encode([Double.nan]) }
    }

    /// The state store names each post version by the SHA-256 of its line: the states, tracked
    /// posts, snapshots and posts that real feeds make must encode to the same bytes as before.
    @Test func theLineEncoderWritesWhatTheStoreWroteForRealFeeds() async throws {
        let harness = try await IntegrationHarness()
        let feed = harness.feedAccount(path: "/feed")
        harness.server.script(
            "/feed",
            [
                try IntegrationHarness.answer(fixture: "feeds/rsshub_twitter_ArknightsStaff_snapshot0.xml"),
                try IntegrationHarness.answer(fixture: "feeds/rsshub_twitter_ArknightsStaff_snapshot1.xml"),
                try IntegrationHarness.answer(fixture: "feeds/rsshub_twitter_ArknightsStaff_snapshot0.xml"),
            ])
        let poller = try harness.poller()
        for minutes in [0, 30, 60] {
            let report = try await poller.poll(feed, at: IntegrationHarness.time(minutes))
            #expect(report.record.outcome == "complete")
        }
        _ = poller.stateStore.saveUnsavedStates()
        let store = try StateStore(root: harness.root.appendingPathComponent("state"))
        let state = try #require(try store.loadState(of: feed.key))
        let encoder = JSONCoding.lineEncoder()
        #expect(try LineJSONEncoder.encode(state) == (try encoder.encode(state)))
        #expect(!state.detection.posts.isEmpty)
        for tracked in state.detection.posts.values {
            #expect(try LineJSONEncoder.encode(tracked) == (try encoder.encode(tracked)))
        }
        let ids = try store.snapshotIDs(of: feed.key)
        #expect(ids.count == 3)
        for id in ids {
            let snapshot = try #require(try store.snapshot(of: feed.key, id: id))
            #expect(try LineJSONEncoder.encode(snapshot) == (try encoder.encode(snapshot)))
            for post in snapshot.posts {
                #expect(try LineJSONEncoder.encode(post) == (try encoder.encode(post)))
            }
        }
        await harness.close()
    }

    @Test func writesTheFixtureDigestAsTheDocumentEncoder() throws {
        for zone in [DigestTestSupport.shanghai, TimeZone(identifier: "UTC")!] {
            var digest = try DigestTestSupport.digest("2026-W48", in: zone)
            digest.generatedAt = DigestTestSupport.date("2026-11-30T07:03:12.5Z")
            #expect(try DocumentJSONEncoder.encode(digest) == (try JSONCoding.documentEncoder().encode(digest)))
        }
    }

    /// A daemon status of `count` accounts with every kind of entry: never polled, polling,
    /// blind, moved, names with quotes and CJK.
    static func daemonStatus(accounts count: Int) -> DaemonStatus {
        let now = Date(timeIntervalSince1970: 1_785_592_800.25)
        let entries = (0..<count).map { index -> DaemonStatus.AccountEntry in
            let key = AccountKey(rawValue: "feed:https://example.org/\(index)/feed.xml")
            var entry = DaemonStatus.AccountEntry(
                account: key, name: index % 3 == 0 ? nil : "官方 \"\(index)\"", interval: 600 + Double(index % 7) / 4,
                lastPoll: index % 5 == 0
                    ? nil
                    : PollRecord(at: now.addingTimeInterval(-Double(index)), outcome: "complete", detail: "10 posts"),
                nextPoll: index % 4 == 0 ? nil : now.addingTimeInterval(Double(index)), polling: index % 4 == 0,
                postsTracked: index % 11, eventsLogged: index % 13)
            if index % 9 == 0 {
                entry.blind = BlindSpan(
                    from: now.addingTimeInterval(-3_600), failedPolls: 2,
                    failure: PollFailure(kind: .httpStatus, message: "HTTP 503", httpStatus: 503))
            }
            return entry
        }
        return DaemonStatus(
            pid: 4_242, phase: .running, startedAt: now, updatedAt: now, configLoadedAt: now,
            config: "/etc/palimpsest/palimpsest.toml", shard: nil, recentPolls: count, recentWindow: 600,
            eventsToday: 3, accounts: entries)
    }

    @Test func writesADaemonStatusOfManyAccountsInPiecesAsTheDocumentEncoder() throws {
        for count in [0, 1, 2_000] {
            let status = Self.daemonStatus(accounts: count)
            let expected = try JSONCoding.documentEncoder().encode(status)
            var pieces: [[UInt8]] = []
            try DocumentJSONEncoder.write(status, chunkSize: 4_096) { pieces.append($0) }
            #expect(Data(pieces.joined()) == expected, "\(count) accounts")
            #expect(try DocumentJSONEncoder.encode(status) == expected, "\(count) accounts")
            #expect(try LineJSONEncoder.encode(status) == (try JSONCoding.lineEncoder().encode(status)))
            // Handed over while written: pieces of at least the chunk size but the last, none
            // much larger than one account's entry past it.
            #expect(pieces.dropLast().allSatisfy { $0.count >= 4_096 && $0.count < 4_096 + 2_048 })
            if count == 2_000 { #expect(pieces.count > 100) }
        }
    }

    @Test func writesAStatusReportInPiecesAsTheDocumentEncoder() throws {
        let status = Self.daemonStatus(accounts: 500)
        let rows = status.accounts.enumerated().map { index, entry in
            StatusReport.Row(
                entry: entry, eventsThisWeek: index % 3, worstCaseDelay: 1_800,
                observedSeconds7d: index % 2 == 0 ? nil : 600_000)
        }
        let report = StatusReport(
            generatedAt: status.updatedAt, config: status.config, stateDir: "/var/lib/palimpsest", shard: "1/2",
            daemon: StatusReport.Daemon(running: true, pid: 4_242, phase: .running), accounts: rows)
        var written = Data()
        try DocumentJSONEncoder.write(report, chunkSize: 1_000) { written.append(contentsOf: $0) }
        #expect(written == (try JSONCoding.documentEncoder().encode(report)))
    }
}
