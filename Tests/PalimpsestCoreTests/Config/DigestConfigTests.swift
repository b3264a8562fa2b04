import Foundation
import Testing

@testable import PalimpsestCore

/// `[digest]` and `[digest.smtp]` (docs/configuration.md).
@Suite struct DigestConfigTests {
    static let file = URL(fileURLWithPath: "/etc/palimpsest/palimpsest.toml")

    static func errors(_ text: String) -> [ConfigError] {
        do {
            _ = try ConfigLoader.parse(text, file: Self.file)
            return []
        } catch {
            return error.errors
        }
    }

    @Test func withoutATableTheDigestUsesUTCAndTheStateFolder() throws {
        let config = try ConfigLoader.parse("[daemon]\nstate_dir = \"/srv/palimpsest\"\n", file: Self.file)
        #expect(config.digest.timeZone.secondsFromGMT() == 0)
        #expect(config.digest.directory.path == "/srv/palimpsest/digests")
        #expect(config.digest.extraLogs.isEmpty)
        #expect(config.digest.smtp == nil)
    }

    /// `entries_in_full`: 1,000 by default, 0 for every entry, a negative number refused with the key.
    @Test func entriesInFullDefaultsToAThousandAndRefusesANegativeNumber() throws {
        let standard = try ConfigLoader.parse("[daemon]\nstate_dir = \"/srv/palimpsest\"\n", file: Self.file)
        #expect(standard.digest.entriesInFull == 1_000)
        let every = try ConfigLoader.parse("[digest]\nentries_in_full = 0\n", file: Self.file)
        #expect(every.digest.entriesInFull == 0)
        let errors = Self.errors("[digest]\nentries_in_full = -5\n")
        let problem = try #require(errors.first { $0.key == "digest.entries_in_full" })
        #expect(problem.message.contains("expected an integer from 0"), "\(problem.message)")
        #expect(problem.line == 2)
    }

    @Test func everyKeyIsRead() throws {
        let config = try ConfigLoader.parse(
            """
            [digest]
            time_zone = "Asia/Shanghai"
            dir = "digests"
            logs = ["/var/lib/other/deletions.jsonl", "copies/host-b.jsonl"]

            [digest.smtp]
            url = "smtps://mail.example.org:465"
            starttls = false
            username = "palimpsest@example.org"
            password_file = "/etc/palimpsest/smtp-password"
            from = "palimpsest@example.org"
            to = ["desk@example.org", "editor@example.org"]
            """,
            file: Self.file
        )
        #expect(config.digest.timeZone.identifier == "Asia/Shanghai")
        #expect(config.digest.directory.path == "/etc/palimpsest/digests")
        #expect(
            config.digest.extraLogs.map(\.path) == [
                "/var/lib/other/deletions.jsonl", "/etc/palimpsest/copies/host-b.jsonl",
            ]
        )
        let smtp = try #require(config.digest.smtp)
        #expect(smtp.url.absoluteString == "smtps://mail.example.org:465")
        #expect(smtp.isImplicitTLS)
        #expect(!smtp.requiresSTARTTLS)
        #expect(smtp.username == "palimpsest@example.org")
        #expect(smtp.passwordFile?.path == "/etc/palimpsest/smtp-password")
        #expect(smtp.from == "palimpsest@example.org")
        #expect(smtp.to == ["desk@example.org", "editor@example.org"])
        #expect(smtp.maxAttachmentBytes == 10 << 20, "the default")
        let smaller = try ConfigLoader.parse(
            "[digest.smtp]\nurl = \"smtp://mail.example.org\"\nfrom = \"a@example.org\"\nto = [\"b@example.org\"]\n"
                + "max_attachment_size = \"2MiB\"\n",
            file: Self.file)
        #expect(smaller.digest.smtp?.maxAttachmentBytes == 2 << 20)
    }

    @Test func checkConfigListsTheDigestSettingsWithoutThePassword() throws {
        let config = try ConfigLoader.parse(
            """
            [digest]
            time_zone = "Asia/Shanghai"

            [digest.smtp]
            url = "smtp://mail.example.org:587"
            username = "palimpsest@example.org"
            password_file = "/etc/palimpsest/smtp-password"
            from = "palimpsest@example.org"
            to = ["desk@example.org"]
            """,
            file: Self.file
        )
        let lines = ConfigSummary.describe(config).components(separatedBy: "\n")
        #expect(lines.contains("Digest:"))
        #expect(lines.contains("  time_zone        Asia/Shanghai"))
        #expect(lines.contains("  dir              /var/lib/palimpsest/digests"))
        #expect(lines.contains("  entries_in_full  1000"))
        #expect(lines.contains("  smtp             smtp://mail.example.org:587 (STARTTLS required)"))
        #expect(
            lines.contains("  login            palimpsest@example.org, password from /etc/palimpsest/smtp-password"))
        #expect(lines.contains("  mail             from palimpsest@example.org to desk@example.org"))
        #expect(lines.contains("  attachment       events.csv when at most 10 MiB"))
    }

    @Test func starttlsIsRequiredUnlessTurnedOff() throws {
        let config = try ConfigLoader.parse(
            "[digest.smtp]\nurl = \"smtp://mail.example.org:587\"\n"
                + "from = \"a@example.org\"\nto = [\"b@example.org\"]\n",
            file: Self.file
        )
        #expect(config.digest.smtp?.requiresSTARTTLS == true)
        #expect(config.digest.smtp?.username == nil)
    }

    @Test func aPasswordInTheConfigIsRefused() throws {
        let errors = Self.errors(
            """
            [digest.smtp]
            url = "smtp://mail.example.org"
            username = "u"
            password = "hunter2"
            from = "a@example.org"
            to = ["b@example.org"]
            """
        )
        #expect(errors.count == 2)
        let password = try #require(errors.first { $0.key == "digest.smtp.password" })
        #expect(password.line == 4)
        #expect(password.message.contains("never goes in the config"))
        #expect(!errors.map(\.description).joined().contains("hunter2"))
        // username without password_file
        #expect(errors.contains { $0.key == "digest.smtp.username" && $0.message.contains("password_file") })
    }

    @Test func badValuesNameTheKeyAndWhatIsExpected() {
        let errors = Self.errors(
            """
            [digest]
            time_zone = "Mars/Olympus_Mons"
            logs = "one.jsonl"
            day = "monday"

            [digest.smtp]
            url = "http://mail.example.org"
            from = "Palimpsest <a@example.org>"
            to = []
            starttls = "yes"
            """
        )
        let byKey = Dictionary(errors.map { ($0.key ?? "", $0.message) }, uniquingKeysWith: { a, _ in a })
        #expect(byKey["digest.time_zone"]?.contains("IANA time zone") == true)
        #expect(byKey["digest.logs"]?.contains("expected a list of paths") == true)
        #expect(byKey["digest.day"]?.contains("accepted [digest] keys") == true)
        #expect(byKey["digest.smtp.url"]?.contains("smtps://") == true)
        #expect(byKey["digest.smtp.from"]?.contains("plain address") == true)
        #expect(byKey["digest.smtp.to"]?.contains("non-empty list") == true)
        #expect(byKey["digest.smtp.starttls"]?.contains("true or false") == true)
        #expect(errors.count == 7)
        #expect(errors.first { $0.key == "digest.smtp.url" }?.line == 7)
    }

    @Test func missingRequiredSMTPKeysAreReported() {
        let errors = Self.errors("[digest.smtp]\nstarttls = true\n")
        #expect(Set(errors.compactMap(\.key)) == ["digest.smtp.url", "digest.smtp.from", "digest.smtp.to"])
    }
}
