import Foundation
import Testing

@testable import PalimpsestCore

/// The `[evidence]` table (issue 10): signing key, checkpoint interval, timestamp authorities.
@Suite struct EvidenceSettingsTests {
    private let file = URL(fileURLWithPath: "/etc/palimpsest/palimpsest.toml")

    @Test func defaultsSignHourlyWithAKeyInStateDir() throws {
        let config = try ConfigLoader.parse("[daemon]\nstate_dir = \"/var/lib/p\"\n", file: self.file)
        #expect(config.evidence.signingKeyFile.path == "/var/lib/p/checkpoint-key.pem")
        #expect(config.evidence.checkpointInterval == 3600)
        #expect(config.evidence.tsaURLs.isEmpty)
        #expect(config.evidence.tsaCAFile == nil)
    }

    @Test func everyKeyIsRead() throws {
        let config = try ConfigLoader.parse(
            """
            [evidence]
            signing_key_file = "keys/signing.pem"
            checkpoint_interval = "15m"
            tsa_urls = ["https://freetsa.org/tsr", "http://timestamp.example.org"]
            tsa_ca_file = "/etc/palimpsest/tsa-ca.pem"
            """, file: self.file)
        #expect(config.evidence.signingKeyFile.path == "/etc/palimpsest/keys/signing.pem")
        #expect(config.evidence.checkpointInterval == 900)
        #expect(
            config.evidence.tsaURLs.map(\.absoluteString) == [
                "https://freetsa.org/tsr", "http://timestamp.example.org",
            ])
        #expect(config.evidence.tsaCAFile?.path == "/etc/palimpsest/tsa-ca.pem")
    }

    @Test func badValuesNameTheKey() {
        do {
            _ = try ConfigLoader.parse(
                """
                [evidence]
                checkpoint_interval = "10s"
                tsa_urls = ["ftp://tsa.example.org"]
                sign = true
                """, file: self.file)
            Issue.record("expected errors")
        } catch {
            let text = error.errors.map(\.description).joined(separator: "\n")
            #expect(text.contains("evidence.checkpoint_interval"))
            #expect(text.contains("evidence.tsa_urls"))
            #expect(text.contains("evidence.sign"))
        }
    }
}
