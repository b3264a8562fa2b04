import Foundation

/// The readable listing `palimpsest check-config` prints for a valid config.
public enum ConfigSummary {
    /// Lists the config file, the daemon settings and every account with its keys.
    ///
    /// Header values are never printed (they may hold cookies or tokens), only their names, and a
    /// proxy's password is shown as `***`.
    ///
    /// - Parameter config: A loaded config.
    /// - Returns: Several lines of text, ending with a newline.
    public static func describe(_ config: PalimpsestConfig) -> String {
        let daemon = config.daemon
        var lines: [String] = []
        lines.append("Config file: \(TerminalText.singleLine(config.file.path))")
        lines.append("")
        lines.append("Daemon:")
        var daemonRows: [(String, String)] = [
            ("state_dir", daemon.stateDirectory.path),
            ("deletion_log", daemon.deletionLog.path),
            ("interval", "\(DurationParser.string(from: daemon.interval)) ± \(Self.percent(daemon.jitter)) jitter"),
            ("concurrency", "\(Plural.count(daemon.concurrency, "request")), \(daemon.perHostConcurrency) per host"),
            (
                "timeout",
                "\(DurationParser.string(from: daemon.timeout)) "
                    + "(connect \(DurationParser.string(from: daemon.connectTimeout)))"
            ),
            ("user_agent", daemon.userAgent),
            ("proxy", daemon.proxy.map(ConfigReader.redactingPassword) ?? "none"),
            ("max_body_size", ByteSizeParser.string(from: daemon.maxBodyBytes)),
            (
                "confirm",
                "absent from \(daemon.confirmPolls) complete \(daemon.confirmPolls == 1 ? "poll" : "polls") "
                    + "spanning at least \(DurationParser.string(from: daemon.confirmMinAge)) (when no probe answers)"
            ),
            (
                "stale_tolerance",
                "a listing repeating an older one is taken as current after "
                    + DurationParser.string(from: daemon.staleTolerance)
            ),
            (
                "probe_attempts",
                "\(Plural.count(daemon.probeAttempts, "inconclusive probe answer")), then absence may confirm"
            ),
            ("snapshot_retention", "\(Plural.count(daemon.snapshotRetention, "snapshot")) per account"),
            ("max_items", "\(Plural.count(daemon.maxItems, "post")) per poll of an account (the newest)"),
            ("event_text_limit", "\(ByteSizeParser.string(from: daemon.eventTextLimit)) per text field of an event"),
        ]
        if let address = daemon.metricsListen {
            daemonRows.append(
                (
                    "metrics_listen",
                    "http://\(address)/metrics"
                        + (address.isLoopback ? "" : " (not loopback: anyone who can reach it can read it)")
                ))
        }
        if let shard = daemon.shard {
            daemonRows.append(
                (
                    "shard",
                    "\(shard) (this instance watches \(config.watchedAccounts.count) of "
                        + "\(Plural.count(config.accounts.count, "account")))"
                ))
        }
        lines += Self.table(daemonRows, indent: "  ")
        lines.append("")
        lines.append("Digest:")
        let digest = config.digest
        var digestRows: [(String, String)] = [
            ("time_zone", DigestFormat.zoneName(digest.timeZone)),
            ("dir", digest.directory.path),
            ("entries_in_full", digest.entriesInFull == 0 ? "0 (every entry)" : String(digest.entriesInFull)),
        ]
        if !digest.extraLogs.isEmpty {
            digestRows.append(("logs", digest.extraLogs.map(\.path).joined(separator: ", ")))
        }
        if let smtp = digest.smtp {
            let security =
                smtp.isImplicitTLS ? "TLS" : (smtp.requiresSTARTTLS ? "STARTTLS required" : "no TLS: starttls = false")
            digestRows.append(("smtp", "\(CurlSMTPSender.displayURL(smtp.url)) (\(security))"))
            if let username = smtp.username {
                digestRows.append(("login", "\(username), password from \(smtp.passwordFile?.path ?? "?")"))
            }
            digestRows.append(("mail", "from \(smtp.from) to \(smtp.to.joined(separator: ", "))"))
            digestRows.append(
                (
                    "attachment",
                    smtp.maxAttachmentBytes == 0
                        ? "never (max_attachment_size = 0)"
                        : "events.csv when at most \(ByteSizeParser.string(from: smtp.maxAttachmentBytes))"
                ))
        } else {
            digestRows.append(("smtp", "none (--send needs a [digest.smtp] table)"))
        }
        lines += Self.table(digestRows, indent: "  ")
        lines.append("")
        if !config.alerts.isEmpty || config.alarms.enabled || config.feedOut != nil {
            lines.append("Alerts (docs/alerts.md):")
            var alertRows: [(String, String)] = []
            for sink in config.alerts {
                let target: String =
                    switch sink.kind {
                    case .webhook: sink.url?.absoluteString ?? "?"
                    case .apprise:
                        "\(Plural.count(sink.appriseURLs.count, "URL"))"
                            + (sink.appriseURLsFile.map { " + \($0.path)" } ?? "")
                    case .email: (sink.to.isEmpty ? config.digest.smtp?.to ?? [] : sink.to).joined(separator: ", ")
                    }
                let events =
                    sink.filter.events.map { $0.map(\.rawValue).sorted().joined(separator: ",") } ?? "all events"
                let batch = sink.batch.map { ", batch \(DurationParser.string(from: $0))" } ?? ""
                alertRows.append(
                    (sink.name, "\(sink.kind.rawValue) \(TerminalText.singleLine(target)) (\(events)\(batch))"))
            }
            let alarms = config.alarms
            alertRows.append(
                (
                    "alarms",
                    alarms.enabled
                        ? "blind \(DurationParser.string(from: alarms.blind)), silence \(DurationParser.string(from: alarms.silence)), "
                            + "probe host \(DurationParser.string(from: alarms.probeHost)), mass deletion \(alarms.massDeletionPosts) posts across \(alarms.massDeletionAccounts) accounts "
                            + "within \(DurationParser.string(from: alarms.massDeletionWindow))"
                        : "off"
                ))
            if let feed = config.feedOut {
                alertRows.append(
                    (
                        "feed_out",
                        "\(feed.path.path) and \(feed.jsonFeedPath.lastPathComponent) (\(feed.entries) entries)"
                    ))
            }
            lines += Self.table(alertRows, indent: "  ")
            lines.append("")
        }
        switch config.accounts.count {
        case 0:
            lines.append(
                "Accounts: none. The file is valid, but `palimpsest run` refuses to start (exit status 78) until "
                    + "an [[account]] table is added: a daemon watching nothing would look healthy.")
        case 1: lines.append("Accounts (1):")
        case let count: lines.append("Accounts (\(count)):")
        }
        for (offset, account) in config.accounts.enumerated() {
            lines.append("  #\(offset + 1) \(TerminalText.singleLine(account.key.rawValue))")
            var rows: [(String, String)] = []
            if let name = account.name { rows.append(("name", name)) }
            rows.append(("platform", account.platform.rawValue))
            rows += account.source.value.summaryRows.map { ($0.key, $0.value) }
            let interval = DurationParser.string(from: account.interval)
            rows.append(("interval", account.interval == daemon.interval ? "\(interval) (daemon's)" : interval))
            let proxy: String =
                switch account.proxy {
                case nil: daemon.proxy.map { "\(ConfigReader.redactingPassword($0)) (daemon's)" } ?? "none"
                case ""?: "none (daemon's proxy turned off)"
                case let own?: ConfigReader.redactingPassword(own)
                }
            rows.append(("proxy", proxy))
            if account.maxItems != daemon.maxItems {
                rows.append(("max_items", "\(account.maxItems) posts per poll (the newest)"))
            }
            if !account.headers.isEmpty {
                rows.append(("headers", account.headers.keys.sorted().joined(separator: ", ") + " (values hidden)"))
            }
            if let shard = daemon.shard {
                let index = AccountShard.shardIndex(of: account.key, count: shard.count)
                rows.append(
                    (
                        "shard",
                        "\(index)/\(shard.count)" + (index == shard.index ? " (watched here)" : " (another instance)")
                    ))
            }
            lines += Self.table(rows, indent: "     ")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Rows `key  value`, aligned; each value on one line without control or bidirectional
    /// characters (names and values come from the file).
    private static func table(_ rows: [(String, String)], indent: String) -> [String] {
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { key, value in
            indent + key + String(repeating: " ", count: width - key.count + 2) + TerminalText.singleLine(value)
        }
    }

    private static func percent(_ fraction: Double) -> String {
        let value = fraction * 100
        return value == value.rounded() ? "\(Int(value))%" : "\(value)%"
    }
}
