import Foundation
import PalimpsestCore
import PalimpsestTestSupport
import Subprocess
import SystemPackage
import Testing

/// What a new user reads first: `--version`, `--help`, and what a config without accounts does.
@Suite(.serialized) struct CommandLineTests {
    static func run(_ arguments: [String]) async throws -> (status: TerminationStatus, out: String, err: String) {
        let result = try await Subprocess.run(
            .path(try DaemonProcessTests.binary()), arguments: Arguments(arguments),
            environment: .inherit.updating(["NOTIFY_SOCKET": nil, "JOURNAL_STREAM": nil]),
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        return (result.terminationStatus, result.standardOutput, result.standardError)
    }

    /// The repository root (the docs the Makefile installs are in `docs/`).
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test func versionIsTheOneVersionString() async throws {
        let version = try await Self.run(["--version"])
        #expect(version.status == .exited(0))
        #expect(version.out == PalimpsestVersion.current + "\n")
        #expect(DaemonSettings.defaultUserAgent == "Palimpsest/\(PalimpsestVersion.current) (deletion monitor)")
    }

    @Test func helpNamesEveryPlatformAndOnlyPathsThatExistAfterInstall() async throws {
        let help = try await Self.run(["--help"])
        #expect(help.status == .exited(0))
        let text = help.out.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(
            of: "  +", with: " ", options: .regularExpression)
        for platform in Platform.allCases {
            #expect(text.contains(" \(platform.rawValue) ("), "--help does not name \(platform.rawValue)")
        }
        #expect(!text.contains("Config/palimpsest.toml"), "a source-tree path in --help")
        // The docs it names are installed by `make install` into DOCDIR ($(PREFIX)/share/doc/palimpsest).
        #expect(text.contains("/usr/local/share/doc/palimpsest"))
        let makefile = try String(contentsOf: Self.repository.appendingPathComponent("Makefile"), encoding: .utf8)
        #expect(makefile.contains("PREFIX       ?= /usr/local"))
        #expect(makefile.contains("DOCDIR       ?= $(PREFIX)/share/doc/palimpsest"))
        for name in text.matches(of: /([a-z-]+\.md)/).map({ String($0.output.1) }) {
            #expect(
                FileManager.default.fileExists(atPath: Self.repository.appendingPathComponent("docs/\(name)").path),
                "--help names \(name), which make install does not install")
        }
    }

    /// `make install` (into a DESTDIR, as a packager runs it) puts the man page, the bash, zsh and
    /// fish completions and every document `--help` names where the help says.
    @Test func makeInstallPutsTheManPageTheCompletionsAndTheDocsTheHelpNames() async throws {
        let binary = try DaemonProcessTests.binary()
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        // The real page comes from `make man` (a release build); a stand-in checks the install step.
        let page = root.appendingPathComponent("palimpsest.1")
        try Data(".Dd December 1, 2026\n.Dt PALIMPSEST 1\nSee /usr/local/share/doc/palimpsest/operating.md\n".utf8)
            .write(to: page)
        let destination = root.appendingPathComponent("dest")
        let make = try await Subprocess.run(
            .name("make"),
            arguments: [
                "-C", Self.repository.path, "install", "DESTDIR=\(destination.path)", "PREFIX=/opt/palimpsest",
                "BIN=\(URL(fileURLWithPath: binary.string).deletingLastPathComponent().path)", "MANPAGE=\(page.path)",
            ], output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        #expect(make.terminationStatus.isSuccess, "\(make.standardOutput)\n\(make.standardError)")
        let prefix = destination.appendingPathComponent("opt/palimpsest")
        func read(_ path: String) -> String {
            (try? String(contentsOf: prefix.appendingPathComponent(path), encoding: .utf8)) ?? ""
        }
        #expect(read("share/man/man1/palimpsest.1").contains("See /opt/palimpsest/share/doc/palimpsest/operating.md"))
        for (path, marker) in [
            ("share/bash-completion/completions/palimpsest", "check-config"),
            ("share/zsh/site-functions/_palimpsest", "#compdef palimpsest"),
            ("share/fish/vendor_completions.d/palimpsest.fish", "complete -c 'palimpsest'"),
        ] {
            #expect(read(path).contains(marker), "\(path) is missing or not a completion script")
        }
        let help = try await Self.run(["--help"])
        for name in help.out.matches(of: /([a-z-]+\.md)/).map({ String($0.output.1) }) {
            #expect(!read("share/doc/palimpsest/\(name)").isEmpty, "--help names \(name), not installed")
        }
        #expect(
            FileManager.default.fileExists(
                atPath: destination.appendingPathComponent("etc/palimpsest/palimpsest.toml.example").path))
    }

