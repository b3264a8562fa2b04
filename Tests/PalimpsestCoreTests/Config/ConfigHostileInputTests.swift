import Foundation
import Testing

@testable import PalimpsestCore

/// Configs a user can get wrong in ways that once crashed the reader or slipped through it: each
/// is refused with a message naming the key and what to write, and none stops the process.
@Suite struct ConfigHostileInputTests {
    /// The problems `parse` reports for `text`.
    static func problems(_ text: String) -> [ConfigError] { configProblems(text) }

    static let feed = """
        [[account]]
        platform = "feed"
        url = "https://example.org/feed.xml"
        """

    @Test(arguments: [
        "interval = inf", "interval = nan", "interval = -inf", "timeout = inf",
        "interval = 9223372036854775807", "confirm_min_age = 9223372036854775", "timeout = 9223372036854775807",
        #"timeout = "9223372036854775807ms""#, #"stale_tolerance = "106751991167d""#, "interval = 1e300",
    ])
    func anInfiniteOrHugeDurationIsAnErrorNotACrash(_ line: String) throws {
        let errors = Self.problems("[daemon]\n\(line)\n")
        let key = String(line.prefix { $0 != " " })
        #expect(errors.map(\.key) == ["daemon.\(key)"], "\(errors)")
    }

    @Test func aWholeFloatingPointDurationSaysHowToWriteIt() throws {
        let errors = Self.problems("[daemon]\ninterval = 600.0\n")
        let message = try #require(errors.first?.message)
        #expect(message.contains(#"write it without the decimal point, as 600 or "10m""#), "\(message)")
    }

    @Test(arguments: [#"url = "https://example.org/f\u0000tail""#, #"url = "https://example.org/f\U00000000""#])
    func anEscapedNULIsRefusedWhereItIsWritten(_ line: String) throws {
        let errors = Self.problems("[[account]]\nplatform = \"feed\"\n\(line)\n")
        let error = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(error.line == 3)
        #expect(error.message.contains("NUL"))
    }

    /// A NUL byte is refused wherever it is (before a combining mark or a joiner too), and its line
    /// is counted in a CRLF file as in an LF one (a count by character took CRLF, one character,
    /// for no line break and named line 1).
    @Test(arguments: ["\0", "\0\u{301}", "\0\u{200D}"])
    func aNULCharacterIsRefusedWhereverItIs(_ nul: String) throws {
        for newline in ["\n", "\r\n"] {
            let text = ["[[account]]", "platform = \"feed\"", "name = \"a\(nul)b\"", "url = \"https://example.org/f\""]
                .joined(separator: newline)
            let errors = Self.problems(text)
            let error = try #require(errors.first)
            #expect(errors.count == 1)
            #expect(error.line == 3, "\(newline.debugDescription): \(error)")
            #expect(error.message == "the file contains a NUL character; is it really TOML?")
        }
    }

    /// The quick scan for an escaped NUL finds what the exact search finds.
    @Test func theScanForAnEscapedNULFindsEveryOne() {
        for text in [#"\u0000"#, #"a\U00000000b"#, #"x = "\u0000""#, #"\U0000"#] {
            #expect(ConfigLoader.mayEscapeNUL(text), "\(text)")
        }
        for text in ["", #"\u000"#, #"\u0001"#, #"u0000"#, #"\x0000"#, "\\\n0000"] {
            #expect(!ConfigLoader.mayEscapeNUL(text), "\(text)")
        }
    }

    @Test func aWatchedPageWithAnEmptyURLListIsRefused() {
        let errors = Self.problems("[[account]]\nplatform = \"url\"\nurls = []\n")
        #expect(errors.map(\.key) == ["account.urls"])
        #expect(errors.first?.message.hasPrefix("expected a non-empty list of http(s) URLs") == true)
    }

    @Test func headersOfTheWrongTypeAreExplainedInOneSentence() throws {
        let errors = Self.problems(Self.feed + "\nheaders = \"Cookie: x\"\n")
        let message = try #require(errors.first?.message)
        #expect(!message.contains(",,"))
        #expect(message.hasPrefix("expected a table of header names to strings, e.g. `headers = {"))
    }

    @Test(arguments: [
        #"[[account]]\#nplatform = "feed"\#nurl = "https://example.org:99999/feed.xml""#,
        #"[[account]]\#nplatform = "mastodon"\#ninstance = "https://example.social:0"\#nacct = "user""#,
        #"[daemon]\#nproxy = "http://proxy.example:70000""#,
    ])
    func aPortOutsideOneTo65535IsRefused(_ text: String) throws {
        let errors = Self.problems(text + "\n")
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("is not from 1 to 65535") == true, "\(errors)")
    }

    @Test func aFeedOutPathEndingInJSONIsRefused() {
        let errors = Self.problems("[feed_out]\npath = \"/var/lib/palimpsest/public/deletions.json\"\n")
        #expect(errors.map(\.key) == ["feed_out.path"])
    }

    @Test func aNumberWhereAStringIsExpectedSaysToQuoteIt() throws {
        let errors = Self.problems("[[account]]\nplatform = \"weibo\"\nuid = 2803301701\n")
        let message = try #require(errors.first?.message)
        #expect(message.hasSuffix(#"(write it in quotes: "2803301701")"#), "\(message)")
    }

    @Test(arguments: ["did:plc:", "did:foo:bar", "did:plc"])
    func aMalformedBlueskyDIDIsRefused(_ actor: String) {
        let errors = Self.problems("[[account]]\nplatform = \"bluesky\"\nactor = \"\(actor)\"\n")
        #expect(errors.map(\.key) == ["account.actor"])
    }

    @Test func aWellFormedBlueskyDIDIsAccepted() {
        #expect(
            Self.problems("[[account]]\nplatform = \"bluesky\"\nactor = \"did:plc:z72i7hdynmk6r22z27h6tvur\"\n").isEmpty
        )
    }

