import Foundation
import GRDB
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
}