    @Test func theDeletionLogDocsListEveryPlatform() throws {
        let doc = try String(
            contentsOf: Self.repository.appendingPathComponent("docs/deletion-log.md"), encoding: .utf8)
        let row = try #require(doc.split(separator: "\n").first { $0.hasPrefix("| `platform` |") })
        for platform in Platform.allCases {
            #expect(row.contains("`\(platform.rawValue)`"), "docs/deletion-log.md: platform \(platform.rawValue)")
        }
    }

    /// Decided: a config without accounts is valid, `check-config` says `run` refuses it, and `run`
    /// and `poll` refuse it with exit status 78, as docs/configuration.md says.
    @Test func aConfigWithoutAccountsIsValidButRunRefusesIt() async throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let config = folder.appendingPathComponent("palimpsest.toml")
        try Data("[daemon]\nstate_dir = \"state\"\n".utf8).write(to: config)

        let check = try await Self.run(["check-config", "--config", config.path])
        #expect(check.status == .exited(0))
        #expect(check.out.contains("Accounts: none. The file is valid, but `palimpsest run` refuses to start"))
        let run = try await Self.run(["run", "--config", config.path])
        #expect(run.status == .exited(78))
        #expect(run.err.contains("no [[account]] is configured; nothing to watch. Add one"))
        // `poll` too, where it exited 0 without a word (found by a tester).
        let poll = try await Self.run(["poll", "--config", config.path])
        #expect(poll.status == .exited(78))
        #expect(poll.err.contains("no [[account]] is configured; nothing to watch. Add one"))
        let doc = try String(
            contentsOf: Self.repository.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        #expect(
            doc.contains(
                "A file without accounts is valid: `check-config` accepts it and says that `palimpsest run` refuses"))
    }

    /// `poll --account` naming no account says so with the accounts whose key or name contains
    /// it, else the config's first ten, never the whole config's list (it printed every key:
    /// megabytes at 100,000 accounts).
    @Test func pollOfAnUnknownAccountNamesLikeOnesNotEveryAccount() async throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let config = folder.appendingPathComponent("palimpsest.toml")
        var text = "[daemon]\nstate_dir = \"state\"\n"
        for index in 0..<40 {
            text += "[[account]]\nplatform = \"feed\"\nname = \"Ministry \(index)\"\n"
            text += "url = \"http://127.0.0.1:9/feed/\(index).xml\"\n"
        }
        try Data(text.utf8).write(to: config)

        let like = try await Self.run(["poll", "--config", config.path, "--account", "ministry 1"])
        #expect(like.status == .exited(64))
        #expect(like.err.contains("--account ministry 1 matches no configured account (by key or name)"))
        #expect(like.err.contains("Keys or names containing it: feed:http://127.0.0.1:9/feed/1.xml (Ministry 1), "))
        #expect(like.err.contains("and 1 more"), "11 names contain it, 10 are shown")
        #expect(!like.err.contains("feed/2.xml"))
        let unlike = try await Self.run(["poll", "--config", config.path, "--account", "nothing"])
        #expect(unlike.status == .exited(64))
        #expect(unlike.err.contains("`palimpsest check-config` lists the accounts the config watches"))
        #expect(unlike.err.contains("The config's accounts: feed:http://127.0.0.1:9/feed/0.xml (Ministry 0), "))
        #expect(unlike.err.contains("and 30 more") && !unlike.err.contains("feed/10.xml"), "the first 10 of 40")
    }

    /// A new folder with a config of one feed account (`state_dir = "state"`) and a deletion log of
    /// four deletions (`post-e1` to `post-e4`) in 2026-W48; the caller removes the folder.
    static func digestFolder() throws -> (folder: URL, config: URL, log: URL) {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        let config = folder.appendingPathComponent("palimpsest.toml")
        try Data(
            "[daemon]\nstate_dir = \"state\"\n[[account]]\nplatform = \"feed\"\nurl = \"https://example.org/a.xml\"\n"
                .utf8
        ).write(to: config)
        let url = folder.appendingPathComponent("state/deletions.jsonl")
        let log = try DeletionLog(url: url, headURL: folder.appendingPathComponent("state/\(ChainHead.fileName)"))
        _ = try log.append((1...4).map { StoreTestSupport.event("e\($0)", at: Double($0) * 60) })
        return (folder, config, url)
    }

    /// `digest` over a log whose chain is broken writes its files with the warning at their top
    /// and exits 2, so that the weekly timer notices (found by a tester: exit 0); a healthy log 0.
    @Test func aDigestWithWarningsAtItsTopExitsTwo() async throws {
        let (folder, config, url) = try Self.digestFolder()
        defer { StoreTestSupport.remove(folder) }

        let healthy = try await Self.run(["digest", "--config", config.path, "--week", "2026-W48"])
        #expect(healthy.status == .exited(0), "\(healthy.err)")
        var lines = try StoreTestSupport.lines(of: url)
        lines[1] = lines[1].replacingOccurrences(of: "\"text\":\"text\"", with: "\"text\":\"TEXT\"")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        let broken = try await Self.run([
            "digest", "--config", config.path, "--week", "2026-W48", "--out", folder.appendingPathComponent("d2").path,
        ])
        #expect(broken.status == .exited(2), "\(broken.err)")
        #expect(broken.err.contains("written, with warnings at its top: 1 break of the log's hash chain"))
        #expect(broken.out.contains("Written to "))
    }

    /// `digest --entries-in-full N` caps what digest.md shows and says so; events.csv keeps every
    /// event; a negative N is refused as a bad argument (64) before anything is read.
    @Test func digestEntriesInFullCapsTheDocumentsAndSaysSo() async throws {
        let (folder, config, _) = try Self.digestFolder()
        defer { StoreTestSupport.remove(folder) }
        let out = folder.appendingPathComponent("out")
        let capped = try await Self.run([
            "digest", "--config", config.path, "--week", "2026-W48", "--out", out.path, "--entries-in-full", "2",
        ])
        #expect(capped.status == .exited(0), "\(capped.err)")
        #expect(
            capped.out.contains(
                "digest.md and digest.html show 2 of the week's 4 entries in full, in 1 of 2 accounts "
                    + "(entries_in_full = 2); events.csv and digest.json hold every event."),
            "\(capped.out)")
        let markdown = try String(contentsOf: out.appendingPathComponent("digest.md"), encoding: .utf8)
        let csv = try String(contentsOf: out.appendingPathComponent("events.csv"), encoding: .utf8)
        #expect(markdown.contains("post-e1") && markdown.contains("post-e2") && !markdown.contains("post-e3"))
        #expect(markdown.contains("Not shown here: 2 of these 4 (events.csv and digest.json hold every event)."))
        #expect((1...4).allSatisfy { csv.contains("post-e\($0)") })

        let refused = try await Self.run(["digest", "--config", config.path, "--entries-in-full=-1"])
        #expect(refused.status == .exited(64))
        #expect(refused.err.contains("--entries-in-full -1: expected a number from 0 (every entry)"), "\(refused.err)")
        let spaced = try await Self.run(["digest", "--config", config.path, "--entries-in-full", "-1"])
        #expect(spaced.status == .exited(64))
        #expect(spaced.err.contains("--entries-in-full -1: expected a number from 0 (every entry)"), "\(spaced.err)")
    }

    /// An empty log verifies without a word about its oldest line, which it does not have (a
    /// tester read "does not start from the genesis value" about one).
    @Test func anEmptyLogVerifiesWithoutANoteOnItsOldestLine() async throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let config = folder.appendingPathComponent("palimpsest.toml")
        try Data("[daemon]\nstate_dir = \"state\"\n".utf8).write(to: config)
        let log = folder.appendingPathComponent("empty.jsonl")
        try Data().write(to: log)
        let empty = try await Self.run(["verify", "--config", config.path, "--log", log.path])
        #expect(empty.status == .exited(0), "\(empty.err)")
        #expect(empty.out.hasPrefix("verified: 0 lines"), "\(empty.out)\(empty.err)")
        #expect(!empty.out.contains("genesis"), "\(empty.out)")
    }
}
