public import Foundation

@testable public import PalimpsestCore

/// A real RFC 3161 time-stamp authority on 127.0.0.1: a throwaway CA and TSA certificate made
/// with the openssl CLI, and `Tests/Fixtures/tsa/tsa_server.py`, which answers each POSTed
/// TimeStampReq with `openssl ts -reply`.
public final class LoopbackTSA: Sendable {
    public let folder: URL
    public let port: Int
    private let process: ChildProcess

    public var url: URL { URL(string: "http://127.0.0.1:\(self.port)/tsa")! }
    public var caFile: URL { self.folder.appendingPathComponent("ca.crt") }

    public static var script: URL {
        TestFixtures.root.appendingPathComponent("tsa/tsa_server.py")
    }

    /// Whether the openssl CLI and python3 are here.
    public static let isAvailable = EvidenceTestSupport.hasOpenSSL && EvidenceTestSupport.hasPython

    /// Makes a CA and a TSA certificate signed by it in a new folder (`ca.crt`, `tsa.crt`, `tsa.key`,
    /// `tsa.cnf`). Returns the folder.
    public static func makeAuthority(name: String = "Test TSA") async throws -> URL {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        let path = folder.path
        try Data(
            """
            basicConstraints = CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = critical, timeStamping
            """.utf8
        ).write(to: folder.appendingPathComponent("tsa-ext.cnf"))
        try Data(
            """
            [ tsa ]
            default_tsa = tsa_config
            [ tsa_config ]
            dir = \(path)
            serial = $dir/tsaserial
            crypto_device = builtin
            signer_cert = $dir/tsa.crt
            certs = $dir/tsa.crt
            signer_key = $dir/tsa.key
            signer_digest = sha256
            default_policy = 1.2.3.4.1
            digests = sha256, sha384, sha512
            accuracy = secs:1
            ordering = yes
            tsa_name = no
            ess_cert_id_chain = no
            ess_cert_id_alg = sha256
            """.utf8
        ).write(to: folder.appendingPathComponent("tsa.cnf"))
        try Data("01\n".utf8).write(to: folder.appendingPathComponent("tsaserial"))
        let steps: [[String]] = [
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                "\(path)/ca.key", "-out", "\(path)/ca.crt", "-subj", "/CN=\(name) CA", "-days", "2", "-addext",
                "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ],
            [
                "openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                "\(path)/tsa.key", "-out", "\(path)/tsa.csr", "-subj", "/CN=\(name)",
            ],
            [
                "openssl", "x509", "-req", "-in", "\(path)/tsa.csr", "-CA", "\(path)/ca.crt", "-CAkey",
                "\(path)/ca.key",
                "-CAcreateserial", "-out", "\(path)/tsa.crt", "-days", "2", "-extfile", "\(path)/tsa-ext.cnf",
            ],
        ]
        for step in steps {
            let output = try await EvidenceTestSupport.run(step)
            guard output.succeeded else {
                throw StoreError(operation: "openssl", path: path, detail: output.standardError, advice: "")
            }
        }
        return folder
    }

    /// Starts the server for the authority in `folder` and waits until it listens.
    public init(folder: URL) throws {
        self.folder = folder
        self.process = try ChildProcess(
            ["python3", Self.script.path, folder.path], output: folder.appendingPathComponent("server.log"))
        let ready = folder.appendingPathComponent("ready.json")
        let deadline = Date().addingTimeInterval(20)
        var port: Int?
        while port == nil, Date() < deadline {
            if let data = try? Data(contentsOf: ready),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            {
                port = object["port"] as? Int
            } else if self.process.wait(timeout: 0.05) != nil {
                break
            }
        }
        guard let port else {
            self.process.stop()
            let log = (try? String(contentsOf: folder.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
            throw StoreError(operation: "start", path: folder.path, detail: "the test TSA did not start", advice: log)
        }
        self.port = port
    }

    /// The requests the authority received (one line each).
    public func requests() -> [String] {
        let text = (try? String(contentsOf: self.folder.appendingPathComponent("requests.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    public func stop() {
        self.process.stop()
        StoreTestSupport.remove(self.folder)
    }
}
