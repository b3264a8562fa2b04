public import ArgumentParser
import PalimpsestCore

/// The `palimpsest` command line: every subcommand. The `palimpsest` executable runs it; so does
/// the test-only `palimpsest-fault-harness`, with a fault plan installed first.
public struct Palimpsest: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "palimpsest",
        abstract: "Watch public accounts and keep proof of the posts they delete, alter or restore.",
        discussion: """
            Palimpsest polls each configured account, snapshots its timeline to the state folder, \
            diffs each snapshot against the last, confirms deletions by probing the post or by its \
            absence across polls, and appends every finding to the deletion log (JSON Lines) that \
            `palimpsest tail` reads. Platforms (the `platform` key of an [[account]]): feed (any \
            RSS 2.0, Atom or JSON Feed, RSSHub bridges included), mastodon (any Mastodon-compatible \
            instance), weibo (Sina Weibo's mobile web API), bluesky (any AppView), telegram (public \
            channels' t.me/s preview) and url (watched pages, e.g. WeChat articles).

            The config file is TOML (default /etc/palimpsest/palimpsest.toml). `make install` puts \
            a commented example of every key beside it (/etc/palimpsest/palimpsest.toml.example) \
            and the documentation in /usr/local/share/doc/palimpsest: configuration.md (every \
            key), operating.md (systemd, logs, status), deletion-log.md, digest.md, evidence.md \
            (how a deletion is proved). `man palimpsest` has the same as this help.
            """,
        version: PalimpsestVersion.current,
        subcommands: [
            RunCommand.self, PollCommand.self, StatusCommand.self, CheckConfigCommand.self, TailCommand.self,
            DigestCommand.self, VerifyCommand.self, LogCommand.self, KeygenCommand.self, EvidenceCommand.self,
            DemoCommand.self, AlertCommand.self,
        ]
    )

    public init() {}
}