    @Test func aKeyOfOtherPlatformsNamesEveryPlatformThatTakesIt() throws {
        let errors = Self.problems(
            "[[account]]\nplatform = \"mastodon\"\ninstance = \"https://example.social\"\nacct = \"u\"\npages = 2\n")
        let message = try #require(errors.first?.message)
        #expect(message.hasPrefix("`pages` belongs to platforms "), "\(message)")
        for platform in ["weibo", "bluesky", "telegram"] {
            #expect(message.contains("\"\(platform)\""), "\(message)")
        }
    }

    @Test func aOneLetterUnknownKeyGetsNoSuggestion() throws {
        let errors = Self.problems("[evidence]\nx = 1\n")
        let message = try #require(errors.first?.message)
        #expect(!message.contains("did you mean"), "\(message)")
    }

    @Test func anExtraLogPathWithATildeSaysItIsNotExpanded() throws {
        let errors = Self.problems("[digest]\nlogs = [\"~/other/deletions.jsonl\"]\n")
        #expect(errors.first?.message.contains("`~` is not expanded") == true, "\(errors)")
    }

    @Test func anEmailAlertWithAnEmptyRecipientListIsRefused() {
        let text = """
            [[alert]]
            type = "email"
            to = []

            [digest.smtp]
            url = "smtp://mail.example.org"
            from = "digest@example.org"
            to = ["desk@example.org"]

            """
        #expect(Self.problems(text).map(\.key) == ["alert.to"])
    }

    @Test func aTableWrittenAsAnArrayOfTablesIsPlacedOnItsHeader() throws {
        let errors = Self.problems("# comment\n[[daemon]]\ninterval = \"10m\"\n")
        let error = try #require(errors.first)
        #expect(error.key == "daemon")
        #expect(error.line == 2)
    }

