import Foundation
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// The real libcurl client against the loopback replay server. Serialized: the timing-sensitive
/// tests (timeouts, concurrency) stay reliable on a small shared machine.
@Suite(.serialized, .awaitedCleanup) struct CurlHTTPClientTests {
    /// Starts a replay server and a client, runs `body`, and stops both whatever happens.
    private func withServer<Value>(
        _ configuration: HTTPClientConfiguration = HTTPClientConfiguration(timeout: 5),
        _ body: (ReplayServer, CurlHTTPClient) async throws -> Value
    ) async throws -> Value {
        let server = ReplayServer()
        try await server.start()
        let client = try CurlHTTPClient(configuration: configuration)
        do {
            let value = try await body(server, client)
            client.shutdown()
            await server.stop()
            return value
        } catch {
            client.shutdown()
            await server.stop()
            throw error
        }
    }

    /// Runs `request` and returns the ``HTTPClientError`` it must fail with.
    private func failure(_ client: CurlHTTPClient, _ request: HTTPRequest) async throws -> HTTPClientError {
        do {
            let response = try await client.send(request)
            Issue.record("expected a failure, got HTTP \(response.status)")
            throw CancellationError()
        } catch let error as HTTPClientError {
            return error
        }
    }

    /// Waits until the server has received `count` requests; a timeout fails the test.
    private func waitForRequests(_ server: ReplayServer, count: Int) async throws {
        try #require(
            await waitUntil { server.requests().count >= count },
            "server saw \(server.requests().count) of \(count) requests")
    }

    @Test func okAnswerCarriesStatusHeadersBodyAndEffectiveURL() async throws {
        try await self.withServer { server, client in
            server.script(
                "/feed.xml",
                [
                    ReplayResponse(
                        headers: HTTPHeaders([
                            ("Content-Type", "application/rss+xml; charset=utf-8"), ("ETag", "\"v1\""),
                            ("X-Served-By", "a"), ("X-Served-By", "b"),
                        ]),
                        body: Data("<rss version=\"2.0\"/>".utf8)
                    )
                ]
            )
            let url = server.url("/feed.xml")
            let response = try await client.send(HTTPRequest(url: url))

            #expect(response.status == 200)
            #expect(response.isSuccess)
            #expect(response.body == Data("<rss version=\"2.0\"/>".utf8))
            #expect(response.headers["etag"] == "\"v1\"")
            #expect(response.headers.values(for: "x-served-by") == ["a", "b"])
            #expect(response.mediaType == "application/rss+xml")
            #expect(response.url == url)
            #expect(response.effectiveURL == url)
            #expect(response.httpVersion == "1.1")
            #expect(response.timings.total > 0)
            #expect(response.timings.firstByte <= response.timings.total)

            let seen = try #require(server.requests().first)
            #expect(seen.method == "GET")
            #expect(seen.path == "/feed.xml")
            #expect(seen.headers["User-Agent"] == "Palimpsest/0.1.0 (deletion monitor)")
            #expect(seen.headers["Accept-Encoding"]?.contains("gzip") == true)
        }
    }

    @Test func requestHeadersUserAgentAndBodyReachTheServer() async throws {
        try await self.withServer(HTTPClientConfiguration(userAgent: "TestAgent/1", timeout: 5)) { server, client in
            server.script("/submit", [ReplayResponse(status: 201)])
            var headers = HTTPHeaders()
            headers.add(name: "Accept", value: "application/json")
            headers.add(name: "X-Empty", value: "")
            let post = try await client.send(
                HTTPRequest(url: server.url("/submit"), method: "POST", headers: headers, body: Data("a=1&b=2".utf8))
            )
            let get = try await client.send(
                HTTPRequest(url: server.url("/submit"), headers: ["User-Agent": "Override/2"])
            )

            #expect(post.status == 201)
            #expect(get.status == 201)
            let seen = server.requests()
            try #require(seen.count == 2)
            #expect(seen[0].method == "POST")
            #expect(seen[0].body == Data("a=1&b=2".utf8))
            #expect(seen[0].headers["Accept"] == "application/json")
            #expect(seen[0].headers["X-Empty"] == "")
            #expect(seen[0].headers["Expect"] == nil)
            #expect(seen[0].headers["User-Agent"] == "TestAgent/1")
            #expect(seen[1].method == "GET")
            #expect(seen[1].headers["User-Agent"] == "Override/2")
        }
    }

    @Test func gzipBodyIsDecoded() async throws {
        try await self.withServer { server, client in
            // "hello palimpsest\n", gzip-compressed (python3 gzip.compress, mtime=0).
            let gzipped = try #require(Data(base64Encoded: "H4sIAAAAAAACA8tIzcnJVyhIzMnMLShOLS7hAgCeVV+UEQAAAA=="))
            server.script("/gz", [ReplayResponse(headers: ["Content-Encoding": "gzip"], body: gzipped)])
            let response = try await client.send(HTTPRequest(url: server.url("/gz")))
            #expect(response.body == Data("hello palimpsest\n".utf8))
        }
    }

    @Test func redirectChainIsFollowedToTheFinalAnswer() async throws {
        try await self.withServer { server, client in
            server.script("/a", [ReplayResponse(status: 301, headers: ["Location": "/b", "X-Hop": "a"])])
            server.script("/b", [ReplayResponse(status: 302, headers: ["Location": server.url("/c").absoluteString])])
            server.script("/c", [ReplayResponse(headers: ["X-Final": "yes"], body: Data("final".utf8))])

            let response = try await client.send(HTTPRequest(url: server.url("/a")))

            #expect(response.status == 200)
            #expect(response.body == Data("final".utf8))
            #expect(response.headers["X-Final"] == "yes")
            #expect(response.headers["X-Hop"] == nil)
            #expect(response.headers["Location"] == nil)
            #expect(response.url == server.url("/a"))
            #expect(response.effectiveURL == server.url("/c"))
            #expect(server.requests().map(\.path) == ["/a", "/b", "/c"])
        }
    }

    @Test func everyRedirectHopIsRecordedWithItsStatusLocationAndAddress() async throws {
        try await self.withServer { server, client in
            server.script("/a", [ReplayResponse(status: 301, headers: ["Location": "/b"])])
            server.script("/b", [ReplayResponse(status: 307, headers: ["Location": server.url("/c").absoluteString])])
            server.script("/c", [ReplayResponse(body: Data("final".utf8))])

            let response = try await client.send(HTTPRequest(url: server.url("/a")))

            #expect(response.redirects.map(\.url) == [server.url("/a"), server.url("/b")])
            #expect(response.redirects.map(\.status) == [301, 307])
            #expect(response.redirects.map(\.location) == ["/b", server.url("/c").absoluteString])
            #expect(response.redirects.allSatisfy { $0.remoteAddress == "127.0.0.1" })
            #expect(response.remoteAddress == "127.0.0.1")
            #expect(response.isAnsweredByRequestedHost)

            let direct = try await client.send(HTTPRequest(url: server.url("/c")))
            #expect(direct.redirects.isEmpty)
            #expect(direct.remoteAddress == "127.0.0.1")
        }
    }

    @Test func redirectToAnotherHostAtALoopbackAddressIsRefusedBeforeAnyRequest() async throws {
        try await self.withServer { server, client in
            server.script(
                "/out", [ReplayResponse(status: 302, headers: ["Location": "http://localhost:\(server.port)/in"])])
            server.script("/in", [ReplayResponse(body: Data("internal".utf8))])

            let error = try await self.failure(client, HTTPRequest(url: server.url("/out")))

            #expect(error.kind == .privateAddress)
            #expect(error.pollFailure.kind == .privateAddress)
            #expect(error.url == server.url("/out").absoluteString)
            #expect(error.message.contains("localhost"))
            #expect(error.message.contains("127.0.0.1"))
            #expect(error.message.contains("loopback"))
            #expect(!server.requests().map(\.path).contains("/in"), "no request may reach the internal host")
        }
    }

    @Test func theRequestedHostStaysAllowedWhateverItsAddress() async throws {
        try await self.withServer { server, client in
            // 127.0.0.1 is loopback, but it is the host asked (configured directly): allowed, and
            // so is a redirect back to it on another path.
            server.script(
                "/here", [ReplayResponse(status: 302, headers: ["Location": server.url("/there").absoluteString])])
            server.script("/there", [ReplayResponse(body: Data("ok".utf8))])
            let response = try await client.send(HTTPRequest(url: server.url("/here")))
            #expect(response.body == Data("ok".utf8))
            #expect(response.redirects.count == 1)
        }
    }

    @Test func behindAProxyAHopToALiteralLoopbackHostIsRefusedAndANamedHostFollowed() async throws {
        try await self.withServer { server, client in
            let proxy = server.baseURL.absoluteString
            server.script(
                "http://public.example/a",
                [ReplayResponse(status: 302, headers: ["Location": "http://127.0.0.2/admin"])])
            server.script(
                "http://public.example/b",
                [ReplayResponse(status: 302, headers: ["Location": "http://other.example/b"])])
            server.script("http://other.example/b", [ReplayResponse(body: Data("other".utf8))])

            let refused = try await self.failure(
                client, HTTPRequest(url: URL(string: "http://public.example/a")!, proxy: proxy))
            #expect(refused.kind == .privateAddress)
            #expect(refused.message.contains("127.0.0.2"))
            #expect(!server.requests().map(\.path).contains("http://127.0.0.2/admin"))

            let followed = try await client.send(
                HTTPRequest(url: URL(string: "http://public.example/b")!, proxy: proxy))
            #expect(followed.body == Data("other".utf8))
            #expect(followed.otherAnsweringHost == "other.example")
            #expect(followed.remoteAddress == "127.0.0.1", "behind a proxy the address is the proxy's")
        }
    }

    @Test func headerNamesAndValuesAreReadWithoutTheSpaceAroundThem() async throws {
        try await self.withServer { server, client in
            server.script("/a", [ReplayResponse(status: 302, headers: ["LOCATION": "  /b \t"])])
            server.script(
                "/b",
                [
                    ReplayResponse(
                        headers: HTTPHeaders([
                            ("X-Padded", "  spaced  value \t"), ("X-Empty", ""), ("X-Unicode", "Gr\u{FC}\u{DF}e\u{A0}"),
                            ("X-Colon", "a: b"),
                        ]),
                        body: Data("final".utf8))
                ])

            let response = try await client.send(HTTPRequest(url: server.url("/a")))

            #expect(response.status == 200)
            #expect(response.redirects.map(\.location) == ["/b"], "a Location in capitals, spaces dropped")
            #expect(response.headers["x-padded"] == "spaced  value")
            #expect(response.headers["x-empty"] == "")
            // Outside ASCII: trimmed of Unicode white space (the no-break space) too.
            #expect(response.headers["x-unicode"] == "Gr\u{FC}\u{DF}e")
            #expect(response.headers["x-colon"] == "a: b")
            #expect(response.headers.values(for: "location").isEmpty, "the redirect's headers are not the answer's")
        }
    }

    @Test func fiveRedirectsAreFollowedAndASixthFails() async throws {
        try await self.withServer { server, client in
            for hop in 0..<7 {
                server.script("/r\(hop)", [ReplayResponse(status: 302, headers: ["Location": "/r\(hop + 1)"])])
            }
            server.script("/r5", [ReplayResponse(body: Data("five hops".utf8))])
            server.script("/s6", [ReplayResponse(body: Data("six hops".utf8))])
            for hop in 0..<6 {
                server.script("/s\(hop)", [ReplayResponse(status: 302, headers: ["Location": "/s\(hop + 1)"])])
            }

            let five = try await client.send(HTTPRequest(url: server.url("/r0")))
            #expect(five.body == Data("five hops".utf8))

            let error = try await self.failure(client, HTTPRequest(url: server.url("/s0")))
            #expect(error.kind == .redirect)
            #expect(error.url == server.url("/s0").absoluteString)
            #expect(!server.requests().map(\.path).contains("/s6"))
        }
    }

    @Test func redirectToAFileURLIsRefused() async throws {
        try await self.withServer { server, client in
            server.script("/evil", [ReplayResponse(status: 302, headers: ["Location": "file:///etc/passwd"])])
            let error = try await self.failure(client, HTTPRequest(url: server.url("/evil")))
            #expect(error.kind == .redirect)
            #expect(error.url == server.url("/evil").absoluteString)
            #expect(error.description.contains(server.url("/evil").absoluteString))
        }
    }

    @Test func declaredBodyOverTheLimitFailsWithBodyTooLarge() async throws {
        try await self.withServer { server, client in
            server.script("/big", [ReplayResponse(body: Data(repeating: 0x61, count: 4096))])
            let error = try await self.failure(client, HTTPRequest(url: server.url("/big"), maxBodyBytes: 1024))
            #expect(error.kind == .bodyTooLarge)
            #expect(error.url == server.url("/big").absoluteString)
            #expect(error.message.contains("1024 bytes"))

            // At the limit exactly, the body is accepted.
            let exact = try await client.send(HTTPRequest(url: server.url("/big"), maxBodyBytes: 4096))
            #expect(exact.body.count == 4096)
        }
    }

    @Test func decodedBodyOverTheLimitFailsWithBodyTooLarge() async throws {
        try await self.withServer(HTTPClientConfiguration(timeout: 5, maxBodyBytes: 10_000)) { server, client in
            // 65,536 × "a", gzip-compressed to 97 bytes: passes the Content-Length check, then
            // expands past the limit while decoding, so the write callback must stop it.
            let bomb = try #require(
                Data(
                    base64Encoded:
                        "H4sIAAAAAAACA+3BgQAAAACAINb9JRapCgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAGr/kSDDAAABAA=="
                )
            )
            server.script("/bomb", [ReplayResponse(headers: ["Content-Encoding": "gzip"], body: bomb)])
            let error = try await self.failure(client, HTTPRequest(url: server.url("/bomb")))
            #expect(error.kind == .bodyTooLarge)
            #expect(error.message.contains("10000 bytes"))
        }
    }

    @Test func answerSlowerThanTheTimeoutFailsWithTimeout() async throws {
        try await self.withServer { server, client in
            server.script("/slow", [ReplayResponse(body: Data("late".utf8), delay: 3)])
            let started = Date()
            let error = try await self.failure(client, HTTPRequest(url: server.url("/slow"), timeout: 0.5))
            #expect(error.kind == .timeout)
            #expect(error.message.contains("0.5 s"))
            #expect(error.url == server.url("/slow").absoluteString)
            #expect(Date().timeIntervalSince(started) < 2.5)
        }
    }

    @Test func truncatedBodyFailsWithTruncated() async throws {
        try await self.withServer { server, client in
            server.script("/cut", [ReplayResponse(body: Data(repeating: 0x62, count: 1000), truncateBodyAt: 100)])
            let error = try await self.failure(client, HTTPRequest(url: server.url("/cut")))
            #expect(error.kind == .truncated)
            #expect(error.url == server.url("/cut").absoluteString)
        }
    }

    @Test func conditionalGetSendsIfNoneMatchAndReturns304() async throws {
        try await self.withServer { server, client in
            server.script("/etag", [ReplayResponse(headers: ["ETag": "\"v1\""], body: Data("current".utf8))])
            server.script("/scripted-304", [ReplayResponse(status: 304, headers: ["ETag": "\"v9\""])])

            let unchanged = try await client.send(HTTPRequest(url: server.url("/etag"), ifNoneMatch: "\"v1\""))
            #expect(unchanged.status == 304)
            #expect(unchanged.isNotModified)
            #expect(unchanged.body.isEmpty)
            #expect(unchanged.headers["ETag"] == "\"v1\"")

            let changed = try await client.send(HTTPRequest(url: server.url("/etag"), ifNoneMatch: "\"v0\""))
            #expect(changed.status == 200)
            #expect(changed.body == Data("current".utf8))

            let scripted = try await client.send(HTTPRequest(url: server.url("/scripted-304"), ifNoneMatch: "\"v9\""))
            #expect(scripted.status == 304)
            #expect(!scripted.isSuccess)

            #expect(server.requests().map { $0.headers["If-None-Match"] } == ["\"v1\"", "\"v0\"", "\"v9\""])
        }
    }

    @Test func ifModifiedSinceIsSentAsAnHTTPDate() async throws {
        try await self.withServer { server, client in
            let lastModified = "Sun, 06 Nov 1994 08:49:37 GMT"  // RFC 9110's own example date.
            server.script("/dated", [ReplayResponse(headers: ["Last-Modified": lastModified], body: Data("x".utf8))])
            let since = Date(timeIntervalSince1970: 784_111_777)
            let response = try await client.send(HTTPRequest(url: server.url("/dated"), ifModifiedSince: since))
            #expect(server.requests().first?.headers["If-Modified-Since"] == lastModified)
            #expect(response.status == 304)
            #expect(response.body.isEmpty)
        }
    }

    @Test func ifModifiedSinceBeforeTheGregorianReformIsWrittenAsFoundationsCalendarDoes() {
        // From 1583 on by arithmetic; before it, Foundation's calendar (Julian before October 1582).
        #expect(
            CurlTransferPlan.httpDate(Date(timeIntervalSince1970: -12_212_553_600)) == "Sat, 01 Jan 1583 00:00:00 GMT")
        #expect(
            CurlTransferPlan.httpDate(Date(timeIntervalSince1970: 784_111_777.9)) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(
            CurlTransferPlan.httpDate(Date(timeIntervalSince1970: -12_212_553_601)) == "Fri, 31 Dec 1582 23:59:59 GMT")
    }

    @Test func refusedConnectionFailsWithConnect() async throws {
        // A port bound but not listening: every connection is refused, and no other test's
        // server can take it meanwhile (a server's port merely freed could be taken again).
        let closed = try TakenPort(port: 0, listening: false)
        defer { closed.release() }
        let url = URL(string: "http://127.0.0.1:\(closed.port)/nobody-home")!

        let client = try CurlHTTPClient(configuration: HTTPClientConfiguration(timeout: 5))
        defer { client.shutdown() }
        let error = try await self.failure(client, HTTPRequest(url: url))
        #expect(error.kind == .connect)
        #expect(error.url == url.absoluteString)
        #expect(error.pollFailure.kind == .connect)
    }

    /// A server at the address that answers bytes that are not HTTP (libcurl takes them for
    /// HTTP/0.9 and refuses) is a transport failure that says so, not "fix it in the
    /// configuration" (a tester was told to fix a config that was right).
    @Test func anAnswerThatIsNotHTTPIsSaidSo() async throws {
        let listening = try TakenPort(port: 0, listening: true)
        defer { listening.release() }
        let fd = listening.fd
        let server = Thread {
            let connection = accept(fd, nil, nil)
            guard connection >= 0 else { return }
            var request = [UInt8](repeating: 0, count: 4_096)
            _ = read(connection, &request, request.count)
            let answer = Array("SSH-2.0-OpenSSH_9.2\r\nnot a web server\r\n".utf8)
            _ = write(connection, answer, answer.count)
            close(connection)
        }
        server.start()
        let client = try CurlHTTPClient(configuration: HTTPClientConfiguration(timeout: 5))
        defer { client.shutdown() }
        let error = try await self.failure(
            client, HTTPRequest(url: URL(string: "http://127.0.0.1:\(listening.port)/feed.xml")!))
        #expect(error.kind == .transport)
        #expect("\(error)".contains("the server's answer is not HTTP"), "\(error)")
        #expect(!"\(error)".contains("fix it in the configuration"))
    }

    @Test func perHostLimitCapsConcurrentRequestsAtTheServer() async throws {
        let configuration = HTTPClientConfiguration(timeout: 5, perHostConcurrency: 2)
        try await self.withServer(configuration) { server, client in
            server.script("/held", [ReplayResponse(body: Data("ok".utf8), delay: 0.25)])
            let started = Date()
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<6 {
                    group.addTask { try await client.send(HTTPRequest(url: server.url("/held?n=\(index)"))).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 6))
            #expect(server.peakConcurrentRequests() == 2)
            // Three waves of two, each held 0.25 s by the server.
            #expect(Date().timeIntervalSince(started) >= 0.7)
        }
    }

    @Test func theGlobalLimitCapsConcurrentRequestsAcrossHosts() async throws {
        let configuration = HTTPClientConfiguration(timeout: 5, concurrency: 2, perHostConcurrency: 4)
        try await self.withServer(configuration) { server, client in
            server.script("/held", [ReplayResponse(body: Data("ok".utf8), delay: 0.25)])
            // The same server under two host names: each host's limit alone would let 4 + 4 run.
            let urls = try (0..<3).flatMap { index in
                [
                    server.url("/held?a=\(index)"),
                    try #require(URL(string: "http://localhost:\(server.port)/held?b=\(index)")),
                ]
            }
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for url in urls { group.addTask { try await client.send(HTTPRequest(url: url)).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 6))
            #expect(server.peakConcurrentRequests() == 2)
        }
    }

    @Test func cancellingWaitingAndRunningRequestsThrowsCancellationError() async throws {
        let configuration = HTTPClientConfiguration(timeout: 10, perHostConcurrency: 1)
        try await self.withServer(configuration) { server, client in
            server.script("/hold", [ReplayResponse(body: Data("late".utf8), delay: 5)])
            let running = Task { try await client.send(HTTPRequest(url: server.url("/hold?running"))) }
            try await self.waitForRequests(server, count: 1)
            let waiting = Task { try await client.send(HTTPRequest(url: server.url("/hold?waiting"))) }
            try await Task.sleep(for: .milliseconds(100))

            let started = Date()
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }
            running.cancel()
            await #expect(throws: CancellationError.self) { try await running.value }
            #expect(Date().timeIntervalSince(started) < 1.5)
            // The waiter never reached the server.
            #expect(server.requests().map(\.path) == ["/hold?running"])

            // The slot was given back: the client still works.
            server.script("/after", [ReplayResponse(body: Data("fine".utf8))])
            #expect(try await client.send(HTTPRequest(url: server.url("/after"))).status == 200)
        }
    }

    @Test func requestHeldByItsHostsLimitDoesNotHoldUpAnotherHost() async throws {
        let configuration = HTTPClientConfiguration(timeout: 10, perHostConcurrency: 1)
        try await self.withServer(configuration) { server, client in
            server.script("/hold", [ReplayResponse(body: Data("late".utf8), delay: 5)])
            server.script("/other", [ReplayResponse(body: Data("other".utf8))])
            let running = Task { try await client.send(HTTPRequest(url: server.url("/hold?running"))) }
            try await self.waitForRequests(server, count: 1)
            let queued = Task { try await client.send(HTTPRequest(url: server.url("/hold?queued"))) }
            try await Task.sleep(for: .milliseconds(100))

            // The same server under another host name has a slot of its own, while the queued
            // request for 127.0.0.1 still waits for its host's one slot.
            let other = try #require(URL(string: "http://localhost:\(server.port)/other"))
            let answer = try await client.send(HTTPRequest(url: other))
            #expect(answer.status == 200)
            #expect(answer.body == Data("other".utf8))
            #expect(!server.requests().map(\.path).contains("/hold?queued"))

            queued.cancel()
            await #expect(throws: CancellationError.self) { try await queued.value }
            running.cancel()
            await #expect(throws: CancellationError.self) { try await running.value }
            #expect(!server.requests().map(\.path).contains("/hold?queued"))
        }
    }

    @Test func manyConcurrentRequestsAllComplete() async throws {
        let configuration = HTTPClientConfiguration(timeout: 10, perHostConcurrency: 16)
        try await self.withServer(configuration) { server, client in
            server.script("/item", [ReplayResponse(body: Data("item".utf8))])
            let bodies = try await withThrowingTaskGroup(of: Data.self) { group in
                for index in 0..<200 {
                    group.addTask { try await client.send(HTTPRequest(url: server.url("/item?n=\(index)"))).body }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(bodies.count == 200)
            #expect(bodies.allSatisfy { $0 == Data("item".utf8) })
            #expect(Set(server.requests().map(\.path)).count == 200)
            #expect(server.peakConcurrentRequests() <= 16)
        }
    }

    @Test func shutdownFailsRunningAndLaterRequests() async throws {
        let server = ReplayServer()
        try await server.start()
        atEnd { await server.stop() }
        server.script("/hold", [ReplayResponse(delay: 5)])
        let client = try CurlHTTPClient(configuration: HTTPClientConfiguration(timeout: 10))
        let running = Task { try await client.send(HTTPRequest(url: server.url("/hold"))) }
        try await self.waitForRequests(server, count: 1)

        client.shutdown()
        client.shutdown()  // Idempotent.
        await #expect(throws: CancellationError.self) { try await running.value }
        await #expect(throws: CancellationError.self) { try await client.send(HTTPRequest(url: server.url("/hold"))) }
        await server.stop()
    }

    @Test func proxyFromTheRequestCarriesTheTransfer() async throws {
        try await self.withServer { proxy, client in
            // An HTTP proxy receives the absolute URL as the request target; the name is never resolved.
            proxy.script("http://feeds.example.invalid/rss", [ReplayResponse(body: Data("via proxy".utf8))])
            let request = HTTPRequest(
                url: URL(string: "http://feeds.example.invalid/rss")!,
                proxy: proxy.baseURL.absoluteString
            )
            let response = try await client.send(request)
            #expect(response.body == Data("via proxy".utf8))
            #expect(proxy.requests().first?.path == "http://feeds.example.invalid/rss")
        }
    }

    @Test func transfersOneAfterAnotherReuseOneEasyHandle() async throws {
        try await self.withServer { server, client in
            server.script("/feed", [ReplayResponse(body: Data("same".utf8))])
            for _ in 0..<5 {
                let response = try await client.send(HTTPRequest(url: server.url("/feed")))
                #expect(response.body == Data("same".utf8))
            }
            #expect(client.easyHandlesMade == 1)
            #expect(server.requests().count == 5)
        }
    }

    @Test func aReusedEasyHandleCarriesNothingOfTheTransferBefore() async throws {
        try await self.withServer(HTTPClientConfiguration(userAgent: "TestAgent/1", timeout: 5)) { server, client in
            server.script("/first", [ReplayResponse(status: 201, body: Data("first".utf8))])
            server.script("/head", [ReplayResponse(body: Data("has a body".utf8))])
            server.script("/slow", [ReplayResponse(body: Data(repeating: 0x61, count: 4096), delay: 0.4)])
            server.script("http://feeds.example.invalid/rss", [ReplayResponse(body: Data("via proxy".utf8))])
            server.script("/plain", [ReplayResponse(body: Data(repeating: 0x62, count: 4096))])
            // Everything a transfer can set: method, body, headers (a cookie from a cookie file, a
            // conditional one), user agent, timeout, body limit, proxy.
            var headers = HTTPHeaders()
            headers.add(name: "Cookie", value: "SUB=secret")
            headers.add(name: "X-Only-First", value: "1")
            headers.add(name: "User-Agent", value: "Override/2")
            let first = try await client.send(
                HTTPRequest(
                    url: server.url("/first"), method: "PUT", headers: headers, body: Data("a=1".utf8),
                    ifNoneMatch: "\"v1\"", timeout: 0.2, maxBodyBytes: 1024))
            #expect(first.status == 201)
            let head = try await client.send(HTTPRequest(url: server.url("/head"), method: "HEAD"))
            #expect(head.body.isEmpty)
            let proxied = try await client.send(
                HTTPRequest(url: URL(string: "http://feeds.example.invalid/rss")!, proxy: server.baseURL.absoluteString)
            )
            #expect(proxied.body == Data("via proxy".utf8))
            // Slower than the first transfer's timeout, larger than its body limit.
            let slow = try await client.send(HTTPRequest(url: server.url("/slow")))
            #expect(slow.body.count == 4096)
            let plain = try await client.send(HTTPRequest(url: server.url("/plain")))
            #expect(plain.body.count == 4096)
            #expect(client.easyHandlesMade == 1, "each transfer reused the handle of the one before")

            let seen = server.requests()
            try #require(seen.count == 5)
            #expect(seen[0].method == "PUT")
            #expect(seen[0].headers["Cookie"] == "SUB=secret")
            #expect(seen[0].headers["User-Agent"] == "Override/2")
            #expect(seen[1].method == "HEAD")
            #expect(seen[2].path == "http://feeds.example.invalid/rss")
            for request in seen[3...] {
                #expect(request.method == "GET")
                #expect(request.body.isEmpty)
                #expect(request.path.hasPrefix("/"), "sent directly, not through the proxy before")
                for name in ["Cookie", "X-Only-First", "If-None-Match", "Content-Length", "Content-Type"] {
                    #expect(request.headers[name] == nil, "\(name) of an earlier transfer")
                }
                #expect(request.headers["User-Agent"] == "TestAgent/1")
            }
        }
    }

    @Test func unusableRequestsFailBeforeAnyTransfer() async throws {
        try await self.withServer { server, client in
            let file = try await self.failure(client, HTTPRequest(url: URL(string: "file:///etc/passwd")!))
            #expect(file.kind == .invalidRequest)
            #expect(file.url == "file:///etc/passwd")

            var injected = HTTPHeaders()
            injected.add(name: "X-Note", value: "a\r\nX-Injected: 1")
            let header = try await self.failure(client, HTTPRequest(url: server.url("/x"), headers: injected))
            #expect(header.kind == .invalidRequest)

            let socks = try await self.failure(
                client,
                HTTPRequest(url: server.url("/x"), proxy: "socks5://127.0.0.1:9")
            )
            #expect(socks.kind == .invalidRequest)
            #expect(socks.message.contains("socks5h://"))

            #expect(server.requests().isEmpty)
        }
    }

    @Test func unusableConfigurationIsRefused() {
        #expect(throws: HTTPClientSetupError.self) {
            _ = try CurlHTTPClient(configuration: HTTPClientConfiguration(perHostConcurrency: 0))
        }
        #expect(throws: HTTPClientSetupError.self) {
            _ = try CurlHTTPClient(configuration: HTTPClientConfiguration(proxy: "ftp://proxy.example"))
        }
    }
}
