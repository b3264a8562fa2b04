import Foundation
import GRDB
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// An evidence bundle never pretends to be whole: rows of the state store that belong in it but do
/// not read (an archived version, a snapshot) refuse the export, naming them, unless it is asked
/// for incomplete, and then the bundle lists them; a capture that cannot be copied says why (found
/// by a tester's hand edits, where they were left out without a word).
@Suite(.serialized, .awaitedCleanup) struct EvidenceIncompleteTests {
    struct Fixture: Sendable {
        var harness: IntegrationHarness
        var config: PalimpsestConfig
        var event: Event
        var store: StateStore
    }

    /// The demo scenario's polls, a config over its state folder and log with a signing key, its
    /// first deletion proved by probe, and the state store open for hand edits.
    static func fixture() async throws -> Fixture {
        let harness = try await EvidenceTestSupport.pollDemoScenario()
        let config = try EvidenceTestSupport.signingConfig(in: harness.root)
        let event = try #require(
            try harness.loggedEvents().first {
                $0.event == .deleted && $0.confirmedBy == .probe && $0.platform == .mastodon
            })
        return Fixture(
            harness: harness, config: config, event: event,
            store: try StateStore(root: config.daemon.stateDirectory))
    }

    /// Hand edits that leave an archived version of the post unreadable (`?` the account, the post).
    static let archiveEdits = [
        "UPDATE post_versions SET post = 'not json' WHERE content_sha256 IN "
            + "(SELECT content_sha256 FROM archive WHERE account = ? AND post_id = ?)",
        "UPDATE archive SET first_seen = 'yesterday' WHERE account = ? AND post_id = ?",
        "PRAGMA foreign_keys = OFF; UPDATE archive SET content_sha256 = 'deadbeef' WHERE account = ? AND post_id = ?",
    ]

    /// The fixture after `edit` of the archive of its event's post.
    static func fixture(editingTheArchive edit: String) async throws -> Fixture {
        let fixture = try await Self.fixture()
        let event = fixture.event
        let postID = try #require(event.postID)
        try await fixture.store.pool.writeWithoutTransaction { db in
            try db.execute(sql: edit, arguments: [event.account.rawValue, postID])
        }
        return fixture
    }

    @Test(arguments: Self.archiveEdits)
    func anArchivedVersionThatDoesNotReadRefusesTheExport(_ edit: String) async throws {
        let fixture = try await Self.fixture(editingTheArchive: edit)
        atEnd { await fixture.harness.close() }
        let postID = try #require(fixture.event.postID)
        let logBefore = try Data(contentsOf: fixture.config.daemon.deletionLog)
        let refused = fixture.harness.root.appendingPathComponent("refused")
        do {
            _ = try EvidenceBundle(config: fixture.config).export(.event(fixture.event.id), to: refused)
            Issue.record("the export of a bundle without its archived version went through")
        } catch let error as EvidenceExportError {
            let text = "\(error)"
            #expect(text.contains("archive row seq "), "\(text)")
            #expect(text.contains("(post \(postID))"), "\(text)")
            #expect(text.contains("restore state.sqlite from a backup"), "\(text)")
            #expect(text.contains("--allow-incomplete"), "\(text)")
        }
        #expect(!FileManager.default.fileExists(atPath: refused.path), "nothing is written")
        #expect(try Data(contentsOf: fixture.config.daemon.deletionLog) == logBefore, "no checkpoint appended")
    }

    /// Every snapshot of the account made unreadable.
    static let snapshotEdit = "UPDATE snapshots SET listing = '[[' WHERE account = ?"

    @Test func aSnapshotThatDoesNotReadRefusesTheExport() async throws {
        let fixture = try await Self.fixture()
        atEnd { await fixture.harness.close() }
        try await fixture.store.pool.write { db in
            try db.execute(sql: Self.snapshotEdit, arguments: [fixture.event.account.rawValue])
        }
        let refused = fixture.harness.root.appendingPathComponent("refused")
        #expect(throws: EvidenceExportError.self) {
            try EvidenceBundle(config: fixture.config).export(.event(fixture.event.id), to: refused)
        }
    }

    /// An evidence index row edited to point outside `state_dir`.
    static let escapeEdit = "UPDATE evidence SET body_path = '../../../../etc/passwd'"

    @Test func aCaptureWhoseIndexedPathLeavesTheStateFolderIsNotSaidToBeCollected() async throws {
        let fixture = try await Self.fixture()
        atEnd { await fixture.harness.close() }
        try await fixture.store.pool.write { db in try db.execute(sql: Self.escapeEdit) }
        let summary = try EvidenceBundle(config: fixture.config).export(
            .event(fixture.event.id), to: fixture.harness.root.appendingPathComponent("bundle"))
        #expect(summary.missingRecords.isEmpty, "not a spool copy collected: \(summary.missingRecords)")
        let readme = try String(
            contentsOf: fixture.harness.root.appendingPathComponent("bundle/data/README.txt"), encoding: .utf8)
        #expect(!readme.contains("spool copies were already collected"))
        #expect(readme.contains("(../../../../etc/passwd): not a WARC location inside state_dir"), "\(readme)")
    }
}
