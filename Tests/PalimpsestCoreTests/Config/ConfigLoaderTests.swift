import Foundation
import Testing

@testable import PalimpsestCore

/// The file every parsed snippet pretends to come from.
private let file = URL(fileURLWithPath: "/etc/palimpsest/palimpsest.toml")

/// The problems `parse` reports for `text`, or `[]` when it is valid.
private func problems(_ text: String, file: URL = file) -> [ConfigError] {
    configProblems(text, file: file)
}

/// The one problem `parse` reports for `text` (fails the test when there are more or none).
private func problem(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ConfigError {
    let found = problems(text)
    #expect(found.count == 1, "\(found)", sourceLocation: sourceLocation)
    return try #require(found.first, sourceLocation: sourceLocation)
}

@Suite struct ConfigLoaderTests {
    // MARK: Defaults

    @Test func anEmptyFileGivesEveryDefault() throws {
        let config = try ConfigLoader.parse("", file: file)
        let daemon = config.daemon
        #expect(daemon == DaemonSettings())
        #expect(daemon.stateDirectory.path == "/var/lib/palimpsest")
        #expect(daemon.deletionLog.path == "/var/lib/palimpsest/deletions.jsonl")
        #expect(daemon.interval == 600)
        #expect(daemon.jitter == 0.1)
        #expect(daemon.concurrency == 64)
        #expect(daemon.perHostConcurrency == 4)
        #expect(daemon.timeout == 30)
        #expect(daemon.connectTimeout == 10)
        #expect(daemon.userAgent == "Palimpsest/0.1.0 (deletion monitor)")
        #expect(daemon.proxy == nil)
        #expect(daemon.maxBodyBytes == 8_388_608)
        #expect(daemon.confirmPolls == 2)
        #expect(daemon.confirmMinAge == 1_200)
        #expect(daemon.snapshotRetention == 10)
        #expect(config.accounts.isEmpty)
        #expect(config.file.path == "/etc/palimpsest/palimpsest.toml")
    }

    @Test func everyDaemonKeyIsRead() throws {
        let config = try ConfigLoader.parse(
            """
            [daemon]
            state_dir = "/srv/palimpsest"
            deletion_log = "/var/log/palimpsest/deletions.jsonl"
            interval = "1h30m"
            jitter = 0
            concurrency = 8
            per_host_concurrency = 2
            timeout = 45
            connect_timeout = "5s"
            user_agent = "Test/1.0"
            proxy = "socks5h://127.0.0.1:9050"
            max_body_size = "512KiB"
            confirm_polls = 3
            confirm_min_age = "1h"
            snapshot_retention = 4
            """,
            file: file
        )
        let daemon = config.daemon
        #expect(daemon.stateDirectory.path == "/srv/palimpsest")
        #expect(daemon.deletionLog.path == "/var/log/palimpsest/deletions.jsonl")
        #expect(daemon.interval == 5_400)
        #expect(daemon.jitter == 0)
        #expect(daemon.concurrency == 8)
        #expect(daemon.perHostConcurrency == 2)
        #expect(daemon.timeout == 45)
        #expect(daemon.connectTimeout == 5)
        #expect(daemon.userAgent == "Test/1.0")
        #expect(daemon.proxy == "socks5h://127.0.0.1:9050")
        #expect(daemon.maxBodyBytes == 524_288)
        #expect(daemon.confirmPolls == 3)
        #expect(daemon.confirmMinAge == 3_600)
        #expect(daemon.snapshotRetention == 4)
    }

    @Test func relativePathsResolveAgainstTheConfigFilesFolder() throws {
        let config = try ConfigLoader.parse(
            """
            [daemon]
            state_dir = "state"
            """,
            file: URL(fileURLWithPath: "/srv/pal/conf/palimpsest.toml")
        )
        #expect(config.daemon.stateDirectory.path == "/srv/pal/conf/state")
        // The log follows state_dir when it is not set.
        #expect(config.daemon.deletionLog.path == "/srv/pal/conf/state/deletions.jsonl")

        let other = try ConfigLoader.parse(
            """
            [daemon]
            state_dir = "../data/./state"
            deletion_log = "logs/deletions.jsonl"
            """,
            file: URL(fileURLWithPath: "/srv/pal/conf/palimpsest.toml")
        )
        #expect(other.daemon.stateDirectory.path == "/srv/pal/data/state")
        #expect(other.daemon.deletionLog.path == "/srv/pal/conf/logs/deletions.jsonl")
    }

    @Test func accountsInheritTheDaemonIntervalAndKeepTheirOverrides() throws {
        let config = try ConfigLoader.parse(
            """
            [daemon]
            interval = "20m"
            proxy = "http://proxy.example:3128"

            [[account]]
            platform = "feed"
            url = "https://example.org/feed.xml"

            [[account]]
            platform = "mastodon"
            name = "Gargron"
            instance = "https://mastodon.social/"
            acct = "@Gargron"
            interval = 90
            proxy = ""
            headers = { Authorization = "Bearer secret" }
            """,
            file: file
        )
        #expect(config.accounts.count == 2)
        let feed = config.accounts[0]
        #expect(feed.key.rawValue == "feed:https://example.org/feed.xml")
        #expect(feed.source == .feed(url: URL(string: "https://example.org/feed.xml")!))
        #expect(feed.name == nil)
        #expect(feed.interval == 1_200)
        #expect(feed.proxy == nil)
        #expect(config.effectiveProxy(for: feed) == "http://proxy.example:3128")
        #expect(feed.headers.isEmpty)

        let mastodon = config.accounts[1]
        #expect(mastodon.key.rawValue == "mastodon:@gargron@mastodon.social")
        // The trailing slash is dropped so adapters can append `/api/v1/…`; the `@` is dropped from acct.
        #expect(mastodon.source == .mastodon(instance: URL(string: "https://mastodon.social")!, acct: "Gargron"))
        #expect(mastodon.name == "Gargron")
        #expect(mastodon.interval == 90)
        #expect(mastodon.proxy == "")
        #expect(config.effectiveProxy(for: mastodon) == nil)
        #expect(mastodon.headers == ["Authorization": "Bearer secret"])
        #expect(config.account(withKey: AccountKey(rawValue: "mastodon:@gargron@mastodon.social")) == mastodon)
    }

    @Test func theExampleConfigParsesWithEveryKey() throws {
        let example = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Config
            .deletingLastPathComponent()  // PalimpsestCoreTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // repository root
            .appendingPathComponent("Config/palimpsest.toml")
        let config = try ConfigLoader.load(from: example)
        #expect(
            config.accounts.map(\.key.rawValue) == [
                "feed:https://rsshub.app/twitter/user/ArknightsStaff",
                "feed:https://github.com/swiftlang/swift/releases.atom",
                "mastodon:@mastodon@mastodon.social",
                "weibo:2803301701",
                "bluesky:bsky.app",
                "telegram:topwar_official",
                "url:https://mp.weixin.qq.com/s?__biz=MjM5OTU4Nzc0Mg==&mid=2658636581&idx=1&sn=1539bbb6d8697096532dbda1c2959b1c",
                "url:https://www.example.gov.cn/news/2026-08/01/content_1.htm",
            ]
        )
        #expect(config.accounts[0].interval == 300)
        #expect(config.accounts[0].proxy == "socks5h://127.0.0.1:9050")
        #expect(config.accounts[1].interval == 600)
        #expect(config.accounts[2].headers.keys.sorted() == ["Accept-Language", "From"])

        // Every key the loader accepts appears in the example.
        let text = try String(contentsOf: example, encoding: .utf8)
        let platformKeys = PlatformSources.all.flatMap { $0.keys.names }
        // `[digest] logs` is shown commented out: a pattern matching no file is an error when
        // the digest runs; `smtp` is the `[digest.smtp]` table.
        let digestKeys = ConfigSections.digest.names.filter { $0 != "logs" && $0 != "smtp" }
        for key in ConfigSections.daemon.names + ConfigSections.account.names + platformKeys + digestKeys
            + ConfigSections.smtp.names
        {
            #expect(text.contains("\n\(key) = "), "Config/palimpsest.toml does not use `\(key)`")
        }
        #expect(text.contains("\n# logs = "))
        #expect(config.digest.entriesInFull == 1_000)
        #expect(config.digest.smtp?.maxAttachmentBytes == 10 << 20)
    }

    // MARK: Errors: each names the file, the place, the key and the expectation

    @Test func anUnknownDaemonKeyIsNamedWithASuggestionAndTheAcceptedKeys() throws {
        let error = try problem(
            """
            [daemon]
            interval = "10m"
            intervall = "5m"
            """
        )
        #expect(error.file == "/etc/palimpsest/palimpsest.toml")
        #expect(error.line == 3)
        #expect(error.column == 1)
        #expect(error.key == "daemon.intervall")
        #expect(error.accountIndex == nil)
        #expect(
            error.description
                == "/etc/palimpsest/palimpsest.toml:3:1: key `daemon.intervall`: unknown key (did you mean `interval`?); "
                + "accepted [daemon] keys: `state_dir`, `deletion_log`, `interval`, `jitter`, `concurrency`, "
                + "`per_host_concurrency`, `timeout`, `connect_timeout`, `user_agent`, `proxy`, `max_body_size`, "
                + "`confirm_polls`, `confirm_min_age`, `probe_attempts`, `stale_tolerance`, `snapshot_retention`, `shard`, `metrics_listen`, "
                + "`max_items`, `event_text_limit`"
        )
    }

    @Test func anUnknownTopLevelTableIsAnError() throws {
        let error = try problem(
            """
            [daemon]

            [report]
            day = "monday"
            """
        )
        #expect(error.line == 3)
        #expect(error.key == "report")
        #expect(
            error.message
                == "unknown key; accepted top-level tables: `daemon`, `account`, `digest`, `alert`, `alarms`, `feed_out`, `evidence`"
        )
    }

    @Test func anUnknownAccountKeyNamesTheAccountIndexAndName() throws {
        let error = try problem(
            """
            [[account]]
            platform = "feed"
            url = "https://example.org/a.xml"

            [[account]]
            platform = "feed"
            name = "Xinhua"
            url = "https://example.org/b.xml"
            cookie = "x"
            """
        )
        #expect(error.line == 9)
        #expect(error.accountIndex == 2)
        #expect(error.accountName == "Xinhua")
        #expect(error.key == "account.cookie")
        #expect(
            error.description
                == #"/etc/palimpsest/palimpsest.toml:9:1: account #2 ("Xinhua"): key `cookie`: unknown key; "#
                + "accepted account keys: `platform`, `name`, `interval`, `proxy`, `headers`, `max_items`, `url`"
        )
    }

    @Test func aKeyOfAnotherPlatformSaysWhichPlatformItBelongsTo() throws {
        let error = try problem(
            """
            [[account]]
            platform = "feed"
            url = "https://example.org/a.xml"
            acct = "someone"
            """
        )
        #expect(error.key == "account.acct")
        #expect(error.line == 4)
        #expect(
            error.message
                == #"`acct` belongs to platform "mastodon", not "feed"; a "feed" account accepts "#
                + "`platform`, `name`, `interval`, `proxy`, `headers`, `max_items`, `url`"
        )
    }

    @Test func aWrongTypeNamesTheExpectedAndFoundTypes() throws {
        let error = try problem(
            """
            [daemon]
            concurrency = "64"
            """
        )
        #expect(error.key == "daemon.concurrency")
        #expect(error.line == 2)
        #expect(error.message == #"expected an integer, found a string ("64")"#)

        let duration = try problem(
            """
            [daemon]
            timeout = 1.5
            """
        )
        #expect(
            duration.message
                == #"expected a duration such as "90s", "10m", "1h30m", "2d" or "500ms", or a whole number of seconds, "#
                + #"found a floating-point number (1.5); fractions are not accepted: write "1.5" as "1s500ms" or "#
                + #""1500ms""#
        )

        let daemon = try problem(#"daemon = "fast""#)
        #expect(daemon.message == #"expected a table (write `[daemon]`), found a string ("fast")"#)
    }

    @Test func aMissingRequiredKeyPointsAtTheAccountTable() throws {
        let error = try problem(
            """
            [daemon]

            [[account]]
            platform = "feed"
            name = "No URL"
            """
        )
        #expect(error.line == 3)
        #expect(error.accountIndex == 1)
        #expect(error.accountName == "No URL")
        #expect(error.key == "account.url")
        #expect(
            error.description
                == #"/etc/palimpsest/palimpsest.toml:3:1: account #1 ("No URL"): key `url`: "#
                + "missing required key: the feed's absolute http(s) URL"
        )
    }

    @Test func aMissingOrUnknownPlatformListsTheValidPlatforms() throws {
        let missing = try problem(
            """
            [[account]]
            url = "https://example.org/a.xml"
            """
        )
        #expect(missing.key == "account.platform")
        #expect(
            missing.message
                == #"missing required key: the platform, one of "feed", "mastodon", "weibo", "bluesky", "telegram", "url""#
        )

        let misspelt = try problem(
            """
            [[account]]
            platfrom = "feed"
            url = "https://example.org/a.xml"
            """
        )
        #expect(misspelt.key == "account.platform")
        #expect(misspelt.message.hasSuffix("(did you mean `platform` instead of `platfrom`?)"))

        let unknown = try problem(
            """
            [[account]]
            platform = "twitter"
            user = "x"
            """
        )
        #expect(unknown.line == 2)
        #expect(
            unknown.message
                == #"expected one of "feed", "mastodon", "weibo", "bluesky", "telegram", "url", found "twitter""#)
    }

    @Test(arguments: [
        "ftp://example.com/feed", "example.com/feed", "https://", "file:///etc/passwd", "https://exa mple.com/",
    ])
    func aFeedURLMustBeAbsoluteHTTP(url: String) throws {
        let error = try problem(
            """
            [[account]]
            platform = "feed"
            name = "Xinhua"
            url = "\(url)"
            """
        )
        #expect(
            error.description
                == #"/etc/palimpsest/palimpsest.toml:4:1: account #1 ("Xinhua"): key `url`: "#
                + #"expected the feed's absolute http(s) URL, found "\#(url)""#
        )
    }

    @Test func credentialsInAFeedURLAreRefused() throws {
        let error = try problem(
            """
            [[account]]
            platform = "feed"
            url = "https://user:pw@example.org/feed"
            """
        )
        #expect(error.message.contains("put credentials in `headers` instead"))
    }

    @Test func aMastodonAccountNeedsABaseURLAndAUsername() throws {
        let errors = problems(
            """
            [[account]]
            platform = "mastodon"
            instance = "mastodon.social"
            acct = "not a user"

            [[account]]
            platform = "mastodon"
            instance = "https://mastodon.social/?x=1"
            """
        )
        #expect(errors.map(\.line) == [3, 4, 6, 8])
        #expect(errors.map(\.key) == ["account.instance", "account.acct", "account.acct", "account.instance"])
        #expect(
            errors[0].message
                == #"expected the instance's base http(s) URL, e.g. "https://mastodon.social", found "mastodon.social""#
        )
        #expect(
            errors[1].message
                == #"expected a Mastodon username such as "Gargron" or "user@example.social" (a leading "@" is fine), "#
                + #"found "not a user""#
        )
        #expect(errors[2].message == "missing required key: the Mastodon username")
        #expect(errors[3].message.hasSuffix(#"without a query or fragment, found "https://mastodon.social/?x=1""#))
    }

    @Test func aProxyMustUseAnAcceptedSchemeAndItsPasswordIsNeverPrinted() throws {
        let error = try problem(
            """
            [[account]]
            platform = "feed"
            name = "Tor"
            url = "https://example.org/a.xml"
            proxy = "socks5://user:hunter2@127.0.0.1:9050"
            """
        )
        #expect(error.line == 5)
        #expect(error.key == "account.proxy")
        #expect(!error.description.contains("hunter2"))
        #expect(
            error.description
                == #"/etc/palimpsest/palimpsest.toml:5:1: account #1 ("Tor"): key `proxy`: "#
                + #"expected a proxy URL such as "socks5h://127.0.0.1:9050" or "http://proxy.example:3128" "#
                + #"(schemes: http://, https://, socks5h://), found "socks5://user:***@127.0.0.1:9050" "#
                + "(use socks5h:// so host names resolve through the proxy)"
        )
        let daemon = try problem(
            """
            [daemon]
            proxy = "ftp://proxy.example"
            """
        )
        #expect(daemon.key == "daemon.proxy")
        #expect(daemon.message.contains(#"found "ftp://proxy.example""#))
    }

    @Test func aDuplicateAccountNamesBothIndices() throws {
        let error = try problem(
            """
            [[account]]
            platform = "mastodon"
            name = "First"
            instance = "https://mastodon.social"
            acct = "Gargron"

            [[account]]
            platform = "mastodon"
            name = "Second"
            instance = "https://mastodon.social/"
            acct = "@Gargron@mastodon.social"
            """
        )
        #expect(error.accountIndex == 2)
        #expect(error.accountName == "Second")
        #expect(error.line == 11)
        #expect(
            error.description
                == #"/etc/palimpsest/palimpsest.toml:11:1: account #2 ("Second"): key `acct`: duplicate account: "#
                + #"account #1 ("First") watches the same account (key `mastodon:@gargron@mastodon.social`); "#
                + "remove one of them"
        )
    }

    @Test func aTOMLSyntaxErrorGivesLineAndColumn() throws {
        let error = try problem(
            """
            [daemon]
            interval = "10m"
            jitter = = 0.1
            """
        )
        #expect(error.line == 3)
        #expect(error.column != nil)
        #expect(error.key == nil)
        #expect(error.message.hasPrefix("TOML syntax error: "))
        #expect(error.description.hasPrefix("/etc/palimpsest/palimpsest.toml:3:"))
    }

    /// A duration or size written without quotes is a TOML syntax error; the message says how to
    /// write it (a tester got the bare parser error).
    @Test func anUnquotedDurationOrSizeIsShownQuoted() throws {
        let interval = try problem("[daemon]\ninterval = 10m  # ten minutes\n")
        #expect(interval.line == 2)
        #expect(interval.message.hasSuffix("; a duration or a size is a string in quotes: interval = \"10m\""))
        let size = try problem("[daemon]\nmax_body_size = 8MiB\n")
        #expect(size.message.hasSuffix("max_body_size = \"8MiB\""))
        let other = try problem("[daemon]\njitter = = 0.1\n")
        #expect(!other.message.contains("in quotes"), "no hint where no unit is involved")
    }

    @Test func everyProblemIsReportedAtOnceInFileOrder() throws {
        let errors = problems(
            """
            [daemon]
            interval = "10s"
            jitter = 0.9
            confirm_polls = 0

            [[account]]
            platform = "feed"
            url = "gopher://example.org"
            headers = { "Bad Name" = "x", Cookie = 5 }

            [[account]]
            platform = "feed"
            url = "https://example.org/a.xml"
            interval = "-1m"
            """
        )
        #expect(
            errors.map(\.key) == [
                "daemon.interval", "daemon.jitter", "daemon.confirm_polls", "account.url", "account.headers.Bad Name",
                "account.headers.Cookie", "account.interval",
            ]
        )
        #expect(errors.map(\.line) == [2, 3, 4, 8, 9, 9, 14])
        #expect(errors[0].message == "expected a duration from 30s to 7d, found 10s")
        #expect(errors[1].message == "expected a fraction from 0.0 to 0.5 (0.1 means ±10%), found 0.9")
        #expect(errors[2].message == "expected an integer from 1 to 100, found 0")
        #expect(errors[5].message == "expected a string, found an integer")
        #expect(errors[6].message == #"a duration cannot be negative, found "-1m""#)
        #expect(errors[6].accountIndex == 2)

        let thrown = ConfigValidationError(errors: errors)
        #expect(thrown.description.split(separator: "\n").count == 7)
    }

    @Test func headerValuesAreNeverQuotedInErrors() throws {
        let error = try problem(
            """
            [[account]]
            platform = "feed"
            url = "https://example.org/a.xml"
            headers = { Cookie = "session=s3cr3t\\r\\nX-Evil: 1" }
            """
        )
        #expect(error.key == "account.headers.Cookie")
        #expect(error.message == "a header value cannot contain line breaks or NUL characters")
        #expect(!error.description.contains("s3cr3t"))
    }

    @Test func aSingleAccountTableAsksForDoubleBrackets() throws {
        let error = try problem(
            """
            [account]
            platform = "feed"
            url = "https://example.org/a.xml"
            """
        )
        #expect(error.key == "account")
        #expect(error.line == 1)
        #expect(
            error.message == "expected an array of tables: write `[[account]]` (double brackets) before each account"
        )
    }

    @Test func pathsMustBeUsable() throws {
        let errors = problems(
            """
            [daemon]
            state_dir = "~/palimpsest"
            deletion_log = "logs/"
            """
        )
        #expect(errors.map(\.key) == ["daemon.state_dir", "daemon.deletion_log"])
        #expect(errors[0].message.hasPrefix("`~` is not expanded: write the full path"))
        #expect(errors[1].message == #"expected the path of a file, found a folder "logs/""#)
    }

    @Test func linesAreFoundPastMultilineStringsAndArrays() throws {
        let errors = problems(
            """
            # A comment with [brackets] and key = "value"
            [daemon]
            user_agent = '''
            jitter = 5
            [[account]]
            '''

            [[account]]
            platform = "feed"  # inline comment
            name = "multi \\" ] quote"
            url = "https://example.org/a.xml"
            tags = [
              "[not a table]",
            ]
            [ account . headers ]
            Accept = 1
            """
        )
        #expect(errors.map(\.key) == ["daemon.user_agent", "account.tags", "account.headers.Accept"])
        #expect(errors.map(\.line) == [3, 12, 16])
        #expect(errors[0].message == "expected a non-empty User-Agent on one line")
        #expect(errors[2].accountIndex == 1)
        #expect(errors[2].accountName == #"multi " ] quote"#)
    }

    // MARK: Loading files

    @Test func aMissingFileSaysHowToFixIt() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/palimpsest-\(UUID().uuidString).toml")
        #expect {
            try ConfigLoader.load(from: missing)
        } throws: { error in
            let errors = (error as? ConfigValidationError)?.errors ?? []
            return errors.count == 1 && errors[0].file == missing.path
                && errors[0].message.hasPrefix("no such file; create it")
                && errors[0].description.hasPrefix("\(missing.path): no such file")
        }
        #expect {
            try ConfigLoader.load(from: FileManager.default.temporaryDirectory)
        } throws: { error in
            (error as? ConfigValidationError)?.errors.first?.message.hasPrefix("this is a folder") == true
        }
    }

    /// `/dev/null` read as root said "permission"; a FIFO would block the reader forever.
    @Test func aDeviceIsRefusedAsNotARegularFile() throws {
        #expect {
            try ConfigLoader.load(from: URL(fileURLWithPath: "/dev/null"))
        } throws: { error in
            (error as? ConfigValidationError)?.errors.first?.message.hasPrefix("this is not a regular file") == true
        }
    }

    @Test func loadReadsAFileWithAByteOrderMark() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("palimpsest-config-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("palimpsest.toml")
        try Data("\u{FEFF}[daemon]\nstate_dir = \"state\"\n".utf8).write(to: url)
        let config = try ConfigLoader.load(from: url)
        #expect(config.daemon.stateDirectory.path == folder.appendingPathComponent("state").standardizedFileURL.path)
    }

    @Test func theConfigPathComesFromTheOptionThenTheEnvironmentThenTheDefault() {
        let environment = ["PALIMPSEST_CONFIG": "/opt/pal/env.toml"]
        #expect(ConfigLoader.resolvePath(explicit: "/tmp/cli.toml", environment: environment).path == "/tmp/cli.toml")
        #expect(ConfigLoader.resolvePath(explicit: nil, environment: environment).path == "/opt/pal/env.toml")
        #expect(ConfigLoader.resolvePath(explicit: nil, environment: [:]).path == "/etc/palimpsest/palimpsest.toml")
        #expect(
            ConfigLoader.resolvePath(explicit: "", environment: ["PALIMPSEST_CONFIG": ""]).path
                == ConfigLoader.defaultPath
        )
    }
}

