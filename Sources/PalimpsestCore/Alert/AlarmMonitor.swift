public import Foundation
import GRDB

/// What the alarms are evaluated on: the accounts' blind spans, the last complete poll while the
/// daemon runs, and the deletions logged recently (the probe hosts' records are read from the
/// store, where each poll's probe answers are kept).
public struct AlarmInputs: Sendable {
    /// An account as the last poll left it.
    public struct AccountView: Sendable {
        public var key: AccountKey
        public var name: String?
        public var platform: Platform
        /// The open blind span, `nil` when the last poll saw the account.
        public var blind: BlindSpan?

        public init(key: AccountKey, name: String?, platform: Platform, blind: BlindSpan?) {
            self.key = key
            self.name = name
            self.platform = platform
            self.blind = blind
        }
    }

    /// The accounts whose state is known now (polled in this cycle, or watched by the daemon).
    public var accounts: [AccountView]
    /// While the daemon runs: when it started and the last complete poll of any account (UTC);
    /// `nil` for `palimpsest poll`, which raises no silence alarm.
    public var running: (since: Date, lastCompletePoll: Date?)?

    public init(accounts: [AccountView], running: (since: Date, lastCompletePoll: Date?)? = nil) {
        self.accounts = accounts
        self.running = running
    }
}

/// Raises and clears the alarms about the monitor itself (`docs/alerts.md`): an account blind
/// longer than `blind_alarm`, no complete poll for `silence_alarm` while the daemon runs, a probe
/// host whose inconclusive answers span `probe_alarm` with no conclusive one, and a mass deletion. Each alarm is one `alarm` event when raised and one when cleared, never one per
/// poll: the alarms raised are kept in the state store (`alarms`, schema version 3), and an
/// alarm's event id is deterministic (its kind, subject, state and the start of its condition),
/// so a crash between the log append and that table repeats nothing.
public final class AlarmMonitor: Sendable {
    public let settings: AlarmSettings
    let store: StateStore

    public init(settings: AlarmSettings, store: StateStore) {
        self.settings = settings
        self.store = store
    }

    /// A raised alarm as the store keeps it.
    struct Raised: Sendable {
        var key: String
        var since: Date
        var record: AlarmRecord
        var account: AccountKey
        var name: String?
        var platform: Platform?
    }

