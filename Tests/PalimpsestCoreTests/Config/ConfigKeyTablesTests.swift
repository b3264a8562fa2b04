import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// The key tables declared in the code (``ConfigSections``, each platform's ``PlatformSource``)
/// are the ones `docs/configuration.md` shows and the ones the reader accepts.
@Suite struct ConfigKeyTablesTests {
    static let documentation = TestFixtures.repository.appendingPathComponent("docs/configuration.md")

    @Test func theDocumentedKeyTablesAreTheOnesTheCodeDeclares() throws {
        let text = try String(contentsOf: Self.documentation, encoding: .utf8)
        #expect(ConfigKeyTables.markedTables(in: text).sorted() == ConfigKeyTables.all.map(\.name).sorted())
        let expected = ConfigKeyTables.updating(text)
        if text != expected {
            let proposal = FileManager.default.temporaryDirectory.appendingPathComponent("configuration.md")
            try expected.write(to: proposal, atomically: true, encoding: .utf8)
            let message =
                "docs/configuration.md differs from the key tables in the code (ConfigSections, "
                + "Platforms/<Name>/<Name>Source.swift): the generated file is \(proposal.path); "
                + "diff it and copy it over docs/configuration.md"
            Issue.record(Comment(rawValue: message))
        }
    }

    @Test func aHandEditedKeyRowIsRegeneratedFromTheCode() throws {
        let text = try String(contentsOf: Self.documentation, encoding: .utf8)
        let edited = text.replacingOccurrences(
            of: "| `confirm_polls` | integer, 1 to 100 |", with: "| `confirm_polls` | integer |")
        #expect(edited != text)
        #expect(ConfigKeyTables.updating(edited) == ConfigKeyTables.updating(text))
    }

    @Test func noTableDeclaresAKeyTwice() {
        let sections =
            [
                ConfigSections.topLevel, ConfigSections.daemon, ConfigSections.digest, ConfigSections.smtp,
                ConfigSections.alert, ConfigSections.alarms, ConfigSections.massDeletion, ConfigSections.feedOut,
                ConfigSections.evidence,
            ]
            + PlatformSources.all.map { source in
                ConfigSection(title: source.keys.title, keys: ConfigSections.account.keys + source.keys.keys)
            }
        for section in sections {
            #expect(Set(section.names).count == section.names.count, "\(section.title) declares a key twice")
        }
        #expect(Set(PlatformSources.all.map { $0.platform }) == Set(Platform.allCases))
    }
}
