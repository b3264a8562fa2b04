public import Foundation
import TOMLKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `palimpsest check-config` warns about in a valid config: things that do not make the file
/// invalid but will fail or leak once it runs.
///
/// - A `[digest] logs` path or pattern that matches no file (the digest refuses to run then).
/// - A key naming a file that holds a secret (`cookie_file`, `password_file`, `secret_file`,
///   `urls_file`) whose
///   file does not exist, is a folder, or cannot be read by the user the systemd units run as
///   (``ServiceUser/name``, when that user exists here; judged from the owners and permission bits
///   of the file and of every folder above it, ACLs aside), else by the user running the check. A
///   path under `/run/credentials/` is a systemd credential (`LoadCredential=`), present only while
///   its unit runs, so it is not checked.
/// - `[digest.smtp]` that logs in (`username`, `password_file`) over a connection that is neither
///   `smtps://` nor upgraded with STARTTLS (`smtp://` with `starttls = false`): the password would
///   cross the network in clear text (`CurlSMTPSender` sets `CURLOPT_USE_SSL` only when
///   ``SMTPSettings/requiresSTARTTLS``).
/// - `[evidence] tsa_ca_file` missing or unreadable (judged as the secret files): `verify` and the
///   digest fail on every timestamped checkpoint until it can be read.
/// - `state_dir` naming something other than a folder, `deletion_log` naming a folder.
/// - An `[[alert]] accounts` entry that matches no configured account.
/// - `connect_timeout` longer than `timeout` (libcurl's `CURLOPT_TIMEOUT` bounds the whole
///   transfer, connection included: https://curl.se/libcurl/c/CURLOPT_TIMEOUT.html).
///
/// Warnings use the ``ConfigError`` format (`file:line:column: account #N ("name"): key `k`: …`).
public enum ConfigWarnings {
    /// Keys whose value names a file holding a secret, checked for existence and readability.
    public static let secretFileKeys: Set<String> = ["cookie_file", "password_file", "secret_file", "urls_file"]

    /// Where systemd puts a unit's credentials (`LoadCredential=`, systemd.exec(5)): those files
    /// exist only while the unit runs.
    static let credentialsFolder = "/run/credentials/"

    /// The user the systemd units run as (`User=` in `systemd/*.service`, created by
    /// `systemd/palimpsest.sysusers`): files the daemon and the digest read must be readable by it.
    public struct ServiceUser: Sendable, Hashable {
        /// The units' user name.
        public static let name = "palimpsest"

        /// The user's name.
        public var name: String
        /// Its uid.
        public var uid: UInt32
        /// Its primary and supplementary group ids.
        public var groups: [UInt32]

        /// Creates a user description (tests; ``lookUp()`` reads the system's).
        public init(name: String, uid: UInt32, groups: [UInt32]) {
            self.name = name
            self.uid = uid
            self.groups = groups
        }

        /// The user ``name`` from the system's user database (`getpwnam(3)`, `getgrouplist(3)`), or
        /// `nil` when it does not exist here (no `make install`, or not under systemd).
        public static func lookUp() -> ServiceUser? {
            guard let entry = getpwnam(Self.name) else { return nil }
            let uid = entry.pointee.pw_uid
            let gid = entry.pointee.pw_gid
            var count: Int32 = 64
            var groups = [gid_t](repeating: 0, count: Int(count))
            if getgrouplist(Self.name, gid, &groups, &count) < 0 {
                groups = [gid]
            } else {
                groups = Array(groups.prefix(Int(count)))
            }
            return ServiceUser(name: Self.name, uid: UInt32(uid), groups: groups.map { UInt32($0) })
        }
    }

