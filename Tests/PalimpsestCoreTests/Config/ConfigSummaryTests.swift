import Foundation
import Testing

@testable import PalimpsestCore

@Suite struct ConfigSummaryTests {
    @Test func listsSettingsAndAccountsButNoSecrets() throws {
        let config = try ConfigLoader.parse(
            """
            [daemon]
            state_dir = "/srv/palimpsest"
            proxy = "http://user:hunter2@proxy.example:3128"
            confirm_polls = 3

            [[account]]
            platform = "feed"
            name = "Arknights"
            url = "https://rsshub.app/twitter/user/ArknightsStaff"
            interval = "5m"

            [[account]]
            platform = "mastodon"
            instance = "https://mastodon.social"
            acct = "Mastodon"
            proxy = ""
            headers = { Cookie = "session=s3cr3t", Accept-Language = "en" }
            """,
            file: URL(fileURLWithPath: "/etc/palimpsest/palimpsest.toml")
        )
        let summary = ConfigSummary.describe(config)
        let lines = summary.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "Config file: /etc/palimpsest/palimpsest.toml")
        #expect(lines.contains("  state_dir           /srv/palimpsest"))
        #expect(lines.contains("  deletion_log        /srv/palimpsest/deletions.jsonl"))
        #expect(lines.contains("  interval            10m ± 10% jitter"))
        #expect(
            lines.contains(
                "  confirm             absent from 3 complete polls spanning at least 20m (when no probe answers)"
            )
        )
        #expect(lines.contains("Accounts (2):"))
        #expect(lines.contains("  #1 feed:https://rsshub.app/twitter/user/ArknightsStaff"))
        #expect(lines.contains("     name      Arknights"))
        #expect(lines.contains("     url       https://rsshub.app/twitter/user/ArknightsStaff"))
        #expect(lines.contains("     interval  5m"))
        #expect(lines.contains("     proxy     http://user:***@proxy.example:3128 (daemon's)"))
        #expect(lines.contains("  #2 mastodon:@mastodon@mastodon.social"))
        #expect(lines.contains("     instance  https://mastodon.social"))
        #expect(lines.contains("     acct      Mastodon"))
        #expect(lines.contains("     interval  10m (daemon's)"))
        #expect(lines.contains("     proxy     none (daemon's proxy turned off)"))
        #expect(lines.contains("     headers   Accept-Language, Cookie (values hidden)"))
        #expect(!summary.contains("hunter2"))
        #expect(!summary.contains("s3cr3t"))
    }

    @Test func saysWhenThereAreNoAccounts() throws {
        let config = try ConfigLoader.parse("", file: URL(fileURLWithPath: "/etc/palimpsest/palimpsest.toml"))
        #expect(ConfigSummary.describe(config).contains("Accounts: none"))
    }
}
