import Foundation
import PalimpsestTestSupport
import Subprocess
import Testing

@testable import PalimpsestCore

/// `digest.html` as a journalist sees it: rendered by headless Chromium at a phone's width (390 CSS
/// px) and a desktop's (1280), in light and dark, and printed to an A4 PDF read back with pdftotext
/// (`Tests/Fixtures/digest/browser_check.py` drives Chromium over the DevTools protocol).
/// `make test` installs Debian's chromium and poppler-utils when missing; without them these tests
/// are skipped with a message, never failed.
@Suite(.serialized) struct DigestBrowserTests {
    /// Whether python3, chromium and pdftotext are on the PATH.
    static let isAvailable: Bool = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        func found(_ name: String) -> Bool {
            path.split(separator: ":").contains {
                FileManager.default.isExecutableFile(atPath: "\($0)/\(name)")
            }
        }
        return found("python3") && (found("chromium") || found("chromium-browser")) && found("pdftotext")
    }()

    /// What the browser reported (see browser_check.py).
    struct Report: Decodable {
        struct Screen: Decodable {
            var width: Int
            var scheme: String
            var scrollWidth: Int
            var overflowing: [String]
            var missing: [String]
            var hidden: [String]
            var brokenWords: [String]
            var lowContrast: [String]
            var smallChartText: [String]
            var textAfterEvidence: [String]
            var backgroundLuminance: Double
        }

        struct Printed: Decodable {
            struct Heading: Decodable {
                /// The heading's text.
                var text: String
                /// The first line of what follows it.
                var next: String
            }

            var pages: Int
            var text: String
            var headings: [Heading]
        }

        var screens: [Screen]
        var print: Printed?
    }

    /// A long-named account whose deleted post holds a long address and a long word, besides the
    /// fixture's three accounts; with `newsrooms`, that many more accounts with two deletions and an
    /// edit each, texts of varied length, so that a printout has many pages and page breaks.
    static func digest(newsrooms: Int = 0) throws -> Digest {
        let ministry = AccountKey(rawValue: "feed:https://www.example.gov.cn/fyrbt/rss.xml")
        var accounts = DigestTestSupport.accounts
        accounts.append(
            Account(
                key: ministry,
                name: "Ministry of Foreign Affairs Spokesperson's Office (外交部发言人办公室)",
                source: .feed(url: URL(string: "https://www.example.gov.cn/fyrbt/rss.xml")!)
            )
        )
        var events: [Event] = []
        func deletion(_ account: AccountKey, _ post: String, at time: String, text: String) -> Event {
            var event = Event(
                id: Event.makeID(account: account, post: post, kind: .deleted, proof: time),
                detectedAt: DigestTestSupport.date(time),
                event: .deleted,
                platform: .feed,
                account: account,
                evidence: [
                    EvidenceReference(
                        path: "accounts/x/evidence/\(post).body",
                        sha256: ContentHash.sha256Hex(post),
                        url: account.rawValue.replacingOccurrences(of: "feed:", with: ""),
                        status: 200,
                        fetchedAt: DigestTestSupport.date(time)
                    )
                ]
            )
            event.postID = post
            event.postKind = .post
            event.url = "https://www.example.gov.cn/fyrbt/\(post).shtml"
            event.reason = .unknown
            event.confirmedBy = .absence
            event.postedAt = DigestTestSupport.date(time).addingTimeInterval(-7_200)
            event.lastSeen = DigestTestSupport.date(time).addingTimeInterval(-1_800)
            event.firstMissing = DigestTestSupport.date(time).addingTimeInterval(-1_200)
            event.lifetime = SecondsInterval(minSeconds: 5_400, maxSeconds: 6_000)
            event.text = text
            return event
        }
        events.append(
            deletion(
                ministry, "t20261124_11234567", at: "2026-11-24T03:00:00Z",
                text: "答记者问全文见 https://www.example.gov.cn/web/fyrbt_673021/jzhsl_673025/202611/"
                    + "t20261124_11234567.shtml?from=timeline&isappinstalled=0 "
                    + "Donaudampfschifffahrtsgesellschaftskapitänswitwe"
            )
        )
        for number in 0..<newsrooms {
            let key = AccountKey(rawValue: "feed:https://newsroom\(number).example.org/feed.xml")
            accounts.append(
                Account(
                    key: key,
                    name: "Newsroom \(number) regional desk",
                    source: .feed(url: URL(string: "https://newsroom\(number).example.org/feed.xml")!)
                )
            )
            let words = String(
                repeating: "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", count: number % 5)
            events.append(
                deletion(
                    key, "n\(number)-a", at: "2026-11-25T0\(number % 10):00:00Z", text: "Deleted \(number)a. \(words)"))
            events.append(
                deletion(key, "n\(number)-b", at: "2026-11-26T0\(number % 10):00:00Z", text: "Deleted \(number)b."))
            var edit = Event(
                id: Event.makeID(account: key, post: "n\(number)-c", kind: .altered, proof: "e\(number)"),
                detectedAt: DigestTestSupport.date("2026-11-27T10:00:00Z"),
                event: .altered,
                platform: .feed,
                account: key
            )
            edit.postID = "n\(number)-c"
            edit.url = "https://newsroom\(number).example.org/c"
            edit.previousText = "Newsroom \(number) first wrote that the dam was safe."
            edit.text = "Newsroom \(number) now writes that the dam was not inspected."
            events.append(edit)
        }
        let builder = DigestBuilder(
            week: ISOWeek("2026-W48")!,
            timeZone: DigestTestSupport.shanghai,
            accounts: accounts,
            now: DigestTestSupport.date("2026-12-01T00:00:00Z"),
            generatedAt: nil
        )
        return builder.build(
            logs: [try DigestTestSupport.log(), DigestLogInput(label: "extra.jsonl", events: events)],
            histories: DigestTestSupport.histories
        )
    }

    /// Writes `digest.html`, runs browser_check.py on it and decodes its report.
    static func render(_ digest: Digest, print: Bool) async throws -> Report {
        // PALIMPSEST_BROWSER_OUT=DIR keeps digest.html and digest.pdf there, to look at them.
        let kept = ProcessInfo.processInfo.environment["PALIMPSEST_BROWSER_OUT"].map { URL(fileURLWithPath: $0) }
        let folder = try kept ?? DigestTestSupport.makeTemporaryDirectory()
        defer { if kept == nil { try? FileManager.default.removeItem(at: folder) } }
        let html = folder.appendingPathComponent("digest.html")
        try Data(HTMLDigestRenderer(digest: digest).render().utf8).write(to: html)
        let expect: [String: [String]] = [
            "names": digest.accounts.map(\.displayName),
            "texts": digest.accounts.flatMap { $0.entries(.deleted).compactMap(\.text) },
        ]
        let expectURL = folder.appendingPathComponent("expect.json")
        try JSONEncoder().encode(expect).write(to: expectURL)
        var arguments = [
            DigestTestSupport.fixtures.appendingPathComponent("browser_check.py").path, "--html", html.path,
            "--expect", expectURL.path,
        ]
        if print { arguments += ["--pdf", folder.appendingPathComponent("digest.pdf").path] }
        let result = try await Subprocess.run(
            .name("python3"),
            arguments: Arguments(arguments),
            output: .string(limit: 1 << 26),
            error: .string(limit: 1 << 20)
        )
        guard result.terminationStatus == .exited(0) else {
            throw DigestError("browser_check.py failed (\(result.terminationStatus))", advice: result.standardError)
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Report.self, from: Data(result.standardOutput.utf8))
    }

    @Test(
        .enabled(
            if: DigestBrowserTests.isAvailable,
            "SKIPPED: needs python3, chromium and pdftotext (`make test` installs Debian's chromium and poppler-utils)"
        )
    )
    func digestFitsAPhoneAndADesktopInLightAndDark() async throws {
        let report = try await Self.render(try Self.digest(), print: false)
        #expect(
            report.screens.map { "\($0.width) \($0.scheme)" } == ["390 light", "390 dark", "1280 light", "1280 dark"])
        for screen in report.screens {
            let screenSize = "at \(screen.width) px, \(screen.scheme)"
            #expect(screen.scrollWidth <= screen.width, "the page scrolls sideways \(screenSize)")
            #expect(screen.overflowing.isEmpty, "wider than the viewport \(screenSize): \(screen.overflowing)")
            #expect(screen.missing.isEmpty, "not shown \(screenSize): \(screen.missing)")
            #expect(screen.hidden.isEmpty, "hidden or cut off \(screenSize): \(screen.hidden)")
            #expect(screen.brokenWords.isEmpty, "names broken mid-word \(screenSize): \(screen.brokenWords)")
            #expect(screen.lowContrast.isEmpty, "unreadable colours \(screenSize): \(screen.lowContrast)")
            #expect(
                screen.smallChartText.isEmpty, "chart labels too small or cut \(screenSize): \(screen.smallChartText)")
            #expect(
                screen.textAfterEvidence.isEmpty,
                "post text after its evidence \(screenSize): \(screen.textAfterEvidence)")
            if screen.scheme == "dark" {
                #expect(screen.backgroundLuminance < 0.1, "not dark \(screenSize)")
            } else {
                #expect(screen.backgroundLuminance > 0.8, "not light \(screenSize)")
            }
        }
    }

    @Test(
        .enabled(
            if: DigestBrowserTests.isAvailable,
            "SKIPPED: needs python3, chromium and pdftotext (`make test` installs Debian's chromium and poppler-utils)"
        )
    )
    func digestPrintsEditedTextsInFullLinksOnceAndHeadingsWithTheirContent() async throws {
        let digest = try Self.digest(newsrooms: 12)
        let report = try await Self.render(digest, print: true)
        let printed = try #require(report.print)
        let entries = digest.accounts.reduce(0) { $0 + $1.entries.filter { $0.event.event != .blind }.count }
        // About three entries a page; never a page per entry or worse.
        #expect(printed.pages >= 2 && printed.pages <= entries / 2, "\(printed.pages) pages for \(entries) entries")

        let flat = printed.text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for entry in digest.accounts.flatMap({ $0.entries(.altered) }) {
            for text in [entry.event.previousText, entry.event.text].compactMap({ $0 }) {
                #expect(flat.contains(text), "the edited post's full text is not printed: \(text)")
            }
        }
        let unbroken = printed.text.filter { !$0.isWhitespace }
        for url in digest.accounts.flatMap({ $0.entries }).compactMap(\.event.url) {
            #expect(unbroken.contains(url))
            #expect(!unbroken.contains("(\(url))"), "the address of \(url) is printed twice")
        }

        // No page ends with a heading whose content starts the next page.
        let pages = printed.text.components(separatedBy: "\u{0C}").dropLast().map { page in
            page.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        func start(_ text: String) -> String { String(text.filter { !$0.isWhitespace }.prefix(12)) }
        for number in pages.indices.dropLast() {
            guard let last = pages[number].last, let next = pages[number + 1].first else { continue }
            let orphan = printed.headings.first { heading in
                (heading.text == last || (heading.text.hasSuffix(last) && last.count >= 4))
                    && !heading.next.isEmpty && start(next) == start(heading.next)
            }
            #expect(orphan == nil, "page \(number + 1) ends with the heading \(orphan?.text ?? "")")
        }
    }
}