    /// The warnings for `config`, with line numbers from the text it was loaded from (a config
    /// built in code is read again from its file).
    /// - Parameters:
    ///   - config: A config loaded with ``ConfigLoader/load(from:)``.
    ///   - serviceUser: The user whose access to secret files matters; by default the units' user
    ///     when it exists here, else access is judged for the user running the check.
    /// - Returns: The warnings in file order; empty when there is nothing to warn about (or, for a
    ///   config built in code, the file cannot be read).
    public static func find(
        in config: PalimpsestConfig,
        serviceUser: ServiceUser? = ServiceUser.lookUp()
    ) -> [ConfigError] {
        // A config ``ConfigLoader`` loaded carries its text and the paths read from it: reading and
        // parsing the file again doubled `check-config`'s time and peak memory at 100,000 accounts.
        if let text = config.sourceText, let paths = config.pathReferences {
            let reader = ConfigReader(file: config.file, sourceMap: ConfigSourceMap(text: text), paths: paths)
            return self.find(in: config, reader: reader, serviceUser: serviceUser)
        }
        guard let data = try? Data(contentsOf: config.file), let text = String(data: data, encoding: .utf8) else {
            return []
        }
        return self.find(in: config, text: text, serviceUser: serviceUser)
    }

    /// The warnings for `config`, whose file's text is `text`.
    /// - Parameters:
    ///   - config: The config parsed from `text` (``ConfigLoader/parse(_:file:)``).
    ///   - text: The TOML document.
    ///   - serviceUser: The user whose access to secret files matters, or `nil` for the user running
    ///     the check.
    /// - Returns: The warnings in file order.
    public static func find(in config: PalimpsestConfig, text: String, serviceUser: ServiceUser?) -> [ConfigError] {
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        var reader = ConfigReader(file: config.file, sourceMap: ConfigSourceMap(text: text))
        guard (try? TOMLDocument.withRoot(of: text, { _ = reader.read($0) })) != nil else { return [] }
        return self.find(in: config, reader: reader, serviceUser: serviceUser)
    }

    /// The warnings for `config`, with `reader` holding the paths read from its text and the map
    /// of that text.
    private static func find(in config: PalimpsestConfig, reader: ConfigReader, serviceUser: ServiceUser?)
        -> [ConfigError]
    {
        let sourceMap = reader.sourceMap
        var warnings: [ConfigError] = []
        for reference in reader.paths where Self.secretFileKeys.contains(reference.key) {
            guard !reference.url.path.hasPrefix(Self.credentialsFolder),
                let problem = Self.problem(readingFile: reference.url.path, as: serviceUser)
            else { continue }
            var warning = reader.location(of: reference)
            warning.message = "\(reference.url.path) \(problem). \(Self.advice(for: reference.key))"
            warnings.append(warning)
        }
        for reference in reader.paths where reference.key == "tsa_ca_file" {
            guard let problem = Self.problem(readingFile: reference.url.path, as: serviceUser) else { continue }
            var warning = reader.location(of: reference)
            warning.message =
                "\(reference.url.path) \(problem). `palimpsest verify` and the digest check each trusted timestamp "
                + "against these certificates: until the file can be read they fail on every timestamped checkpoint. "
                + "Put the authorities' CA certificates (PEM) there, or remove `tsa_ca_file`"
            warnings.append(warning)
        }
        warnings += Self.pathKindProblems(of: config, reader: reader)
        warnings += Self.unmatchedAlertPatterns(of: config, reader: reader)
        // Only a connect_timeout the file sets: the default (10 s) beside a shorter timeout is no
        // choice of the operator's (the demo's own config drew this warning, found by a tester).
        if config.daemon.connectTimeout > config.daemon.timeout, sourceMap.position(of: "daemon.connect_timeout") != nil
        {
            var warning = reader.location(key: "connect_timeout", in: .daemon)
            warning.message =
                "connect_timeout (\(StatusReport.duration(config.daemon.connectTimeout))) is longer than timeout "
                + "(\(StatusReport.duration(config.daemon.timeout))), which cuts the whole request, connection "
                + "included: the longer limit never applies. Make connect_timeout at most timeout"
            warnings.append(warning)
        }
        for log in config.digest.extraLogs where (try? LogPathPattern.expand(log))?.isEmpty == true {
            let position = sourceMap.position(of: "digest.logs", "digest")
            warnings.append(
                ConfigError(
                    file: config.file.path, line: position?.line, column: position?.column, key: "digest.logs",
                    message: "\(log.path) matches no file (yet): `palimpsest digest` refuses to run until it does. "
                        + "Check the path or pattern, or remove it"))
        }
        if let smtp = config.digest.smtp, smtp.username != nil || smtp.passwordFile != nil, !smtp.isImplicitTLS,
            !smtp.requiresSTARTTLS
        {
            let position = sourceMap.position(of: "digest.smtp.starttls", "digest.smtp.url", "digest.smtp")
            warnings.append(
                ConfigError(
                    file: config.file.path,
                    line: position?.line,
                    column: position?.column,
                    key: "digest.smtp.starttls",
                    message: "the SMTP password would be sent unencrypted: `url` is smtp:// and `starttls = false`. "
                        + "Use \"smtps://\(smtp.url.host ?? "host"):465\", or remove `starttls = false` so the "
                        + "server must upgrade the connection with STARTTLS (keep it only for a relay on this machine)"
                )
            )
        }
        return warnings.sorted { ($0.line ?? .max, $0.column ?? 0) < ($1.line ?? .max, $1.column ?? 0) }
    }

