/// How long to repeat a measured piece of work: until it has run `minimumSeconds` in total and at
/// least `minimumRuns` times, but never more than `maximumRuns` times.
struct Repetition: Sendable {
    /// Least total measured time, in seconds.
    var minimumSeconds: Double
    /// Least number of measured runs.
    var minimumRuns = 5
    /// Most measured runs (bounds the loop when one run is very short).
    var maximumRuns = 1_000_000
    /// Unmeasured runs first, so caches and lazy initialisers are warm.
    var warmUpRuns = 3

    /// Runs `work` (warm-up runs, then measured runs) and returns the number of measured runs
    /// and their total time in seconds.
    func measure(_ work: () throws -> Void) rethrows -> (runs: Int, seconds: Double) {
        for _ in 0..<self.warmUpRuns { try work() }
        let clock = ContinuousClock()
        var runs = 0
        var total = Duration.zero
        while runs < self.maximumRuns, runs < self.minimumRuns || Figures.seconds(total) < self.minimumSeconds {
            let start = clock.now
            try work()
            total += clock.now - start
            runs += 1
        }
        return (runs, Figures.seconds(total))
    }
}
