import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// A tampered deletion log is announced at the top of the digest, with its lines, and the entries
/// read from those lines are marked: a journalist must not take a changed line for evidence.
@Suite struct DigestChainWarningTests {
    /// The fixture log with `change` applied to its lines, read as the digest reads it.
    static func digest(tampering change: (inout [String]) -> Void) throws -> Digest {
        let folder = try DigestTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var lines = try String(contentsOf: DigestTestSupport.logURL, encoding: .utf8)
            .split(separator: "\n").map(String.init)
        change(&lines)
        let url = folder.appendingPathComponent("deletions.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        let builder = DigestBuilder(
            week: ISOWeek("2026-W48")!,
            timeZone: DigestTestSupport.shanghai,
            accounts: DigestTestSupport.accounts,
            now: DigestTestSupport.date("2026-12-01T00:00:00Z"),
            generatedAt: nil
        )
        let log = try DigestLoader.readLog(at: url, label: "deletions.jsonl")
        return builder.build(logs: [log], histories: DigestTestSupport.histories)
    }

    /// The text of `markdown` from the line starting with `start` up to the next `**Post ` headline.
    static func section(of markdown: String, from start: String) -> Substring {
        guard let range = markdown.range(of: start) else { return "" }
        let rest = markdown[range.lowerBound...]
        let end = rest.dropFirst(start.count).range(of: "**Post ")?.lowerBound ?? rest.endIndex
        return rest[..<end]
    }

    @Test func aChangedLineIsAnnouncedAtTheTopAndItsEntriesAreMarked() throws {
        // The intact log: no warning, no mark.
        let intact = try Self.digest { _ in }
        #expect(intact.sources.first?.chainBreaks.isEmpty == true)
        #expect(intact.accounts.flatMap(\.entries).allSatisfy { $0.chainProblem == nil })
        #expect(!MarkdownDigestRenderer(digest: intact).render().contains("hash chain of the deletion log is broken"))
        #expect(!HTMLDigestRenderer(digest: intact).render().contains("Hash chain broken here"))

        // Line 6 (the deletion of news post a/2) is edited after it was written: the chain breaks
        // at line 7 (the restore of 1002), whose prev no longer matches.
        let digest = try Self.digest { lines in
            lines[5] = lines[5].replacingOccurrences(of: "is not a formula here", with: "was never posted")
        }
        let source = try #require(digest.sources.first)
        #expect(source.chainProblems == 1)
        let chainBreak = try #require(source.chainBreaks.first)
        #expect(chainBreak.line == 7)
        #expect(chainBreak.kind == "broken_chain")
        #expect(chainBreak.suspects.map(\.line) == [6, 7])

        let entries = digest.accounts.flatMap(\.entries)
        let marked = entries.filter { $0.chainProblem != nil }
        #expect(Set(marked.map { $0.event.seq ?? 0 }) == [6, 7])
        #expect(marked.first { $0.event.seq == 6 }?.chainProblem?.line == 6)
        #expect(marked.first { $0.event.seq == 7 }?.chainProblem?.line == 7)

        // Markdown: the warning comes before the summary and names the lines.
        let markdown = MarkdownDigestRenderer(digest: digest).render()
        let warning = try #require(markdown.range(of: "> **Warning: the hash chain of the deletion log is broken.**"))
        let summary = try #require(markdown.range(of: "## Summary"))
        #expect(warning.lowerBound < summary.lowerBound)
        #expect(markdown.contains("> - **deletions.jsonl, lines 6 and 7**: line 7, `broken_chain`: prev is "))
        let changed = Self.section(of: markdown, from: "**Post `https://news.example.org/a/2`**")
        #expect(
            changed.contains("**Hash chain broken here** (deletions.jsonl line 6): the hash chain breaks right after"))
        #expect(changed.contains("was never posted"))
        let restored = Self.section(of: markdown, from: "**Post `1002`**: visible again")
        #expect(restored.contains("**Hash chain broken here** (deletions.jsonl line 7): the hash chain breaks at this"))
        let untouched = Self.section(of: markdown, from: "**Post `1002`**: deleted")
        #expect(!untouched.contains("Hash chain broken here"))

        // HTML: the warning is in the header, before the summary; the two entries are marked.
        let html = HTMLDigestRenderer(digest: digest).render()
        let alert = try #require(html.range(of: "<div class=\"alert\" id=\"chain-warning\" role=\"alert\">"))
        let summarySection = try #require(html.range(of: "<section id=\"summary\">"))
        #expect(alert.lowerBound < summarySection.lowerBound)
        #expect(html.contains("<strong>deletions.jsonl, lines 6 and 7</strong>: line 7, <code>broken_chain</code>"))
        #expect(html.components(separatedBy: "<div class=\"entry deleted suspect\">").count == 2)
        #expect(html.components(separatedBy: "<div class=\"entry restored suspect\">").count == 2)
        let mark = "<p class=\"chain-mark\"><strong>Hash chain broken here</strong>"
        #expect(html.components(separatedBy: mark).count == 3)

        // digest.json carries the break and the marks.
        let json = String(decoding: try DigestFiles(digest: digest).json, as: UTF8.self)
        #expect(json.contains("\"chain_breaks\" : ["))
        #expect(json.contains("\"chain_problem\" : {"))
    }

    @Test func aRemovedLineIsAnnouncedWithTheLinesAroundTheGap() throws {
        // Line 5 (the edit of news post a/1) is removed: the old line 6, now line 5, no longer chains
        // from line 4 and its seq jumps.
        let digest = try Self.digest { lines in lines.remove(at: 4) }
        let source = try #require(digest.sources.first)
        #expect(source.chainBreaks.map(\.kind) == ["broken_chain", "sequence_gap"])
        #expect(source.chainBreaks.first?.suspects.map(\.line) == [4, 5])
        let markdown = MarkdownDigestRenderer(digest: digest).render()
        #expect(markdown.contains("> - **deletions.jsonl, lines 4 and 5**: line 5, `broken_chain`"))
        #expect(markdown.contains("> - **deletions.jsonl, line 5**: line 5, `sequence_gap`: seq is 6, expected 5"))
        let moved = Self.section(of: markdown, from: "**Post `https://news.example.org/a/2`**")
        #expect(moved.contains("Hash chain broken here"))
    }
}
