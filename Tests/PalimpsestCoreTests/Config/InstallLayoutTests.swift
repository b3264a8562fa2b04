import Foundation
import PalimpsestTestSupport
import Subprocess
import SystemPackage
import Testing

@testable import PalimpsestCore

/// What `make install` puts in place agrees on one layout out of the box: the daemon's units, the
/// digest's unit, the system user, the installed minimal config, the full example and the
/// logrotate snippet name the same user, state folder, deletion log and config file. Runs the real
/// `make install` into a DESTDIR with a stand-in binary (DESTDIR also keeps it from running
/// systemd-sysusers on this machine).
@Suite(.serialized) struct InstallLayoutTests {
    static let repository = TestFixtures.repository

    static let services = ["palimpsest.service", "palimpsest@.service", "palimpsest-digest.service"]

    /// `make install DESTDIR=<scratch>/root` with a stand-in binary; the scratch folder.
    static func install() async throws -> URL {
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("palimpsest-install-\(UUID().uuidString)", isDirectory: true)
        let bin = scratch.appendingPathComponent("bin", isDirectory: true)
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let fake = bin.appendingPathComponent("palimpsest")
        try "#!/bin/sh\nexit 0\n".write(to: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        // `make release` copies the toolchain's crash reporter beside the binary: a stand-in too.
        let backtracer = bin.appendingPathComponent("swift-backtrace")
        try "#!/bin/sh\nexit 0\n".write(to: backtracer, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: backtracer.path)
        // The real man page comes from `make man` (a release build): a stand-in checks the install step.
        let page = bin.appendingPathComponent("palimpsest.1")
        try ".TH PALIMPSEST 1\n".write(to: page, atomically: true, encoding: .utf8)
        let result = try await Subprocess.run(
            .name("make"),
            arguments: [
                "-s", "-C", Self.repository.path, "install", "DESTDIR=\(scratch.path)/root", "BIN=\(bin.path)",
                "MANPAGE=\(page.path)",
            ],
            output: .string(limit: 1 << 20),
            error: .string(limit: 1 << 20)
        )
        guard result.terminationStatus == .exited(0) else {
            throw LayoutError(
                "make install failed (\(result.terminationStatus)): \(result.standardOutput) "
                    + result.standardError)
        }
        return scratch
    }

    struct LayoutError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The `[Service]` directives of a unit file: every value of each key, in order.
    static func directives(_ text: String) -> [String: [String]] {
        var result: [String: [String]] = [:]
        var section = ""
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                section = line
                continue
            }
            guard section == "[Service]", !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            result[String(line[..<equals]), default: []].append(String(line[line.index(after: equals)...]))
        }
        return result
    }

    /// The file path of each block of a logrotate snippet.
    static func logrotatePaths(_ text: String) -> [String] {
        text.split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.hasPrefix("#") && $0.hasSuffix("{") }
            .flatMap { $0.dropLast().split(separator: " ").map(String.init) }
    }

    func read(_ url: URL) throws -> String {
        try String(contentsOf: url, encoding: .utf8)
    }

    @Test func unitsUserConfigsAndLogrotateAgreeOnOneLayout() async throws {
        let scratch = try await Self.install()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let root = scratch.appendingPathComponent("root", isDirectory: true)
        let units = root.appendingPathComponent("usr/local/lib/systemd/system", isDirectory: true)

        // Every service runs as the same fixed user with the same folders and config file.
        var stateDirectories: Set<String> = []
        for name in Self.services {
            let unit = Self.directives(try self.read(units.appendingPathComponent(name)))
            #expect(unit["DynamicUser"].map { $0 != ["yes"] } ?? true, "\(name) uses DynamicUser=")
            #expect(unit["User"] == ["palimpsest"], "\(name): User=")
            #expect(unit["Group"] == ["palimpsest"], "\(name): Group=")
            #expect(unit["StateDirectory"] == ["palimpsest"], "\(name): StateDirectory=")
            #expect(unit["StateDirectoryMode"] == ["0700"], "\(name): StateDirectoryMode=")
            #expect(unit["LogsDirectory"] == ["palimpsest"], "\(name): LogsDirectory=")
            #expect(unit["LogsDirectoryMode"] == ["0700"], "\(name): LogsDirectoryMode=")
            #expect(unit["ConfigurationDirectory"] == ["palimpsest"], "\(name): ConfigurationDirectory=")
            let exec = try #require(unit["ExecStart"]?.first, "\(name) has no ExecStart=")
            #expect(exec.hasPrefix("/usr/local/bin/palimpsest "), "\(name): \(exec)")
            #expect(exec.contains("--config \(ConfigLoader.defaultPath) "), "\(name): \(exec)")
            // The statically linked binary's crash report comes from the reporter installed for it.
            #expect(
                unit["Environment"]?.contains(
                    "SWIFT_BACKTRACE=swift-backtrace=/usr/local/libexec/palimpsest/swift-backtrace")
                    == true, "\(name): Environment=")
            stateDirectories.formUnion(unit["StateDirectory"] ?? [])
        }
        let installedBacktracer = root.appendingPathComponent("usr/local/libexec/palimpsest/swift-backtrace")
        #expect(FileManager.default.isExecutableFile(atPath: installedBacktracer.path))
        let stateDirectory = "/var/lib/" + (try #require(stateDirectories.first))
        #expect(stateDirectories.count == 1)

        // The system user the units name exists once sysusers.d is applied.
        let sysusers = try self.read(root.appendingPathComponent("usr/local/lib/sysusers.d/palimpsest.conf"))
        let userLine = sysusers.split(separator: "\n").first { $0.hasPrefix("u ") }
        #expect(userLine?.split(separator: " ").dropFirst().first == "palimpsest")

        // The logrotate snippet rotates the log the configs write.
        let logrotate = try self.read(root.appendingPathComponent("etc/logrotate.d/palimpsest"))
        let rotated = Self.logrotatePaths(logrotate)
        #expect(rotated == ["\(stateDirectory)/deletions.jsonl"])
        #expect(logrotate.contains("nocopytruncate"))
        #expect(logrotate.contains("systemctl reload palimpsest.service"))

        // The live config is the minimal one: valid, nothing watched, the same paths.
        let live = root.appendingPathComponent("etc/palimpsest/palimpsest.toml")
        let example = root.appendingPathComponent("etc/palimpsest/palimpsest.toml.example")
        #expect(
            try self.read(live)
                == (try self.read(Self.repository.appendingPathComponent("Config/palimpsest-minimal.toml"))))
        #expect(
            try self.read(example) == (try self.read(Self.repository.appendingPathComponent("Config/palimpsest.toml"))))
        let minimal = try ConfigLoader.load(from: live)
        #expect(minimal.accounts.isEmpty)
        for config in [minimal, try ConfigLoader.load(from: example)] {
            let name = config.file.lastPathComponent
            #expect(config.daemon.stateDirectory.path == stateDirectory, "\(name): state_dir")
            #expect(rotated.contains(config.daemon.deletionLog.path), "\(name): deletion_log")
            #expect(config.digest.directory.path.hasPrefix(stateDirectory + "/"), "\(name): [digest] dir")
        }

        // The README's example config says the same.
        let readme = try self.read(Self.repository.appendingPathComponent("README.md"))
        #expect(readme.contains("state_dir = \"\(stateDirectory)\""))
        #expect(readme.contains("deletion_log = \"\(stateDirectory)/deletions.jsonl\""))
        #expect(!readme.contains("/var/log/palimpsest/deletions.jsonl"))
    }

    @Test func theMinimalConfigsCommentedExamplesAreValidOnceUncommented() throws {
        let url = Self.repository.appendingPathComponent("Config/palimpsest-minimal.toml")
        let text = try self.read(url)
        let uncommented = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("# ") else { return String(line) }
            let rest = line.dropFirst(2)
            let isTOML =
                rest.range(of: #"^\[\[?[a-z.]+\]\]?$"#, options: .regularExpression) != nil
                || rest.range(of: #"^[a-z_]+ = "#, options: .regularExpression) != nil
            return isTOML ? String(rest) : String(line)
        }.joined(separator: "\n")
        let config = try ConfigLoader.parse(uncommented, file: url)
        #expect(Set(config.accounts.map(\.platform)) == Set(Platform.allCases))
        #expect(config.digest.smtp?.isImplicitTLS == true)
    }

    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze")
                && FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-sysusers"),
            "SKIPPED: needs systemd-analyze and systemd-sysusers (Debian's systemd package)"
        )
    )
    func installedUnitsVerifyAndTheirUserIsCreated() async throws {
        let scratch = try await Self.install()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let root = scratch.appendingPathComponent("root", isDirectory: true)

        // systemd-sysusers on a scratch root creates the user and group the units name.
        let sysroot = scratch.appendingPathComponent("sysroot/etc", isDirectory: true)
        try FileManager.default.createDirectory(at: sysroot, withIntermediateDirectories: true)
        for name in ["passwd", "group"] {
            FileManager.default.createFile(atPath: sysroot.appendingPathComponent(name).path, contents: Data())
        }
        let sysusers = try await Subprocess.run(
            .path("/usr/bin/systemd-sysusers"),
            arguments: [
                "--root=\(sysroot.deletingLastPathComponent().path)",
                root.appendingPathComponent("usr/local/lib/sysusers.d/palimpsest.conf").path,
            ],
            output: .string(limit: 1 << 16),
            error: .string(limit: 1 << 16)
        )
        #expect(sysusers.terminationStatus == .exited(0), "\(sysusers.standardError)")
        let passwd = try self.read(sysroot.appendingPathComponent("passwd"))
        let group = try self.read(sysroot.appendingPathComponent("group"))
        #expect(passwd.hasPrefix("palimpsest:x:"), "\(passwd)")
        #expect(passwd.contains(":/var/lib/palimpsest:/usr/sbin/nologin"))
        #expect(group.hasPrefix("palimpsest:x:"), "\(group)")

        // The installed units pass systemd-analyze verify (ExecStart pointed at /bin/true, which
        // exists, as verify requires).
        let units = root.appendingPathComponent("usr/local/lib/systemd/system", isDirectory: true)
        let check = scratch.appendingPathComponent("verify", isDirectory: true)
        try FileManager.default.createDirectory(at: check, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: units.path) {
            let text = try self.read(units.appendingPathComponent(name))
                .replacingOccurrences(of: "/usr/local/bin/palimpsest", with: "/bin/true")
            try text.write(to: check.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        for name in Self.services + ["palimpsest-digest.timer"] {
            let target = name.replacingOccurrences(of: "@.", with: "@1-2.")
            let verify = try await Subprocess.run(
                .path("/usr/bin/systemd-analyze"),
                arguments: ["verify", "./\(target)"],
                workingDirectory: .init(check.path),
                output: .string(limit: 1 << 16),
                error: .string(limit: 1 << 16)
            )
            let messages = verify.standardOutput + verify.standardError
            #expect(verify.terminationStatus == .exited(0) && messages.isEmpty, "\(name): \(messages)")
        }
    }
}
