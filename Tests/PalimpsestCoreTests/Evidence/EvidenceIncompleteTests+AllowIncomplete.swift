import Foundation
import GRDB
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// `--allow-incomplete` (``EvidenceBundle/export(_:to:zip:allowIncomplete:now:)``): the bundle is
/// written without the rows that do not read, and lists them where its reader looks.
extension EvidenceIncompleteTests {
    @Test(arguments: Self.archiveEdits)
    func anIncompleteBundleListsTheArchivedVersionItLeftOut(_ edit: String) async throws {
        let fixture = try await Self.fixture(editingTheArchive: edit)
        atEnd { await fixture.harness.close() }
        let out = fixture.harness.root.appendingPathComponent("incomplete")
        let summary = try EvidenceBundle(config: fixture.config).export(
            .event(fixture.event.id), to: out, allowIncomplete: true)
        #expect(summary.leftOut.contains { $0.contains("archive row seq ") }, "\(summary.leftOut)")
        let readme = try String(contentsOf: out.appendingPathComponent("data/README.txt"), encoding: .utf8)
        #expect(readme.contains("THIS BUNDLE IS INCOMPLETE"))
        for item in summary.leftOut { #expect(readme.contains("- \(item)\n")) }
        let info = try String(contentsOf: out.appendingPathComponent("bag-info.txt"), encoding: .utf8)
        #expect(info.contains("Palimpsest-Left-Out: archive row seq "), "\(info)")
        let script = try String(contentsOf: out.appendingPathComponent("data/verify.sh"), encoding: .utf8)
        #expect(!script.contains("OK: the bag is complete"), "its OK does not read as whole")
        #expect(script.contains("echo \"INCOMPLETE: \(summary.leftOut.count) row(s) of the monitor's state"))
    }

    @Test func anIncompleteBundleListsTheSnapshotsItLeftOut() async throws {
        let fixture = try await Self.fixture()
        atEnd { await fixture.harness.close() }
        try await fixture.store.pool.write { db in
            try db.execute(sql: Self.snapshotEdit, arguments: [fixture.event.account.rawValue])
        }
        let summary = try EvidenceBundle(config: fixture.config).export(
            .event(fixture.event.id), to: fixture.harness.root.appendingPathComponent("incomplete"),
            allowIncomplete: true)
        #expect(
            summary.leftOut.contains { $0.contains("snapshot ") && $0.contains("does not decode") },
            "\(summary.leftOut)")
    }

    @Test func aCaptureWhoseIndexedPathLeavesTheStateFolderIsNamedWithWhy() async throws {
        let fixture = try await Self.fixture()
        atEnd { await fixture.harness.close() }
        try await fixture.store.pool.write { db in try db.execute(sql: Self.escapeEdit) }
        let summary = try EvidenceBundle(config: fixture.config).export(
            .event(fixture.event.id), to: fixture.harness.root.appendingPathComponent("bundle"))
        #expect(!summary.unreadableRecords.isEmpty)
        #expect(
            summary.unreadableRecords.allSatisfy {
                $0.contains("(../../../../etc/passwd): not a WARC location inside state_dir")
            }, "\(summary.unreadableRecords)")
    }
}
