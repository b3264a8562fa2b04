public import Foundation

/// One redirect a transfer followed: the answer that sent the client on, in the order received.
/// The last answer of the chain is the ``HTTPResponse`` itself.
public struct HTTPRedirect: Sendable, Hashable {
    /// The URL that answered with the redirect (the requested URL for the first one).
    public var url: URL
    /// Its HTTP status (301, 302, 303, 307 or 308).
    public var status: Int
    /// Its `Location` header exactly as sent (it may be relative).
    public var location: String
    /// The IP address the client was connected to for this answer (libcurl's pre-request
    /// callback); a proxy's address when a proxy was used; `nil` when unknown.
    public var remoteAddress: String?

    /// Creates the record of one followed redirect.
    public init(url: URL, status: Int, location: String, remoteAddress: String? = nil) {
        self.url = url
        self.status = status
        self.location = location
        self.remoteAddress = remoteAddress
    }

    /// ``location`` resolved against ``url`` (RFC 9110 §10.2.2), `nil` when it is no URL.
    public var target: URL? {
        URL(string: self.location, relativeTo: self.url)?.absoluteURL
    }

    /// True for the permanent redirects 301 and 308 (RFC 9110 §15.4.2, §15.4.9).
    public var isPermanent: Bool { self.status == 301 || self.status == 308 }
}

/// Host names as Palimpsest compares them: lowercased, without IPv6 brackets or a trailing dot.
/// Scheme and port are not part of the comparison (http→https or another port on the same host
/// is the same host).
enum HostName {
    /// The comparable host of `url`, or `nil` when it has none.
    static func of(_ url: URL) -> String? {
        guard let host = url.host, !host.isEmpty else { return nil }
        return Self.normalized(host)
    }

    /// `host` lowercased, without brackets and without a trailing dot.
    static func normalized(_ host: String) -> String {
        var name = Substring(host.lowercased())
        if name.hasPrefix("["), name.hasSuffix("]") { name = name.dropFirst().dropLast() }
        if name.hasSuffix("."), name.count > 1 { name = name.dropLast() }
        return String(name)
    }
}

extension HTTPResponse {
    /// The first host other than the requested URL's host that answered on the way (a redirect
    /// hop or the final answer), or `nil` when the requested host answered every step itself.
    ///
    /// Rule of evidence 8: only the host asked is a witness. The same host over another scheme
    /// (http→https) or port counts as the same host; any hop through another host makes the
    /// answer another host's, even when the chain ends back on the requested host.
    public var otherAnsweringHost: String? {
        let asked = HostName.of(self.url)
        for url in self.redirects.map(\.url) + [self.effectiveURL] {
            let host = HostName.of(url)
            if host != asked { return host ?? url.absoluteString }
        }
        return nil
    }

    /// True when the requested host answered every step itself (see ``otherAnsweringHost``).
    public var isAnsweredByRequestedHost: Bool { self.otherAnsweringHost == nil }

    /// The first permanent redirect (301, 308) in the chain whose target is on another host than
    /// the one requested: the address moved, and the configuration should name the new one.
    public var permanentMoveToOtherHost: HTTPRedirect? {
        let asked = HostName.of(self.url)
        return self.redirects.first { hop in
            guard hop.isPermanent, let target = hop.target else { return false }
            return HostName.of(target) != asked
        }
    }

    /// The redirect chain for operator messages: `301 http://a/x → 302 http://b/y → http://b/z`,
    /// or the URL alone when nothing redirected.
    public var redirectChain: String {
        var parts = self.redirects.map { "\($0.status) \($0.url.absoluteString)" }
        parts.append(self.effectiveURL.absoluteString)
        return parts.joined(separator: " → ")
    }
}
