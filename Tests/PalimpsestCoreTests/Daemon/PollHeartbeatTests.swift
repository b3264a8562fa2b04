import PalimpsestCore
import PalimpsestTestSupport
import Testing

@Suite struct PollHeartbeatTests {
    private let clock = ManualClock()

    @Test func aPollInFlightWithoutProgressPastTheLimitIsAStall() {
        let heartbeat = PollHeartbeat(stallLimit: .seconds(120), idleLimit: .seconds(660), clock: self.clock)
        heartbeat.pollStarted()
        self.clock.advance(by: .seconds(119))
        #expect(heartbeat.check() == nil)
        self.clock.advance(by: .seconds(2))
        let problem = heartbeat.check()
        #expect(problem?.contains("1 poll in flight and no progress for 121 s") == true)
    }

    @Test func requestsCompletingKeepALongPollAlive() {
        let heartbeat = PollHeartbeat(stallLimit: .seconds(120), idleLimit: .seconds(660), clock: self.clock)
        heartbeat.pollStarted()
        for _ in 1...10 {
            self.clock.advance(by: .seconds(60))
            heartbeat.progress()
        }
        self.clock.advance(by: .seconds(100))
        #expect(heartbeat.check() == nil)
        heartbeat.pollFinished()
        #expect(heartbeat.pollsInFlight == 0)
    }

    @Test func anIdleLoopMayWaitOneIntervalPlusTheLimit() {
        let heartbeat = PollHeartbeat(stallLimit: .seconds(120), idleLimit: .seconds(660), clock: self.clock)
        heartbeat.pollStarted()
        self.clock.advance(by: .seconds(5))
        heartbeat.pollFinished()
        self.clock.advance(by: .seconds(780))
        #expect(heartbeat.check() == nil)
        self.clock.advance(by: .seconds(1))
        #expect(heartbeat.check()?.contains("no poll started") == true)
        heartbeat.setIdleLimit(.seconds(3600))
        #expect(heartbeat.check() == nil)
    }

    @Test func theStallLimitAllowsTwoRequestTimeoutsAndAMinute() {
        #expect(PollHeartbeat.stallLimit(httpTimeout: 30) == .seconds(120))
    }
}
