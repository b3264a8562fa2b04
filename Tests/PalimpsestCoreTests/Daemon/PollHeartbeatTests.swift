import PalimpsestCore
import Testing

@Suite struct PollHeartbeatTests {
    private let start = ContinuousClock.now

    @Test func aPollInFlightWithoutProgressPastTheLimitIsAStall() {
        let heartbeat = PollHeartbeat(stallLimit: .seconds(120), idleLimit: .seconds(660), now: self.start)
        heartbeat.pollStarted(at: self.start)
        #expect(heartbeat.check(at: self.start + .seconds(119)) == nil)
        let problem = heartbeat.check(at: self.start + .seconds(121))
        #expect(problem?.contains("1 poll in flight and no progress for 121 s") == true)
    }

    @Test func requestsCompletingKeepALongPollAlive() {
        let heartbeat = PollHeartbeat(stallLimit: .seconds(120), idleLimit: .seconds(660), now: self.start)
        heartbeat.pollStarted(at: self.start)
        for minute in 1...10 { heartbeat.progress(at: self.start + .seconds(60 * minute)) }
        #expect(heartbeat.check(at: self.start + .seconds(600 + 100)) == nil)
        heartbeat.pollFinished(at: self.start + .seconds(700))
        #expect(heartbeat.pollsInFlight == 0)
    }

    @Test func anIdleLoopMayWaitOneIntervalPlusTheLimit() {
        let heartbeat = PollHeartbeat(stallLimit: .seconds(120), idleLimit: .seconds(660), now: self.start)
        heartbeat.pollStarted(at: self.start)
        heartbeat.pollFinished(at: self.start + .seconds(5))
        #expect(heartbeat.check(at: self.start + .seconds(5 + 780)) == nil)
        #expect(heartbeat.check(at: self.start + .seconds(5 + 781))?.contains("no poll started") == true)
        heartbeat.setIdleLimit(.seconds(3600))
        #expect(heartbeat.check(at: self.start + .seconds(5 + 781)) == nil)
    }

    @Test func theStallLimitAllowsTwoRequestTimeoutsAndAMinute() {
        #expect(PollHeartbeat.stallLimit(httpTimeout: 30) == .seconds(120))
    }
}
