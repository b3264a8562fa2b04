import Foundation
import PalimpsestCore
import Testing

/// Whose answer a response is (rule of evidence 8): only the host asked is a witness.
@Suite struct HTTPRedirectTests {
    func response(_ requested: String, via hops: [(String, Int, String)] = [], final: String? = nil) -> HTTPResponse {
        HTTPResponse(
            url: URL(string: requested)!, effectiveURL: final.map { URL(string: $0)! }, status: 404,
            redirects: hops.map { HTTPRedirect(url: URL(string: $0.0)!, status: $0.1, location: $0.2) })
    }

    @Test func directAnswerIsTheHostsOwn() {
        #expect(self.response("https://example.org/a").isAnsweredByRequestedHost)
    }

    @Test func sameHostOverHTTPSOnAnotherPortOrInAnotherCaseIsTheHostsOwn() {
        let upgraded = self.response(
            "http://example.org/a", via: [("http://example.org/a", 301, "https://example.org/a")],
            final: "https://example.org/a")
        #expect(upgraded.isAnsweredByRequestedHost)
        let port = self.response(
            "http://example.org/a", via: [("http://example.org/a", 302, "http://example.org:8080/b")],
            final: "http://EXAMPLE.org:8080/b")
        #expect(port.isAnsweredByRequestedHost)
        let path = self.response(
            "http://example.org/a", via: [("http://example.org/a", 302, "/b")], final: "http://example.org/b")
        #expect(path.isAnsweredByRequestedHost)
        #expect(self.response("http://[::1]:8080/a", final: "http://[::1]/b").isAnsweredByRequestedHost)
    }

    @Test func answerFromAnotherHostIsAnotherHostsEvenWhenTheChainComesBack() {
        let other = self.response(
            "https://example.org/a", via: [("https://example.org/a", 302, "https://cdn.example.net/a")],
            final: "https://cdn.example.net/a")
        #expect(other.otherAnsweringHost == "cdn.example.net")
        let subdomain = self.response("https://example.org/a", final: "https://www.example.org/a")
        #expect(subdomain.otherAnsweringHost == "www.example.org")
        let back = self.response(
            "https://example.org/a",
            via: [
                ("https://example.org/a", 302, "https://login.example.net/?r=1"),
                ("https://login.example.net/?r=1", 302, "https://example.org/404"),
            ],
            final: "https://example.org/404")
        #expect(back.otherAnsweringHost == "login.example.net")
        #expect(!back.isAnsweredByRequestedHost)
    }

    @Test func permanentMoveIsA301Or308ToAnotherHost() {
        let moved = self.response(
            "https://old.example/feed", via: [("https://old.example/feed", 308, "https://new.example/feed")],
            final: "https://new.example/feed")
        #expect(moved.permanentMoveToOtherHost?.target == URL(string: "https://new.example/feed"))
        let temporary = self.response(
            "https://old.example/feed", via: [("https://old.example/feed", 302, "https://new.example/feed")],
            final: "https://new.example/feed")
        #expect(temporary.permanentMoveToOtherHost == nil)
        let sameHost = self.response(
            "http://old.example/feed", via: [("http://old.example/feed", 301, "/feed.xml")],
            final: "http://old.example/feed.xml")
        #expect(sameHost.permanentMoveToOtherHost == nil)
        #expect(moved.redirectChain == "308 https://old.example/feed → https://new.example/feed")
    }
}
