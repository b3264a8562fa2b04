import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// `digest.md` and `events.csv` of the fixture log's week 2026-W48 in Asia/Shanghai against the
/// golden files in Tests/Fixtures/digest/2026-W48-Asia-Shanghai/ (read and checked by hand).
/// To regenerate after an intended change: `PALIMPSEST_UPDATE_GOLDEN=1 swift test --filter
/// DigestGoldenTests`, then review the diff.
@Suite struct DigestGoldenTests {
    private static var goldenFolder: URL {
        DigestTestSupport.fixtures.appendingPathComponent("2026-W48-Asia-Shanghai", isDirectory: true)
    }

    private func compare(_ data: Data, golden name: String) throws {
        let url = Self.goldenFolder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["PALIMPSEST_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.goldenFolder, withIntermediateDirectories: true)
            try data.write(to: url)
        }
        let expected = try Data(contentsOf: url)
        if data != expected {
            let actual = FileManager.default.temporaryDirectory.appendingPathComponent("actual-\(name)")
            try? data.write(to: actual)
            Issue.record("\(name) differs from the golden file \(url.path); the output is in \(actual.path)")
        }
    }

    @Test func markdownMatchesTheGoldenFile() throws {
        let files = try DigestFiles(digest: try DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai))
        try self.compare(files.markdown, golden: "digest.md")
    }

    @Test func csvMatchesTheGoldenFile() throws {
        let files = try DigestFiles(digest: try DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai))
        try self.compare(files.csv, golden: "events.csv")
    }

    @Test func theSameLogGivesByteIdenticalFiles() throws {
        let first = try DigestFiles(digest: try DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai))
        let second = try DigestFiles(digest: try DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai))
        #expect(first == second)
        // Accounts given in another order, logs read again: still the same bytes.
        let builder = DigestBuilder(
            week: ISOWeek("2026-W48")!,
            timeZone: DigestTestSupport.shanghai,
            accounts: DigestTestSupport.accounts.reversed(),
            now: DigestTestSupport.date("2026-12-24T00:00:00Z"),
            generatedAt: nil
        )
        let third = try DigestFiles(
            digest: builder.build(logs: [try DigestTestSupport.log()], histories: DigestTestSupport.histories)
        )
        #expect(third == first)
    }

    /// Many accounts are rendered in parts side by side: the sections must still come in the
    /// digest's order, each once, and the files must hold exactly the rendered documents.
    @Test func theAccountsOfALargeDigestKeepTheirOrderWhenRenderedSideBySide() throws {
        var digest = try DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai)
        let base = digest.accounts
        let count = DigestDocumentParts.accountsPerPart * 3 + 7
        digest.accounts = (0..<count).map { number in
            var account = base[number % base.count]
            account.name = "Account \(number + 1)"
            return account
        }
        // Every entry in full (more than the default limit).
        let files = try DigestFiles(digest: digest, entriesInFull: 0)
        // Against every section rendered as one part: no byte differs at the parts' boundaries.
        let htmlRenderer = HTMLDigestRenderer(digest: digest, entriesInFull: 0)
        let markdownRenderer = MarkdownDigestRenderer(digest: digest, entriesInFull: 0)
        let html = htmlRenderer.head() + htmlRenderer.sections(0..<count) + htmlRenderer.tail()
        let markdown = markdownRenderer.head() + markdownRenderer.sections(0..<count) + markdownRenderer.tail()
        #expect(files.html == Data(html.utf8))
        #expect(files.markdown == Data(markdown.utf8))
        #expect(htmlRenderer.render() == html)
        #expect(markdownRenderer.render() == markdown)
        var htmlFrom = html.startIndex
        var markdownFrom = markdown.startIndex
        for number in 1...count {
            let anchor =
                "<article class=\"account\" id=\"account-\(number)\">\n<div class=\"keep\">\n"
                + "<h3><bdi class=\"name\">Account \(number)</bdi></h3>"
            let section = try #require(html.range(of: anchor, range: htmlFrom..<html.endIndex), "HTML \(number)")
            htmlFrom = section.upperBound
            let heading = "\n### Account \(number)\n"
            let found = try #require(
                markdown.range(of: heading, range: markdownFrom..<markdown.endIndex), "Markdown \(number)")
            markdownFrom = found.upperBound
        }
        #expect(html.components(separatedBy: "<article class=\"account\"").count == count + 1)
        #expect(markdown.components(separatedBy: "\n### Account ").count == count + 1)
    }

    /// `digest.json` is encoded in parts side by side (the digest without its accounts, then the
    /// accounts a range at a time): it must be the bytes of the whole digest encoded at once,
    /// whatever the accounts' names hold, with one account, with many, and with none.
    @Test func theJSONEncodedInPartsIsTheWholeDigestsEncoding() throws {
        let fixture = try DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai)
        var many = fixture
        let count = DigestDocumentParts.accountsPerPart * 2 + 3
        many.accounts = (0..<count).map { number in
            var account = fixture.accounts[number % fixture.accounts.count]
            // A name holding what marks the accounts array when encoded (its line feeds escaped).
            account.name = number == 5 ? "\n  \"accounts\" : [\n\n  ]" : "Account \(number + 1)"
            return account
        }
        var one = fixture
        one.accounts = Array(fixture.accounts.prefix(1))
        var none = fixture
        none.accounts = []
        for digest in [fixture, many, one, none] {
            let files = try DigestFiles(digest: digest)
            #expect(
                files.json == (try DocumentJSONEncoder.encode(digest)) + Data("\n".utf8), "\(digest.accounts.count)")
        }
        var shell = many
        shell.accounts = []
        let encoded = try DocumentJSONEncoder.encode(shell)
        let split = try #require(DigestFiles.emptyAccountsArray(in: encoded))
        #expect(String(decoding: encoded[..<split.before], as: UTF8.self).hasSuffix("\"accounts\" : [\n"))
        #expect(DigestFiles.emptyAccountsArray(in: try DocumentJSONEncoder.encode(many)) == nil)
    }

    @Test func onlyTheGenerationTimeSetsANonReproducibleDigestApart() throws {
        let reproducible = try DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai)
        var stamped = reproducible
        stamped.generatedAt = DigestTestSupport.date("2026-11-30T07:03:12Z")
        let files = try DigestFiles(digest: stamped)
        let markdown = String(decoding: files.markdown, as: UTF8.self)
        #expect(markdown.contains("Generated 2026-11-30 15:03:12 +08:00."))
        let json = String(decoding: files.json, as: UTF8.self)
        #expect(json.contains("\"generated_at\" : \"2026-11-30T07:03:12Z\""))
        let plain = String(decoding: try DigestFiles(digest: reproducible).markdown, as: UTF8.self)
        #expect(markdown.replacingOccurrences(of: "\n\nGenerated 2026-11-30 15:03:12 +08:00.", with: "") == plain)
        #expect(!String(decoding: try DigestFiles(digest: reproducible).json, as: UTF8.self).contains("generated_at"))
    }

    @Test func jsonFollowsTheDocumentedSchema() throws {
        let files = try DigestFiles(digest: try DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai))
        let object = try #require(try JSONSerialization.jsonObject(with: files.json) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "v", "week", "time_zone", "from", "to", "in_progress", "sources", "totals", "days", "lifetimes",
                "accounts",
            ]
        )
        #expect(object["v"] as? Int == 1)
        #expect(object["week"] as? String == "2026-W48")
        #expect(object["from"] as? String == "2026-11-22T16:00:00Z")
        let accounts = try #require(object["accounts"] as? [[String: Any]])
        #expect(Set(accounts[0].keys) == ["account", "name", "platform", "configured", "entries", "coverage"])
        let entries = try #require(accounts[0]["entries"] as? [[String: Any]])
        let deletion = try #require(entries.first)
        #expect(Set(deletion.keys) == ["event", "log", "media", "links", "archived_versions", "evidence_checks"])
        let event = try #require(deletion["event"] as? [String: Any])
        #expect(event["post_id"] as? String == "1002")
        #expect(event["seq"] as? Int == 4)
        let coverage = try #require(accounts[2]["coverage"] as? [String: Any])
        #expect(coverage["share"] as? Double == 0.75)
        #expect(coverage["observed_s"] as? Int == 453_600)
        #expect(files.json.last == UInt8(ascii: "\n"))
    }

    /// The files are written one after the other in ``DigestFiles/all`` order, rendered side by
    /// side or not: a write that fails is the error, the files before it stay written and the
    /// files after it are not written (one temporary file at a time, as when written in turn).
    @Test func aFailedWriteStopsTheFilesAfterItInOrder() throws {
        let folder = try DigestTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let digest = try DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai)
        let week = folder.appendingPathComponent("2026-W48")
        // digest.json cannot be replaced: a folder holding a file is in its place.
        let blocker = week.appendingPathComponent("digest.json", isDirectory: true)
        try FileManager.default.createDirectory(at: blocker, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: blocker.appendingPathComponent("kept"))
        #expect {
            _ = try DigestFiles.write(digest, to: week)
        } throws: { error in
            (error as? StoreError)?.path.hasSuffix("digest.json") == true
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: week.path).sorted()
        #expect(left == ["digest.json", "events.csv"], "\(left)")
        #expect(
            try Data(contentsOf: week.appendingPathComponent("events.csv")) == (try DigestFiles(digest: digest)).csv)
    }

    @Test func filesAreWrittenAtomicallyIntoTheWeeksFolder() throws {
        let folder = try DigestTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let digest = try DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai)
        let week = folder.appendingPathComponent("2026-W48")
        let (files, written) = try DigestFiles.write(digest, to: week)
        #expect(written.map(\.lastPathComponent) == ["events.csv", "digest.json", "digest.md", "digest.html"])
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: week.path).sorted() == [
                "digest.html", "digest.json", "digest.md", "events.csv",
            ]
        )
        // Each file written holds the bytes rendered, which are those `DigestFiles(digest:)` renders.
        let rendered = try DigestFiles(digest: digest)
        #expect(rendered == files)
        for (name, data) in rendered.all {
            #expect(try Data(contentsOf: week.appendingPathComponent(name)) == data, "\(name)")
        }
        // Writing again replaces the files and leaves no temporary file behind.
        _ = try DigestFiles.write(digest, to: week)
        #expect(try FileManager.default.contentsOfDirectory(atPath: week.path).count == 4)
    }
}