    /// The alarms raised and not cleared.
    func raised() throws -> [String: Raised] {
        let decoder = JSONCoding.decoder()
        return try self.store.read { db in
            var result: [String: Raised] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, since, alarm FROM alarms") {
                // By storage class: a row edited into bytes that are not text is left out, as one
                // that does not decode (GRDB's conversion stopped the process).
                guard let key = StoredValue.text(row[0]) ?? nil, let text = StoredValue.text(row[2]) ?? nil,
                    let event = try? decoder.decode(Event.self, from: Data(text.utf8)), let record = event.alarm
                else {
                    continue
                }
                result[key] = Raised(
                    key: key, since: record.since, record: record, account: event.account, name: event.accountName,
                    platform: event.platform)
            }
            return result
        }
    }

    /// The alarm events due at `now`: raised for a condition that crossed its threshold and has
    /// none, cleared for one raised whose condition ended. Nothing is written.
    /// - Parameter deletions: the `deleted` events logged within `mass_deletion.window` before `now`.
    func evaluate(_ inputs: AlarmInputs, deletions: [Event], now: Date) throws -> [(key: String, event: Event)] {
        guard self.settings.enabled else { return [] }
        let raised = try self.raised()
        var due: [(key: String, event: Event)] = []
        for account in inputs.accounts {
            let key = "blind:\(account.key.rawValue)"
            let existing = raised[key]
            if let span = account.blind, span.to == nil, now.timeIntervalSince(span.from) >= self.settings.blind {
                if existing == nil {
                    var event = self.event(
                        .blind, .raised, since: span.from, threshold: self.settings.blind, account: account.key,
                        name: account.name, platform: account.platform, now: now)
                    event.blind = span
                    event.detail =
                        "blind since \(RFC3339.string(from: span.from)) (\(Plural.count(span.failedPolls, "failed poll"))): "
                        + span.failure.message
                    due.append((key, event))
                    continue
                }
            }
            if let existing, account.blind == nil || account.blind?.from != existing.since {
                var event = self.event(
                    .blind, .cleared, since: existing.since, threshold: self.settings.blind, account: account.key,
                    name: account.name, platform: account.platform, now: now)
                event.alarm?.raisedAt = existing.record.raisedAt ?? existing.since
                event.detail = "seen again after a blind span from \(RFC3339.string(from: existing.since))"
                due.append((key, event))
            }
        }
        if let running = inputs.running {
            let since = max(running.lastCompletePoll ?? running.since, running.since)
            if let existing = raised["silence"] {
                if let last = running.lastCompletePoll, last > existing.since {
                    var event = self.event(
                        .silence, .cleared, since: existing.since, threshold: self.settings.silence, account: .monitor,
                        name: nil, platform: nil, now: now)
                    event.detail = "a complete poll again at \(RFC3339.string(from: last))"
                    due.append(("silence", event))
                }
            } else if now.timeIntervalSince(since) >= self.settings.silence {
                var event = self.event(
                    .silence, .raised, since: since, threshold: self.settings.silence, account: .monitor, name: nil,
                    platform: nil, now: now)
                event.detail =
                    "no complete poll of any account since \(RFC3339.string(from: since)): every poll failed or "
                    + "none ran; check the network, the proxy and `palimpsest status`"
                due.append(("silence", event))
            }
        }
        let hosts = try self.probeHosts()
        for (host, record) in hosts.sorted(by: { $0.key < $1.key }) {
            let key = "probe_host:\(host)"
            let existing = raised[key]
            var since: Date?
            if let first = record.firstInconclusiveAt, let last = record.lastInconclusiveAt,
                last.timeIntervalSince(first) >= self.settings.probeHost
            {
                since = first
            }
            // Cleared by a conclusive answer (or a new spell begun since, which is raised anew).
            if let existing, record.firstInconclusiveAt != existing.since {
                var event = self.event(
                    .probeHost, .cleared, since: existing.since, threshold: self.settings.probeHost, account: .monitor,
                    name: nil, platform: existing.platform, now: now, subject: host)
                event.alarm?.host = host
                event.alarm?.accounts = existing.record.accounts
                event.alarm?.raisedAt = existing.record.raisedAt ?? existing.since
                event.detail =
                    "\(host) answered a probe conclusively again"
                    + (record.lastConclusiveAt.map { " at \(RFC3339.string(from: $0))" } ?? "")
                due.append((key, event))
            }
            if let since, existing == nil || existing?.since != since {
                var event = self.event(
                    .probeHost, .raised, since: since, threshold: self.settings.probeHost, account: .monitor,
                    name: nil, platform: record.platform, now: now, subject: host)
                event.alarm?.host = host
                event.alarm?.accounts = record.accounts
                event.detail =
                    "\(host) has answered no probe conclusively since \(RFC3339.string(from: since)) "
                    + "(\(Plural.count(record.inconclusiveAnswers, "inconclusive answer")), the last: \(record.lastDetail)); "
                    + "deletions of its posts wait for absence (`probe_attempts`): check the host, the proxy and the rate limits"
                due.append((key, event))
            }
        }
        let window = deletions.filter {
            $0.event == .deleted && !$0.isRepostedOriginalDeletion && $0.detectedAt <= now
                && now.timeIntervalSince($0.detectedAt) <= self.settings.massDeletionWindow
        }.sorted { ($0.seq ?? 0, $0.detectedAt) < ($1.seq ?? 0, $1.detectedAt) }
        let accounts = Set(window.map(\.account))
        let massive =
            window.count >= self.settings.massDeletionPosts && accounts.count >= self.settings.massDeletionAccounts
        if let existing = raised["mass_deletion"] {
            if !massive {
                var event = self.event(
                    .massDeletion, .cleared, since: existing.since, threshold: self.settings.massDeletionWindow,
                    account: .monitor, name: nil, platform: nil, now: now)
                event.detail =
                    "fewer deletions in the last \(DurationParser.string(from: self.settings.massDeletionWindow))"
                due.append(("mass_deletion", event))
            }
        } else if massive, let first = window.first {
            var event = self.event(
                .massDeletion, .raised, since: first.detectedAt, threshold: self.settings.massDeletionWindow,
                account: .monitor, name: nil, platform: nil, now: now, subject: first.id)
            event.alarm?.deletions = window.map {
                AlarmDeletion(id: $0.id, account: $0.account, postID: $0.postID, detectedAt: $0.detectedAt)
            }
            event.alarm?.accounts = accounts.sorted()
            event.detail =
                "\(Plural.count(window.count, "post")) deleted across \(Plural.count(accounts.count, "account")) within "
                + DurationParser.string(from: self.settings.massDeletionWindow)
            due.append(("mass_deletion", event))
        }
        return due
    }

    private func event(
        _ kind: AlarmKind, _ state: AlarmState, since: Date, threshold: TimeInterval, account: AccountKey,
        name: String?,
        platform: Platform?, now: Date, subject: String = ""
    ) -> Event {
        let proof = "\(kind.rawValue)/\(state.rawValue)/\(RFC3339.string(from: since))/\(subject)"
        var event = Event(
            id: Event.makeID(account: account, post: nil, kind: .alarm, proof: proof), detectedAt: now, event: .alarm,
            platform: platform, account: account, accountName: name)
        event.alarm = AlarmRecord(
            kind: kind, state: state, since: since, thresholdSeconds: Int(threshold),
            raisedAt: state == .raised ? now : nil)
        return event
    }

    /// A probe host's answers since its last conclusive one, kept in `store_meta` under
    /// `probe_host:<host>` (JSON, `docs/state-format.md`).
    struct ProbeHostRecord: Codable, Sendable, Hashable {
        /// Format version (1).
        var v = 1
        var host: String
        /// The last poll whose probes the host answered conclusively, UTC.
        var lastConclusiveAt: Date?
        /// The first inconclusive answer since ``lastConclusiveAt``, UTC; `nil` when none.
        var firstInconclusiveAt: Date?
        /// The last inconclusive answer since ``lastConclusiveAt``, UTC.
        var lastInconclusiveAt: Date?
        /// Inconclusive answers since ``lastConclusiveAt``.
        var inconclusiveAnswers = 0
        /// The last inconclusive answer's detail.
        var lastDetail = ""
        /// The accounts whose probes went unanswered since ``firstInconclusiveAt``, sorted.
        var accounts: [AccountKey] = []
        /// Their platform when they share one.
        var platform: Platform?

        enum CodingKeys: String, CodingKey {
            case v, host, accounts, platform
            case lastConclusiveAt = "last_conclusive_at"
            case firstInconclusiveAt = "first_inconclusive_at"
            case lastInconclusiveAt = "last_inconclusive_at"
            case inconclusiveAnswers = "inconclusive_answers"
            case lastDetail = "last_detail"
        }

        /// Takes one poll's answers; an answer older than the record's last conclusive (or
        /// inconclusive) one does not undo what the newer one said.
        mutating func take(_ answer: ProbeHostAnswer) {
            if answer.conclusive {
                if let first = self.firstInconclusiveAt, answer.at < first { return }
                self.lastConclusiveAt = max(self.lastConclusiveAt ?? answer.at, answer.at)
                self.firstInconclusiveAt = nil
                self.lastInconclusiveAt = nil
                self.inconclusiveAnswers = 0
                self.lastDetail = ""
                self.accounts = []
                self.platform = nil
            } else {
                if let last = self.lastConclusiveAt, answer.at < last { return }
                let isFirst = self.firstInconclusiveAt == nil
                self.firstInconclusiveAt = min(self.firstInconclusiveAt ?? answer.at, answer.at)
                self.lastInconclusiveAt = max(self.lastInconclusiveAt ?? answer.at, answer.at)
                self.inconclusiveAnswers += answer.inconclusiveAnswers
                self.lastDetail = answer.detail
                if !self.accounts.contains(answer.account) {
                    self.accounts = (self.accounts + [answer.account]).sorted()
                }
                self.platform = isFirst || self.platform == answer.platform ? answer.platform : nil
            }
        }
    }

    static let probeHostPrefix = "probe_host:"

    /// The probe hosts' records.
    func probeHosts() throws -> [String: ProbeHostRecord] {
        let decoder = JSONCoding.decoder()
        return try self.store.read { db in
            var result: [String: ProbeHostRecord] = [:]
            let rows = try Row.fetchAll(
                db, sql: "SELECT key, value FROM store_meta WHERE key LIKE ?", arguments: [Self.probeHostPrefix + "%"])
            for row in rows {
                guard let value = StoredValue.text(row[1]) ?? nil,
                    let record = try? decoder.decode(ProbeHostRecord.self, from: Data(value.utf8))
                else { continue }
                result[record.host] = record
            }
            return result
        }
    }

    /// Records what the probe hosts answered to one poll (``ProbeHostAnswer``), in one transaction.
    /// - Throws: ``StoreError`` when the store cannot be written.
    func noteProbes(_ answers: [ProbeHostAnswer]) throws {
        guard !answers.isEmpty else { return }
        let decoder = JSONCoding.decoder()
        let encoder = JSONCoding.lineEncoder()
        do {
            try self.store.pool.write { db in
                for answer in answers {
                    let key = Self.probeHostPrefix + answer.host
                    var record = ProbeHostRecord(host: answer.host)
                    if let value = try String.fetchOne(
                        db, sql: "SELECT value FROM store_meta WHERE key = ?", arguments: [key]),
                        let kept = try? decoder.decode(ProbeHostRecord.self, from: Data(value.utf8))
                    {
                        record = kept
                    }
                    record.take(answer)
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)",
                        arguments: [key, String(decoding: try encoder.encode(record), as: UTF8.self)])
                }
            }
        } catch {
            throw StateStore.storeError(error, path: self.store.databaseURL.path, operation: "record probe answers")
        }
    }

    /// Records in the store what the logged alarm events raised and cleared.
    func record(_ due: [(key: String, event: Event)]) throws {
        let encoder = JSONCoding.lineEncoder()
        do {
            try self.store.pool.write { db in
                for (key, event) in due {
                    guard let alarm = event.alarm else { continue }
                    switch alarm.state {
                    case .raised:
                        let json = String(decoding: try encoder.encode(event), as: UTF8.self)
                        try db.execute(
                            sql: """
                                INSERT OR REPLACE INTO alarms (key, kind, since, raised_at, event_id, alarm)
                                VALUES (?, ?, ?, ?, ?, ?)
                                """,
                            arguments: [
                                key, alarm.kind.rawValue, RFC3339.string(from: alarm.since),
                                RFC3339.string(from: event.detectedAt), event.id, json,
                            ])
                    case .cleared:
                        try db.execute(sql: "DELETE FROM alarms WHERE key = ?", arguments: [key])
                    }
                }
            }
        } catch {
            throw StateStore.storeError(error, path: self.store.databaseURL.path, operation: "record alarms")
        }
    }
}