/// The keys of the Weibo, Bluesky, Telegram and watched-URL accounts.
@Suite struct PlatformAccountConfigTests {
    func parse(_ text: String) throws -> PalimpsestConfig {
        try ConfigLoader.parse(text, file: URL(fileURLWithPath: "/etc/palimpsest/palimpsest.toml"))
    }

    @Test func everyPlatformReadsItsKeysWithDefaults() throws {
        let config = try self.parse(
            """
            [[account]]
            platform = "weibo"
            uid = "1195230310"
            pages = 2
            [[account]]
            platform = "bluesky"
            actor = "@bsky.app"
            [[account]]
            platform = "telegram"
            channel = "durov"
            base_url = "http://127.0.0.1:8080/tg/"
            [[account]]
            platform = "url"
            urls = ["https://mp.weixin.qq.com/s?__biz=MzA&mid=1&idx=1", "https://example.org/page"]
            tombstones = [{ contains = "此内容因违规无法查看", reason = "censored" }]
            """)
        #expect(
            config.accounts.map(\.key.rawValue) == [
                "weibo:1195230310", "bluesky:bsky.app", "telegram:durov",
                "url:https://mp.weixin.qq.com/s?__biz=MzA&mid=1&idx=1", "url:https://example.org/page",
            ])
        #expect(
            config.accounts[0].source
                == .weibo(uid: "1195230310", baseURL: URL(string: "https://m.weibo.cn")!, pages: 2, cookieFile: nil))
        #expect(
            config.accounts[1].source
                == .bluesky(
                    actor: "bsky.app", baseURL: URL(string: "https://public.api.bsky.app")!, pages: 1,
                    filter: "posts_with_replies"))
        #expect(
            config.accounts[2].source
                == .telegram(channel: "durov", baseURL: URL(string: "http://127.0.0.1:8080/tg")!, pages: 1))
        #expect(
            config.accounts[3].source
                == .url(
                    url: URL(string: "https://mp.weixin.qq.com/s?__biz=MzA&mid=1&idx=1")!,
                    tombstones: [TombstoneRule(contains: "此内容因违规无法查看", reason: .censored)]))
    }

    @Test func badPlatformValuesAreNamed() throws {
        #expect {
            try self.parse(
                """
                [[account]]
                platform = "weibo"
                uid = "../etc"
                [[account]]
                platform = "bluesky"
                actor = "x"
                filter = "everything"
                [[account]]
                platform = "url"
                tombstones = [{ contains = "gone", reason = "vanished" }]
                """)
        } throws: { error in
            let text = "\(error)"
            return text.contains("key `uid`: expected the Weibo account's numeric uid")
                && text.contains("key `actor`: expected a Bluesky handle")
                && text.contains("key `filter`: expected one of")
                && text.contains(#"tombstone 1: expected `reason` among"#)
                && text.contains("missing required key: `url` (one page) or `urls`")
        }
    }
}