    /// `state_dir` naming something that is not a folder, or `deletion_log` a folder: the daemon
    /// would fail at start (the state store and the log cannot be opened there).
    static func pathKindProblems(of config: PalimpsestConfig, reader: ConfigReader) -> [ConfigError] {
        var warnings: [ConfigError] = []
        func kind(_ url: URL) -> mode_t? {
            var info = stat()
            return stat(url.path, &info) == 0 ? info.st_mode & S_IFMT : nil
        }
        if let mode = kind(config.daemon.stateDirectory), mode != S_IFDIR {
            var warning = reader.location(key: "state_dir", in: .daemon)
            warning.message =
                "\(config.daemon.stateDirectory.path) exists and is not a folder: the daemon keeps its state "
                + "store, evidence and snapshots in a folder there and cannot start. Point state_dir at a folder "
                + "(it is created when missing)"
            warnings.append(warning)
        }
        if kind(config.daemon.deletionLog) == S_IFDIR {
            var warning = reader.location(key: "deletion_log", in: .daemon)
            warning.message =
                "\(config.daemon.deletionLog.path) is a folder: the deletion log is one file, which the daemon "
                + "cannot create there. Name a file, e.g. "
                + "\"\(config.daemon.deletionLog.appendingPathComponent(DaemonSettings.defaultDeletionLogName).path)\""
            warnings.append(warning)
        }
        return warnings
    }

    /// Each `[[alert]] accounts` entry that names no configured account (neither its key nor, as a
    /// `fnmatch(3)` pattern, any key; `monitor` is the key of alarms about the whole monitor): a
    /// typo there silently keeps that account's events from the sink.
    static func unmatchedAlertPatterns(of config: PalimpsestConfig, reader: ConfigReader) -> [ConfigError] {
        var warnings: [ConfigError] = []
        let keys = config.accounts.map(\.key.rawValue)
        for (offset, sink) in config.alerts.enumerated() {
            for pattern in sink.filter.accounts ?? [] where pattern != "monitor" {
                guard !keys.contains(where: { AlertFilter.glob(pattern, matches: $0) }) else { continue }
                var scope = ConfigReader.Scope(keyPrefix: "alert", mapPrefix: "alert#\(offset + 1)")
                scope.sinkIndex = offset + 1
                scope.sinkName = sink.name
                var warning = reader.location(key: "accounts", in: scope)
                warning.message =
                    "\(ConfigReader.quote(pattern)) matches no configured account, so this sink gets no event of it. "
                    + "Write an account's key as `palimpsest status` lists it (e.g. \"feed:https://example.org/feed.xml\", "
                    + "\"weibo:2803301701\") or a pattern (\"weibo:*\")"
                warnings.append(warning)
            }
        }
        return warnings
    }

