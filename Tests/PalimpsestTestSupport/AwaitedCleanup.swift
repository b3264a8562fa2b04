import Synchronization
public import Testing

/// Async cleanup awaited at the end of each test, instead of `defer { Task { … } }` (a task
/// nobody awaits: the next test may start while it still runs, and a crash skips it).
///
/// Put the trait on a test or a suite, `@Suite(.awaitedCleanup)`, and register each cleanup
/// right after making what it cleans: `atEnd { await harness.close() }`. The cleanups run when
/// the test returns or throws, last registered first, each awaited before the next test of a
/// serialized suite starts.
public struct AwaitedCleanup: TestTrait, SuiteTrait, TestScoping {
    /// Applies to every test of a suite it is put on.
    public var isRecursive: Bool { true }

    /// One scope per test case (a suite itself needs none).
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let scope = CleanupScope()
        defer { scope.close() }
        do {
            try await CleanupScope.$current.withValue(scope) { try await function() }
        } catch {
            await scope.run()
            throw error
        }
        await scope.run()
    }
}

extension Trait where Self == AwaitedCleanup {
    /// Runs what the test registers with ``atEnd(sourceLocation:_:)`` when it ends, and awaits it.
    public static var awaitedCleanup: Self { AwaitedCleanup() }
}

/// Registers `cleanup` to run, awaited, when the current test ends (see ``AwaitedCleanup``).
/// Outside a test with the `.awaitedCleanup` trait, the cleanup runs nowhere: that is recorded as
/// an issue, so a missing trait fails the test instead of leaking what it made.
public func atEnd(sourceLocation: SourceLocation = #_sourceLocation, _ cleanup: @escaping @Sendable () async -> Void) {
    guard let scope = CleanupScope.current, scope.add(cleanup) else {
        Issue.record(
            "atEnd { … } outside a test with the .awaitedCleanup trait: the cleanup cannot run",
            sourceLocation: sourceLocation)
        return
    }
}

/// The cleanups registered by one test.
final class CleanupScope: Sendable {
    @TaskLocal static var current: CleanupScope?

    private struct State {
        var cleanups: [@Sendable () async -> Void] = []
        var closed = false
    }

    private let state = Mutex(State())

    /// False once the scope's cleanups have run (too late to add one).
    func add(_ cleanup: @escaping @Sendable () async -> Void) -> Bool {
        self.state.withLock { state in
            guard !state.closed else { return false }
            state.cleanups.append(cleanup)
            return true
        }
    }

    /// Runs the cleanups, last registered first, until none is left (a cleanup may add one).
    func run() async {
        while let cleanup = self.state.withLock({ $0.cleanups.popLast() }) {
            await cleanup()
        }
    }

    func close() {
        self.state.withLock { $0.closed = true }
    }
}
