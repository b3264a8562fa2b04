import ArgumentParser

@main
struct Palimpsest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "palimpsest",
        abstract: "Watch public accounts and keep proof of the posts they delete, alter or restore.",
        discussion: """
            Palimpsest polls each configured account (RSS/Atom/JSON feeds, Mastodon), snapshots its \
            timeline to the state folder, diffs each snapshot against the last, confirms deletions \
            by probing the post or by its absence across polls, and appends every finding to the \
            deletion log (JSON Lines) that `palimpsest tail` reads.

            The config file is TOML: see Config/palimpsest.toml and docs/configuration.md.
            """,
        subcommands: [
            RunCommand.self, PollCommand.self, StatusCommand.self, CheckConfigCommand.self, TailCommand.self,
            DigestCommand.self, DemoCommand.self,
        ]
    )
}
