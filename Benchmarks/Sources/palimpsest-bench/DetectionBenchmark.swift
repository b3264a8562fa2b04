import Foundation
import PalimpsestCore

/// Phase 2: how fast the detector works, in memory: ``WindowDiffer/diff(state:observation:settings:)``
/// and ``Confirmer/apply(state:diff:observation:snapshotID:probes:unprobeable:accountProbe:account:settings:)``
/// over every poll of every ``SyntheticTimeline``, from an empty memory, as the poller calls them.
///
/// Probes are answered as the loopback server of phase 3 answers them: a candidate that
/// ``FeedAdapter`` would probe gets a tombstone (HTTP 404); the others are confirmed by absence.
/// Building the observations (posts and their hashes) is done once, before the clock starts.
struct DetectionBenchmark {
    /// The figures of the phase.
    struct Result {
        /// Observations (polls) diffed per round.
        let observations: Int
        /// Posts in those observations.
        let posts: Int
        /// Measured rounds (each replays every account from an empty memory).
        let rounds: Int
        /// Total measured time in seconds.
        let seconds: Double
        /// Events one round derives, by kind.
        let events: [EventKind: Int]
    }

    /// One account's inputs: its polls, and which of its posts the feed adapter would probe.
    private struct AccountInput {
        let account: Account
        let observations: [Observation]
        let probeable: Set<String>
    }

    /// Number of accounts.
    let accounts: Int
    /// Posts per window.
    let posts: Int
    /// Polls per account.
    let polls: Int
    /// How long to repeat the rounds.
    let repetition: Repetition

    /// Builds the observations, then replays them until the repetition is satisfied.
    func run() -> Result {
        let inputs = (0..<self.accounts).map(self.input(account:))
        let settings = DetectionSettings()
        var events: [EventKind: Int] = [:]
        let (rounds, seconds) = self.repetition.measure {
            events = [:]
            for input in inputs {
                var state = DetectionState()
                for (index, observation) in input.observations.enumerated() {
                    let diff = WindowDiffer.diff(state: state, observation: observation, settings: settings)
                    var probes: [String: ProbeResult] = [:]
                    var unprobeable: Set<String> = []
                    for candidate in diff.candidates {
                        if input.probeable.contains(candidate.post.id) {
                            probes[candidate.post.id] = ProbeResult(
                                verdict: .tombstone(reason: .removed, detail: "HTTP 404 Not Found"))
                        } else {
                            unprobeable.insert(candidate.post.id)
                        }
                    }
                    let outcome = Confirmer.apply(
                        state: state, diff: diff, observation: observation, snapshotID: "poll-\(index)",
                        probes: probes, unprobeable: unprobeable,
                        accountProbe: diff.isMassDisappearance ? AccountProbeResult(verdict: .available) : nil,
                        account: input.account, settings: settings)
                    state = outcome.state
                    for event in outcome.events { events[event.event, default: 0] += 1 }
                }
            }
        }
        let observations = inputs.reduce(0) { $0 + $1.observations.count }
        let posts = inputs.reduce(0) { total, input in total + input.observations.reduce(0) { $0 + $1.posts.count } }
        return Result(observations: observations, posts: posts, rounds: rounds, seconds: seconds, events: events)
    }

    /// The polls of account `index`, built from its timeline.
    private func input(account index: Int) -> AccountInput {
        let feedURL = URL(string: "http://127.0.0.1/bench/\(index)/feed.xml")!
        let account = Account(key: Account.key(for: .feed(url: feedURL)), source: .feed(url: feedURL))
        let feed = SyntheticFeed(account: index, feedURL: feedURL)
        let adapter = FeedAdapter()
        var timeline = SyntheticTimeline(account: index, windowSize: self.posts)
        var observations: [Observation] = []
        var probeable: Set<String> = []
        for _ in 0..<self.polls {
            timeline.advance()
            let posts = timeline.window.map(feed.post)
            for post in posts where adapter.probeRequest(for: post, of: account, context: AdapterContext()) != nil {
                probeable.insert(post.id)
            }
            observations.append(Observation(account: account.key, polledAt: timeline.now, posts: posts))
        }
        return AccountInput(account: account, observations: observations, probeable: probeable)
    }
}
