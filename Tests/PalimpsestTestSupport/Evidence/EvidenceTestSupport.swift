public import Foundation
public import PalimpsestCore
import PalimpsestReplay
import Subprocess
import Testing

/// Helpers of the evidence tests (issue 10): running standard tools (python3, openssl, sh) and
/// producing a real state folder and log through the whole poll path.
public enum EvidenceTestSupport {
    public struct Output {
        public var succeeded: Bool
        public var standardOutput: String
        public var standardError: String

        public init(succeeded: Bool, standardOutput: String, standardError: String) {
            self.succeeded = succeeded
            self.standardOutput = standardOutput
            self.standardError = standardError
        }
    }

    /// A config over the state folder and log under `root` (`state`, `deletions.jsonl`) with a
    /// signing key at `root/checkpoint-key.pem`, written there: what an export needs.
    /// - Parameter key: the signing key written.
    public static func signingConfig(in root: URL, key: CheckpointKey = CheckpointKey()) throws -> PalimpsestConfig {
        let config = try ConfigLoader.parse(
            """
            [daemon]
            state_dir = "state"
            deletion_log = "deletions.jsonl"

            [evidence]
            signing_key_file = "checkpoint-key.pem"
            """, file: root.appendingPathComponent("palimpsest.toml"))
        try Data(key.privateKeyPEM.utf8).write(to: config.evidence.signingKeyFile)
        return config
    }

    /// Runs `arguments` (the first is looked up on PATH), with `input` on stdin.
    public static func run(_ arguments: [String], input: String? = nil) async throws -> Output {
        if let input {
            let result = try await Subprocess.run(
                .name(arguments[0]), arguments: Arguments(Array(arguments.dropFirst())), input: .string(input),
                output: .string(limit: 16 << 20), error: .string(limit: 1 << 20))
            return Output(
                succeeded: result.terminationStatus.isSuccess, standardOutput: result.standardOutput,
                standardError: result.standardError)
        }
        let result = try await Subprocess.run(
            .name(arguments[0]), arguments: Arguments(Array(arguments.dropFirst())),
            output: .string(limit: 16 << 20), error: .string(limit: 1 << 20))
        return Output(
            succeeded: result.terminationStatus.isSuccess, standardOutput: result.standardOutput,
            standardError: result.standardError)
    }

    /// Whether a command runs here (`python3 -c 'import bagit'`, `openssl version`).
    public static func available(_ arguments: [String]) -> Bool {
        guard let folder = try? StoreTestSupport.makeTemporaryDirectory() else { return false }
        defer { StoreTestSupport.remove(folder) }
        guard let probe = try? ChildProcess(arguments, output: folder.appendingPathComponent("probe.log")) else {
            return false
        }
        return probe.wait(timeout: 30) == 0
    }

    public static let hasOpenSSL = available(["openssl", "version"])
    public static let hasPython = available(["python3", "-c", "import hashlib"])
    public static let hasBagit = available(["python3", "-c", "import bagit"])

    /// The demo scenario's five polls (an edit, a blind span, two deletions proved by probe
    /// answers) through the real poll path, with the guarded head; returns the harness (close it).
    public static func pollDemoScenario() async throws -> IntegrationHarness {
        let harness = try await IntegrationHarness()
        let scenario = DemoScenario(fixtures: IntegrationHarness.fixtures)
        let feed = harness.feedAccount(path: DemoScenario.feedPath, name: "Arknights")
        let mastodon = harness.mastodonAccount()
        let weiboSource = AccountSource.weibo(
            uid: DemoScenario.weiboUID, baseURL: harness.server.baseURL, pages: 1, cookieFile: nil)
        let weibo = Account(key: Account.key(for: weiboSource), name: "明日方舟Arknights", source: weiboSource)
        for step in 1...DemoScenario.pollCount {
            try scenario.script(harness.server, forPoll: step)
            let cycle = PollCycle(poller: try harness.poller(), concurrency: 2)
            _ = await cycle.run([feed, mastodon, weibo], at: scenario.time(ofPoll: step))
        }
        return harness
    }
}
