import Foundation
import GRDB
import Logging
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// The outbox's rows are read by their storage class: a row edited by hand into bytes that are not
/// text is left out, as one whose event does not decode, and the others are still delivered.
@Suite struct AlertOutboxRowTests {
    @Test(arguments: [
        "UPDATE alert_outbox SET event = x'ff' WHERE event_id = 'e1'",
        "UPDATE alert_outbox SET attempts = 'none' WHERE event_id = 'e1'",
        "UPDATE alert_outbox SET sink = x'fe' WHERE event_id = 'e1'",
    ])
    func aRowEditedIntoAnotherTypeIsLeftOutNotAFatalError(_ edit: String) throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try StateStore(root: root)
        let outbox = AlertOutbox(
            store: store, sinks: [AlertSink(name: "hook", kind: .webhook, url: URL(string: "https://example.org/hook"))]
        )
        let events = ["e1", "e2"].enumerated().map { index, id in
            var event = Event(
                id: id, detectedAt: StoreTestSupport.date(Double(index)), event: .deleted, platform: .feed,
                account: AccountKey(rawValue: "feed:https://example.org/feed.xml"))
            event.seq = index + 1
            return event
        }
        #expect(try outbox.enqueue(events, at: StoreTestSupport.date(10)) == 2)
        #expect(try outbox.waiting().map(\.event.id) == ["e1", "e2"])
        try store.pool.write { db in try db.execute(sql: edit) }
        #expect(try outbox.waiting().map(\.event.id) == ["e2"])
    }

    /// A waiting row that does not read is never sent; the operator is told once per process,
    /// with the sink, the event id and what to do, not at every poll nor never.
    @Test func aRowThatDoesNotReadIsWarnedOfOncePerProcess() async throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try StateStore(root: root)
        let outbox = AlertOutbox(
            store: store, sinks: [AlertSink(name: "hook", kind: .webhook, url: URL(string: "https://example.org/hook"))]
        )
        var event = Event(
            id: "e1", detectedAt: StoreTestSupport.date(0), event: .deleted, platform: .feed,
            account: AccountKey(rawValue: "feed:https://example.org/feed.xml"))
        event.seq = 1
        #expect(try outbox.enqueue([event], at: StoreTestSupport.date(10)) == 1)
        try await store.pool.write { db in
            try db.execute(sql: "UPDATE alert_outbox SET event = '{bad' WHERE event_id = 'e1'")
        }
        #expect(try outbox.waiting().isEmpty)

        let log = CapturedLog()
        let dispatcher = AlertDispatcher(outbox: outbox, senders: [:], logger: log.logger)
        for _ in 0..<3 { _ = await dispatcher.deliverDue(draining: false) }
        let warnings = log.entries(.warning)
        #expect(warnings.count == 1, "\(warnings.map(\.message))")
        #expect(warnings.first?.message.contains("Restore state.sqlite from a backup") == true)
        #expect(warnings.first?.metadata["alert.sink"] == "hook")
        #expect(warnings.first?.metadata["event.id"] == "e1")
        #expect(warnings.first?.metadata["problem"] == "event is not JSON")
        // The fix it gives removes that row.
        let fix = try #require(warnings.first?.metadata["fix"])
        try await store.pool.write { db in try db.execute(sql: fix) }
        #expect(try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM alert_outbox") } == 0)
    }
}
