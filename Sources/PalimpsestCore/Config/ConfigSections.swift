import Foundation

/// The key tables of the config file's own tables (the platforms' account keys are in
/// `Platforms/<Name>/<Name>Source.swift`): one ``ConfigKey`` per key, in the order of
/// `docs/configuration.md`.
enum ConfigSections {
    /// The tables accepted at the top level.
    static let topLevel = ConfigSection(
        title: "top-level tables",
        keys: [
            ConfigKey(
                "daemon", .table("table"), default: "every key's default",
                "How the daemon polls, where it keeps state (`[daemon]`)."),
            ConfigKey(
                "account", .tables("array of tables"), default: "none", "The accounts watched, one `[[account]]` each."),
            ConfigKey(
                "digest", .table("table"), default: "defaults",
                "The weekly digest and its mail (`[digest]`, `[digest.smtp]`)."),
            ConfigKey("alert", .tables("array of tables"), default: "none", "Alert sinks, one `[[alert]]` each."),
            ConfigKey("alarms", .table("table"), default: "defaults", "Alarms about the monitor itself (`[alarms]`)."),
            ConfigKey(
                "feed_out", .table("table"), default: "none",
                "An Atom feed and a JSON Feed of the newest events (`[feed_out]`)."),
            ConfigKey(
                "evidence", .table("table"), default: "defaults",
                "Signed checkpoints and time stamps of the deletion log (`[evidence]`)."),
        ])