    /// Why the file at `path` cannot be read by `user` (or, without one, by this process), or `nil`
    /// when it can.
    static func problem(readingFile path: String, as user: ServiceUser?) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            switch errno {
            case ENOENT, ENOTDIR: return "does not exist"
            case EACCES:
                return "cannot be checked: a folder on the way is not searchable by \(self.userName()); "
                    + "run check-config as root to check it"
            default: return "cannot be checked (\(String(cString: strerror(errno))))"
            }
        }
        if (info.st_mode & S_IFMT) == S_IFDIR { return "is a folder, not a file" }
        guard let user else {
            return access(path, R_OK) == 0 ? nil : "cannot be read by \(self.userName()), who runs this check"
        }
        guard let real = realpath(path, nil) else {
            return "cannot be checked (\(String(cString: strerror(errno))))"
        }
        let resolved = String(cString: real)
        free(real)
        // Every folder from the root down needs search (x) permission, the file read (r) permission.
        var folder = ""
        for component in resolved.split(separator: "/").dropLast() {
            folder += "/" + component
            var folderInfo = stat()
            guard stat(folder, &folderInfo) == 0 else { return "cannot be checked (\(folder))" }
            if !Self.permits(folderInfo, user, owner: S_IXUSR, group: S_IXGRP, other: S_IXOTH) {
                return "cannot be read by the user \(user.name), which the systemd units run as: the folder "
                    + "\(folder) (\(Self.ownership(folderInfo))) is not searchable by it"
            }
        }
        if !Self.permits(info, user, owner: S_IRUSR, group: S_IRGRP, other: S_IROTH) {
            return "cannot be read by the user \(user.name), which the systemd units run as "
                + "(\(Self.ownership(info))); e.g. chgrp \(user.name) \(path) && chmod 640 \(path)"
        }
        return nil
    }

    /// Whether the permission bits of `info` grant `user` the owner, group or other bit given.
    private static func permits(
        _ info: stat, _ user: ServiceUser, owner: mode_t, group: mode_t, other: mode_t
    ) -> Bool {
        if user.uid == 0 { return true }
        if UInt32(info.st_uid) == user.uid { return info.st_mode & owner != 0 }
        if user.groups.contains(UInt32(info.st_gid)) { return info.st_mode & group != 0 }
        return info.st_mode & other != 0
    }

    /// `owner root, group root, mode 0600`.
    private static func ownership(_ info: stat) -> String {
        func name(user uid: uid_t) -> String {
            getpwuid(uid).flatMap { $0.pointee.pw_name }.map { String(cString: $0) } ?? String(uid)
        }
        func name(group gid: gid_t) -> String {
            getgrgid(gid).flatMap { $0.pointee.gr_name }.map { String(cString: $0) } ?? String(gid)
        }
        let mode = String(info.st_mode & 0o7777, radix: 8)
        return "owner \(name(user: info.st_uid)), group \(name(group: info.st_gid)), mode "
            + String(repeating: "0", count: max(0, 4 - mode.count)) + mode
    }

    /// What to do about a missing or unreadable file named by `key`.
    static func advice(for key: String) -> String {
        switch key {
        case "cookie_file":
            "Create it with the visitor cookies (SUB=…; SUBP=…), readable by the user the daemon runs as "
                + "(palimpsest under systemd), or remove `cookie_file`: until then every poll of this account fails"
        case "password_file":
            "Create it with the SMTP password on one line, readable only by the digest's user (chmod 600), or "
                + "point `password_file` at the systemd credential (see palimpsest-digest.service): until then "
                + "`digest --send` fails"
        default:
            "Create it, readable by the user the daemon runs as, or remove `\(key)`"
        }
    }

    /// The name of the user this process runs as, with its uid (`root (uid 0)`).
    private static func userName() -> String {
        let uid = getuid()
        if let entry = getpwuid(uid), let name = entry.pointee.pw_name {
            return "\(String(cString: name)) (uid \(uid))"
        }
        return "uid \(uid)"
    }
}
