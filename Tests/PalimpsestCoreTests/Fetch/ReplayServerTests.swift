import Foundation
import PalimpsestCore
import PalimpsestReplay
import Testing

/// The replay server's own scripting rules, observed through the real client.
@Suite(.serialized) struct ReplayServerTests {
    private func withServer(_ body: (ReplayServer, CurlHTTPClient) async throws -> Void) async throws {
        let server = ReplayServer()
        try await server.start()
        let client = try CurlHTTPClient(configuration: HTTPClientConfiguration(timeout: 5))
        do {
            try await body(server, client)
        } catch {
            client.shutdown()
            await server.stop()
            throw error
        }
        client.shutdown()
        await server.stop()
    }

    private func text(_ client: CurlHTTPClient, _ url: URL) async throws -> (Int, String) {
        let response = try await client.send(HTTPRequest(url: url))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    @Test func startBindsLoopbackOnAFreePort() async throws {
        let server = ReplayServer()
        #expect(server.port == 0)
        try await server.start()
        #expect(server.port != 0)
        #expect(server.baseURL.absoluteString == "http://127.0.0.1:\(server.port)")
        await #expect(throws: ReplayServerError.self) { try await server.start() }
        await server.stop()
        await server.stop()  // Idempotent.
    }

    @Test func unscriptedPathAnswers404() async throws {
        try await self.withServer { server, client in
            let (status, body) = try await self.text(client, server.url("/nothing/here"))
            #expect(status == 404)
            #expect(body.contains("/nothing/here"))
        }
    }

    @Test func eachRequestTakesTheNextAnswerAndTheLastRepeats() async throws {
        try await self.withServer { server, client in
            server.script(
                "/seq",
                [
                    ReplayResponse(body: Data("first".utf8)),
                    ReplayResponse(status: 503, body: Data("second".utf8)),
                    ReplayResponse(body: Data("third".utf8)),
                ]
            )
            var seen: [String] = []
            for _ in 0..<5 {
                let (status, body) = try await self.text(client, server.url("/seq"))
                seen.append("\(status) \(body)")
            }
            #expect(seen == ["200 first", "503 second", "200 third", "200 third", "200 third"])
        }
    }

    @Test func exactPathAndQueryWinsOverThePathAlone() async throws {
        try await self.withServer { server, client in
            server.script("/api/v1/accounts/lookup", [ReplayResponse(body: Data("any".utf8))])
            server.script("/api/v1/accounts/lookup?acct=alice", [ReplayResponse(body: Data("alice".utf8))])
            let alice = try await self.text(client, server.url("/api/v1/accounts/lookup?acct=alice"))
            let bob = try await self.text(client, server.url("/api/v1/accounts/lookup?acct=bob"))
            #expect(alice.1 == "alice")
            #expect(bob.1 == "any")
            #expect(
                server.requests().map(\.path) == [
                    "/api/v1/accounts/lookup?acct=alice", "/api/v1/accounts/lookup?acct=bob",
                ]
            )
        }
    }

    @Test func fileAnswerServesTheFileWithItsContentType() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID().uuidString).json")
        try Data("{\"id\":\"1\"}".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        try await self.withServer { server, client in
            server.script("/status", [try .file(file, contentType: "application/json")])
            let response = try await client.send(HTTPRequest(url: server.url("/status")))
            #expect(response.body == Data("{\"id\":\"1\"}".utf8))
            #expect(response.mediaType == "application/json")
        }
    }
}