    /// The keys of `[daemon]`.
    static let daemon = ConfigSection(
        title: "[daemon] keys",
        keys: [
            ConfigKey(
                "state_dir", .path(.folder), default: "`/var/lib/palimpsest`",
                "Folder for snapshots, the post archive and evidence (raw responses)."),
            ConfigKey(
                "deletion_log", .path(.file), default: "`<state_dir>/deletions.jsonl`",
                "The JSON Lines deletion log (`docs/deletion-log.md`)."),
            ConfigKey(
                "interval", .duration(DaemonSettings.minimumInterval...DaemonSettings.maximumInterval),
                default: "`\"10m\"` (600 s)",
                "Time between two polls of an account, before jitter. Accounts may override it. Twice the interval (with the most jitter) is also the longest gap between two polls that still counts as watched (`docs/digest.md`, \"Coverage\")."
            ),
            ConfigKey(
                "jitter", .fraction(DaemonSettings.jitterRange), default: "`0.1`",
                "Each wait is `interval × (1 ± jitter)`, chosen at random, so accounts do not poll in lockstep."),
            ConfigKey(
                "concurrency", .integer(1...1_024), default: "`64`",
                "Most HTTP requests in flight at once, over all hosts."),
            ConfigKey(
                "per_host_concurrency", .integer(1...1_024), default: "`4`",
                "Most HTTP requests in flight to one host."),
            ConfigKey(
                "timeout", .duration(1...3_600), default: "`\"30s\"`",
                "Longest time a whole request may take (connect, send, receive)."),
            ConfigKey(
                "connect_timeout", .duration(1...3_600), default: "`\"10s\"`",
                "Longest time the connection phase (DNS, TCP, TLS) may take; at most `timeout`, which cuts the whole request (`check-config` warns otherwise)."
            ),
            ConfigKey(
                "user_agent", .string, format: "string, one line",
                default: "`\"Palimpsest/0.1.0 (deletion monitor)\"` (the version of palimpsest)",
                "`User-Agent` of every request."),
            ConfigKey(
                "proxy", .string, format: "proxy URL or `\"\"`", default: "none",
                "Proxy for every request. `\"\"` is the same as no key. Accounts may override it."),
            ConfigKey(
                "max_body_size", .byteSize(1_024...(1 << 30)), default: "`\"8MiB\"`",
                "Larger response bodies fail the request; that poll is a blind span, never evidence."),
            ConfigKey(
                "confirm_polls", .integer(1...100), default: "`2`",
                "Without a probe, a post must be missing from this many consecutive complete snapshots before its deletion is logged (`confirmed_by: absence`)."
            ),
            ConfigKey(
                "confirm_min_age", .duration(0...(30 * 86_400)), default: "`\"20m\"` (1200 s)",
                "...and those snapshots must span at least this long. The same two keys prove a restore where no probe answers (`confirmed_by: listing`)."
            ),
            ConfigKey(
                "probe_attempts", .integer(1...1_000), default: "`6`",
                "A candidate whose probe answers nothing conclusive (5xx, timeout, a visitor wall, another host's answer) this many times, one per poll, over at least `confirm_min_age`, may then be confirmed by absence (`confirmed_by: absence`, reason `unknown`, the inconclusive answers cited as evidence)."
            ),
            ConfigKey(
                "stale_tolerance", .duration(0...(7 * 86_400)), default: "`\"2h\"` (7200 s)",
                "A listing identical to an earlier one that a newer listing replaced, with no post edited since (a newer `lastBuildDate` or an unseen `ETag` proves nothing: feeds generated on request stamp every answer), is taken for a lagging replica or cache (stale: it proves nothing) until it has been served in `confirm_polls` consecutive polls spanning this long; then the account went back to that state (a post published and deleted again, an edit reverted) and it counts. Longer: fewer false findings from a cache stuck that long; shorter: such findings logged sooner. See `docs/evidence.md`, rule 3."
            ),
            ConfigKey(
                "snapshot_retention", .integer(1...10_000), default: "`10`",
                "Latest snapshots kept per account; snapshots an event cites are always kept."),
            ConfigKey(
                "shard", .string, format: "`\"k/n\"`, 1 ≤ k ≤ n ≤ 4096", default: "none (all accounts)",
                "This instance watches only the accounts whose key hashes to shard `k` of `n` (first 8 bytes of the SHA-256 of the key, big-endian, mod `n`, plus 1), so several hosts can share one config. `check-config` shows each account's shard. See `docs/operating.md`."
            ),
            ConfigKey(
                "metrics_listen", .string, format: "`\"ip:port\"`, `\"[ip6]:port\"` or `\"\"`", default: "none (off)",
                "Serve Prometheus metrics at `http://ip:port/metrics`. No authentication: keep it on loopback (`\"127.0.0.1:9464\"`); see `docs/operating.md` before exposing it. Host names are refused."
            ),
            ConfigKey(
                "max_items", .integer(1...DaemonSettings.maximumMaxItems), default: "`1000`",
                "The most posts one poll of an account keeps: pinned posts first, then the newest end of the list (its start when the list runs newest first, its end when its dates run oldest first). The timeline window, floor included, is that of the posts kept, so a post that falls past the cut ages out and is never a deletion candidate. Feeds parse only their first and last `max_items` items, so a feed of 100,000 items stays cheap. Accounts may override it."
            ),
            ConfigKey(
                "event_text_limit", .byteSize(1_024...(64 << 20)), default: "`\"64KiB\"`",
                "The most bytes of UTF-8 an event stores in each of `text`, `previous_text`, `diff` and `detail`; a longer text is cut on a character boundary and the event says `text_truncated: true`. The post archive (`posts.jsonl`) keeps every version in full."
            ),
        ])

