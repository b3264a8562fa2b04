import Foundation
import Testing

@testable import PalimpsestCore

/// An account's count of logged events is added to at each logged event: a stored count edited by
/// hand to the largest integer stopped the daemon with an arithmetic overflow (found by a hostile
/// edit of `accounts.state`).
@Suite struct EventsLoggedCountTests {
    @Test func theCountAddsAndStopsAtTheLargestIntegerInsteadOfOverflowing() {
        var state = AccountState(account: AccountKey(rawValue: "feed:https://example.org/feed.xml"))
        state.countEventsLogged(2)
        state.countEventsLogged(3)
        #expect(state.eventsLogged == 5)
        state.eventsLogged = .max - 1
        state.countEventsLogged(3)
        #expect(state.eventsLogged == .max)
        state.countEventsLogged(1)
        #expect(state.eventsLogged == .max)
    }
}