    @Test func aSinkProblemNamesTheSink() throws {
        let text = """
            [[alert]]
            type = "webhook"
            url = "https://example.org/hook"
            secret_file = "/etc/palimpsest/hook.secret"

            [[alert]]
            type = "webhook"
            name = "desk"
            url = "https://example.org/hook"
            secret_file = "/etc/palimpsest/hook.secret"
            timeout = "1d"

            """
        let error = try #require(Self.problems(text).first)
        #expect(error.sinkIndex == 2)
        #expect(
            error.description.contains(#"palimpsest.toml:11:1: sink #2 ("desk"): key `timeout`: expected"#), "\(error)")
    }

    /// A filter list of a sink or of the public feeds that lists nothing would let no event
    /// through: a sink that never sends, without a word. Refused, saying so.
    @Test(arguments: ["events", "reasons", "accounts", "platforms"])
    func anEmptyFilterListOfASinkIsRefused(_ key: String) throws {
        let text = "[[alert]]\ntype = \"apprise\"\nurls = [\"ntfy://ntfy.sh/desk\"]\n\(key) = []\n"
        let errors = Self.problems(text)
        let error = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(error.key == "alert.\(key)")
        #expect(error.line == 4)
        #expect(error.message.contains("an empty list lets no event through, so this sink would never send"))
    }

    @Test func anEmptyEventListOfThePublicFeedsIsRefused() throws {
        let errors = Self.problems("[feed_out]\npath = \"/tmp/deletions.atom\"\nevents = []\n")
        #expect(errors.map(\.key) == ["feed_out.events"])
        #expect(errors.first?.message.contains("the feeds would never list anything") == true, "\(errors)")
    }

    @Test(arguments: ["not a url", "ntfy:/ntfy.sh/topic", "://host", "json://", "9x://a", "ntfy://ntfy.sh/a b"])
    func anAppriseURLWithoutASchemeIsRefused(_ url: String) throws {
        let errors = Self.problems("[[alert]]\ntype = \"apprise\"\nurls = [\"ntfy://ntfy.sh/ok\", \"\(url)\"]\n")
        #expect(errors.map(\.key) == ["alert.urls"], "\(url): \(errors)")
        let message = try #require(errors.first?.message)
        #expect(message.contains("expected Apprise URLs"))
        #expect(message.contains("URL 2 of the list is not one"))
        #expect(!message.contains(url), "an Apprise URL holds a token: never echoed")
    }

    @Test(arguments: [
        "tgram://123:ABC/456", "ntfy://ntfy.sh/topic", "mailtos://user:pass@example.org", "json+x.y-z://h",
    ])
    func aWellFormedAppriseURLIsAccepted(_ url: String) {
        #expect(Self.problems("[[alert]]\ntype = \"apprise\"\nurls = [\"\(url)\"]\n").isEmpty)
    }

    @Test(arguments: [
        "smtp://mail.example.org:0", "smtp://mail.example.org:70000", "smtps://mail.example.org/inbox",
        "smtp://mail.example.org?x=1",
    ])
    func anSMTPURLWithAPortOutOfRangeOrAPathIsRefused(_ url: String) throws {
        let text = "[digest.smtp]\nurl = \"\(url)\"\nfrom = \"digest@example.org\"\nto = [\"desk@example.org\"]\n"
        #expect(Self.problems(text).map(\.key) == ["digest.smtp.url"], "\(url)")
        let fine = text.replacingOccurrences(of: url, with: "smtp://mail.example.org:587")
        #expect(Self.problems(fine).isEmpty)
    }

    @Test(arguments: ["/var/lib/palimpsest", "/var/lib/palimpsest/.", "/var/lib/../lib/palimpsest"])
    func aDeletionLogThatIsTheStateFolderIsRefused(_ log: String) throws {
        let errors = Self.problems("[daemon]\nstate_dir = \"/var/lib/palimpsest\"\ndeletion_log = \"\(log)\"\n")
        let error = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(error.key == "daemon.deletion_log")
        #expect(error.message.contains("/var/lib/palimpsest/deletions.jsonl"), "\(error)")
    }

    @Test func anUnknownDottedTableHeaderIsPlacedOnItsLine() throws {
        let error = try #require(Self.problems("[daemon]\ninterval = \"10m\"\n\n[foo.bar]\nx = 1\n").first)
        #expect(error.key == "foo")
        #expect(error.line == 4, "\(error)")
    }

    @Test(arguments: ["-1", #""-8MiB""#])
    func aNegativeSizeGetsOneMessageHoweverWritten(_ value: String) throws {
        let error = try #require(Self.problems("[daemon]\nmax_body_size = \(value)\n").first)
        #expect(error.message.hasPrefix("a size cannot be negative"), "\(error)")
    }

    @Test func aSizeWithAnUnknownUnitListsTheUnits() throws {
        let error = try #require(Self.problems("[daemon]\nmax_body_size = \"8 furlongs\"\n").first)
        #expect(error.message.contains("units: B, KiB, MiB, GiB, kB, MB, GB"), "\(error)")
    }

    @Test func aURLListedTwiceInOneURLsListIsPlacedOnTheList() throws {
        let text = "[[account]]\nplatform = \"url\"\nurls = [\"https://a.example/x\", \"https://a.example/x\"]\n"
        let errors = Self.problems(text)
        let error = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(error.key == "account.urls")
        #expect(error.line == 3)
        #expect(error.message.contains("`urls` lists the same page twice"), "\(error)")
    }

    @Test func aSinkWhoseDefaultNameIsTakenSaysSo() throws {
        let text = """
            [[alert]]
            type = "apprise"
            name = "apprise-2"
            urls = ["ntfy://ntfy.sh/a"]

            [[alert]]
            type = "apprise"
            urls = ["ntfy://ntfy.sh/b"]

            """
        let error = try #require(Self.problems(text).first)
        #expect(error.sinkIndex == 2)
        #expect(error.message.contains(#"this sink's default name "apprise-2" is the name sink #1 was given"#))
    }

    /// Each way to get a tombstone wrong gets its own message (they all read "each tombstone is
    /// { contains = …, reason = … }, found a table", whatever was wrong).
    @Test(arguments: [
        (#"{ contains = "gone" }"#, "tombstone 1: missing `reason`"),
        (#"{ reason = "censored" }"#, "tombstone 1: missing `contains`"),
        (#"{ contians = "gone", reason = "censored" }"#, "unknown key `contians` (did you mean `contains`?)"),
        (#"{ contains = "", reason = "censored" }"#, "`contains` is empty"),
        (#"{ contains = 5, reason = "censored" }"#, "`contains` must be a string"),
        (#"{ contains = "x", reason = "censored" }, { contains = "y", reason = 1 }"#, "tombstone 2: expected `reason`"),
    ])
    func eachTombstoneProblemHasItsOwnMessage(_ tombstones: String, _ expected: String) throws {
        let text = "[[account]]\nplatform = \"url\"\nurl = \"https://a.example/f\"\ntombstones = [\(tombstones)]\n"
        let errors = Self.problems(text)
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.message.contains(expected) == true, "\(errors)")
    }

    /// A key or table name of 30,000 dotted parts overflowed toml++'s stack (a segmentation fault
    /// of `check-config`, and of a daemon reloading the file); refused before it is parsed.
    @Test(arguments: [
        "[" + Array(repeating: "a", count: 30_000).joined(separator: ".") + "]\n",
        "x = 1\n" + Array(repeating: "a", count: 30_000).joined(separator: ".") + " = 1\n",
    ])
    func aKeyOfThousandsOfDottedPartsIsRefusedNotACrash(_ text: String) throws {
        let errors = Self.problems(text)
        #expect(errors.count == 1)
        #expect(errors.first?.line == (text.hasPrefix("[") ? 1 : 2))
        #expect(errors.first?.message.contains("more than 256 dotted parts") == true, "\(errors)")
    }

    @Test func dotsInValuesAndQuotedKeysDoNotCount() {
        let dots = String(repeating: ".", count: 1_000)
        let text = "[daemon]\nuser_agent = \"a\(dots)b\"\n# \(dots)\n"
        #expect(Self.problems(text).isEmpty)
        #expect(ConfigLoader.lineWithTooManyKeyParts("\"\(dots)\" = 1\n") == nil)
    }
}