    /// The keys every `[[account]]` accepts; each platform adds its own (``PlatformSources``).
    static let account = ConfigSection(
        title: "account keys",
        keys: [
            ConfigKey(
                "platform", .string, required: true, default: "",
                "`\"feed\"`, `\"mastodon\"`, `\"weibo\"`, `\"bluesky\"`, `\"telegram\"` or `\"url\"`. Decides which other keys are accepted."
            ),
            ConfigKey(
                "name", .string, format: "string, non-empty", default: "the key",
                "Display name for operators and the log's `account_name`."),
            ConfigKey(
                "interval", .duration(DaemonSettings.minimumInterval...DaemonSettings.maximumInterval),
                default: "daemon's `interval`",
                "This account's poll interval."),
            ConfigKey(
                "proxy", .string, format: "proxy URL or `\"\"`", default: "daemon's `proxy`",
                "This account's proxy; `\"\"` turns the daemon's proxy off for it."),
            ConfigKey(
                "headers", .table("table of strings"), default: "none",
                "Extra request headers, e.g. `headers = { Cookie = \"…\", Accept-Language = \"zh-CN\" }`. Names are HTTP tokens (case-insensitive, each once); values are one line. Never printed."
            ),
            ConfigKey(
                "max_items", .integer(1...DaemonSettings.maximumMaxItems), default: "daemon's `max_items`",
                "The most posts one poll of this account keeps (the newest end of the list; see `[daemon]`). `check-config` shows it when it differs from the daemon's."
            ),
        ])

    /// The keys of `[digest]`.
    static let digest = ConfigSection(
        title: "[digest] keys",
        keys: [
            ConfigKey(
                "time_zone", .string, format: "IANA zone name", default: "`\"UTC\"`",
                "The zone whose ISO weeks (Monday 00:00 to Monday 00:00) the digest covers and in which it shows times, e.g. `\"Asia/Shanghai\"`, `\"Europe/Berlin\"`. `--time-zone` overrides it."
            ),
            ConfigKey(
                "dir", .path(.folder), default: "`<state_dir>/digests`",
                "Receives one folder per week, `2026-W48/`, with `digest.md`, `digest.html`, `events.csv`, `digest.json`. `--out` overrides it."
            ),
            ConfigKey(
                "logs", .strings("paths or glob patterns"), default: "none",
                "More deletion logs to read besides `deletion_log`, e.g. copies from other hosts watching other accounts: `[\"/srv/palimpsest/hosts/*/deletions.jsonl\"]`. Patterns (`*`, `?`, `[…]`) are expanded like the shell's; one that matches no file is an error when the digest runs (`check-config` warns about it). Each log is read with its rotated files (`deletions.jsonl.1`, `….2.gz`, `…-20261101.gz`; a rotated file matched by a pattern stands for its log). An event id found in two logs counts once."
            ),
            ConfigKey(
                "entries_in_full", .integer(0...DigestSettings.maximumEntriesInFull), default: "`1000`",
                "The most entries (deleted, altered, restored posts, deleted originals an account reposted, account events; an account with nothing found counts as one) that `digest.md` and `digest.html` show in full, accounts with the most deletions first. The accounts past it get no section: the tables count them together, those that became unavailable or came back are still named, and a notice under the title says how much is shown. `events.csv` and `digest.json` always hold every event. `0` shows everything (a week of 100,000 events is then ~230 MB of HTML, too large to mail). `--entries-in-full` overrides it."
            ),
            ConfigKey("smtp", .table("table"), default: "none", "`[digest.smtp]`", isDocumented: false),
        ])

    /// The keys of `[digest.smtp]`.
    static let smtp = ConfigSection(
        title: "[digest.smtp] keys",
        keys: [
            ConfigKey(
                "url", .string, required: true, default: "",
                "`\"smtp://host[:port]\"` (port 25 by default; 587 for submission) upgraded with STARTTLS, or `\"smtps://host[:port]\"` (TLS from the start, port 465 by default). No `user:password@`."
            ),
            ConfigKey(
                "starttls", .boolean, default: "`true`",
                "For `smtp://`: refuse to send unless the server upgrades to TLS. Set `false` only for a relay on loopback. Ignored for `smtps://`."
            ),
            ConfigKey(
                "username", .string, default: "none",
                "SMTP AUTH user; needs `password_file`. Without it the message is sent without logging in."),
            ConfigKey(
                "password_file", .path(.file), default: "none",
                "File holding the SMTP password (one trailing newline is ignored), read only when sending and never printed. **The password itself is never in the config**: a `password` key is an error."
            ),
            ConfigKey(
                "from", .string, format: "address", required: true, default: "",
                "Sender (`MAIL FROM` and `From:`), a plain address such as `\"palimpsest@example.org\"`."),
            ConfigKey(
                "to", .strings("addresses"), required: true, default: "",
                "Recipients (`RCPT TO` and `To:`), at least one, e.g. `[\"desk@example.org\"]`."),
            ConfigKey(
                "max_attachment_size", .byteSize(0...(1 << 30)), default: "`\"10MiB\"`",
                "The largest `events.csv` attached to the message. A larger one (a week of 100,000 events makes ~56 MB; base64 adds a third, and most mail servers refuse messages over 10 to 25 MB) is left out, and the message says so and where the file is on the host. `0` never attaches it."
            ),
        ])

    /// The keys of `[[alert]]` (docs/alerts.md).
    static let alert = ConfigSection(
        title: "[[alert]] keys",
        keys: [
            ConfigKey(
                "type", .string, required: true, default: "",
                "`\"webhook\"` (signed HTTP POST of JSON), `\"apprise\"` (the `apprise` command) or `\"email\"` (through `[digest.smtp]`, which must then exist)"
            ),
            ConfigKey(
                "name", .string, default: "`\"<type>-<n>\"`",
                "The sink's name (unique): logs, the outbox, `palimpsest alert test --sink NAME`"),
            ConfigKey(
                "url", .string, format: "http(s) URL", default: "required for webhook",
                "Where each alert is POSTed"),
            ConfigKey(
                "secret_file", .path(.file), default: "required for webhook",
                "File holding the HMAC-SHA256 key of `Palimpsest-Signature`"),
            ConfigKey(
                "urls", .strings("strings"), default: "—",
                "Apprise URLs, each `scheme://…` (apprise needs `urls` or `urls_file`)"),
            ConfigKey(
                "urls_file", .path(.file), default: "—",
                "File of Apprise URLs, one a line, for URLs that hold tokens"),
            ConfigKey(
                "to", .strings("addresses"), default: "`[digest.smtp] to`",
                "E-mail recipients"),
            ConfigKey(
                "events", .strings("strings"), default: "all",
                "Event kinds sent: `deleted`, `altered`, `restored`, `account_unavailable`, `account_restored`, `blind`, `alarm`. This and the three filters below: absent lets every event through; an empty list is an error (it would let none through)"
            ),
            ConfigKey(
                "reasons", .strings("strings"), default: "all",
                "Only events with one of these reasons (see `docs/deletion-log.md`)"),
            ConfigKey(
                "accounts", .strings("strings"), default: "all",
                "Account keys or globs, e.g. `[\"weibo:*\", \"mastodon:@user@example.social\"]`; `monitor` for alarms about the whole monitor. `check-config` warns about one that matches no configured account"
            ),
            ConfigKey(
                "platforms", .strings("strings"), default: "all",
                "Only accounts of these platforms"),
            ConfigKey(
                "batch", .duration(0...86_400), default: "none",
                "Window that gathers everything waiting into one message (`\"5m\"`); `\"0s\"` or absent: one message per event. At most `\"24h\"`"
            ),
            ConfigKey(
                "max_age", .duration(60...(30 * 86_400)), default: "`\"24h\"`",
                "How long a failed delivery is retried (exponential backoff with jitter) before it is given up and reported once; 1 min to 30 days"
            ),
            ConfigKey(
                "timeout", .duration(1...600), default: "`\"30s\"`",
                "Time for one delivery attempt; 1 s to 10 min"),
        ])

    /// The keys of `[alarms]`.
    static let alarms = ConfigSection(
        title: "[alarms] keys",
        keys: [
            ConfigKey(
                "enabled", .boolean, default: "`true` when `[[alert]]` or `[alarms]` is present",
                "`false` turns alarms off"),
            ConfigKey(
                "blind_alarm", .duration(60...(30 * 86_400)), default: "`\"1h\"`",
                "An account blind this long raises a `blind` alarm, cleared when it is seen again"),
            ConfigKey(
                "silence_alarm", .duration(60...(30 * 86_400)), default: "`\"30m\"`",
                "No complete poll of any account this long while the daemon runs raises a `silence` alarm"),
            ConfigKey(
                "probe_alarm", .duration(60...(30 * 86_400)), default: "`\"2h\"`",
                "A probe host whose inconclusive answers (5xx, timeouts, rate limits, walls) span this long with no conclusive one raises a `probe_host` alarm, cleared by its next conclusive answer"
            ),
            ConfigKey(
                "mass_deletion", .table("table"), default: "defaults", "`[alarms.mass_deletion]`", isDocumented: false),
        ])

    /// The keys of `[alarms.mass_deletion]`, listed in the docs' `[alarms]` table.
    static let massDeletion = ConfigSection(
        title: "[alarms.mass_deletion] keys",
        documentationPrefix: "mass_deletion.",
        keys: [
            ConfigKey(
                "posts", .integer(2...100_000), default: "`10`",
                "`[alarms.mass_deletion]`: deletions within the window that raise a `mass_deletion` alarm…"),
            ConfigKey(
                "accounts", .integer(1...100_000), default: "`3`",
                "…across at least this many accounts…"),
            ConfigKey(
                "window", .duration(60...(7 * 86_400)), default: "`\"1h\"`",
                "…within this window"),
        ])

    /// The keys of `[feed_out]`.
    static let feedOut = ConfigSection(
        title: "[feed_out] keys",
        keys: [
            ConfigKey(
                "path", .path(.file), required: true, default: "",
                "The Atom file, e.g. `\"/var/lib/palimpsest/public/deletions.atom\"`; the JSON Feed is the same name with `.json`"
            ),
            ConfigKey(
                "entries", .integer(1...10_000), default: "`100`",
                "How many of the newest events the feeds hold (1 to 10,000)"),
            ConfigKey(
                "title", .string, default: "`\"Palimpsest: deletions\"`",
                "The feeds' title"),
            ConfigKey(
                "events", .strings("strings"), default: "all but `blind`",
                "Event kinds listed (an empty list is an error)"),
        ])

    /// The keys of `[evidence]`.
    static let evidence = ConfigSection(
        title: "[evidence] keys",
        keys: [
            ConfigKey(
                "signing_key_file", .path(.file), default: "`<state_dir>/checkpoint-key.pem`",
                "The Ed25519 private key (PKCS#8 PEM, mode 0600) that signs the log's checkpoints; `palimpsest keygen` writes it and its public key (`.pub` beside it). Without the file no checkpoint is written (the daemon says so when it starts)."
            ),
            ConfigKey(
                "checkpoint_interval", .duration(60...(7 * 86_400)), default: "`\"1h\"`",
                "How often the running daemon appends a signed `checkpoint` line (only when lines were appended since the last one). It also writes one when it stops, `palimpsest digest` one before each digest, and `palimpsest evidence export` one when none covers the exported events yet."
            ),
            ConfigKey(
                "tsa_urls", .strings("`http(s)://` URLs"), default: "none",
                "RFC 3161 time-stamp authorities: each checkpoint's tree head is sent to each (`POST`, `application/timestamp-query`, over the daemon's libcurl client with its proxy) and the answer kept in `state_dir/timestamps/`. A failed authority is reported and asked again at the next checkpoint; it never delays polling."
            ),
            ConfigKey(
                "tsa_ca_file", .path(.file), default: "none",
                "PEM certificates of the authorities' CAs: `palimpsest verify` checks each kept answer's signature against them (without it, a kept answer is reported as not verifiable). Copied into evidence bundles."
            ),
        ])
}
