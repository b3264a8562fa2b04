#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The non-public class of an IP address: a redirect from one host to another host at such an
/// address is refused (rule of evidence 8), so no answer from inside a private network can become
/// a snapshot, evidence or an event.
///
/// Ranges: RFC 6890 (special-purpose registries), RFC 1918 (private IPv4), RFC 6598 (shared
/// address space, CGNAT), RFC 4193 (unique local IPv6), RFC 4291 (IPv6 loopback, link-local,
/// multicast, IPv4-mapped), RFC 3927 (IPv4 link-local), RFC 5771 (IPv4 multicast).
enum NetworkAddressClass: String, Sendable, Hashable, CaseIterable {
    /// `127.0.0.0/8`, `::1`.
    case loopback
    /// `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16`, `fc00::/7` (unique local).
    case privateNetwork = "private"
    /// `169.254.0.0/16`, `fe80::/10`.
    case linkLocal = "link-local"
    /// `100.64.0.0/10`, the shared address space of carrier-grade NAT.
    case carrierGradeNAT = "CGNAT"
    /// `224.0.0.0/4`, `ff00::/8`.
    case multicast
    /// `0.0.0.0/8` ("this network"), `::`.
    case unspecified

    /// The class with its ranges, for operator messages: `a loopback address (127.0.0.0/8, ::1)`.
    var description: String {
        switch self {
        case .loopback: return "a loopback address (127.0.0.0/8, ::1)"
        case .privateNetwork: return "a private address (RFC 1918 10/8, 172.16/12, 192.168/16; IPv6 ULA fc00::/7)"
        case .linkLocal: return "a link-local address (169.254.0.0/16, fe80::/10)"
        case .carrierGradeNAT: return "a carrier-grade NAT address (100.64.0.0/10, RFC 6598)"
        case .multicast: return "a multicast address (224.0.0.0/4, ff00::/8)"
        case .unspecified: return "an unspecified address (0.0.0.0/8, ::)"
        }
    }

    /// The non-public class of `address`, an IPv4 or IPv6 address in text form (as libcurl's
    /// `CURLINFO_PRIMARY_IP` and the pre-request callback give it; an IPv6 zone `%eth0` and
    /// brackets are ignored), or `nil` for a public address.
    ///
    /// Text that is not an IP address is classified as `nil` too: callers pass connected
    /// addresses, never names. IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is classified as its IPv4.
    static func of(_ address: String) -> NetworkAddressClass? {
        var text = Substring(address)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
        let plain = String(text)
        var v4 = in_addr()
        if inet_pton(AF_INET, plain, &v4) == 1 {
            // s_addr is in network byte order: the first octet is the lowest byte in memory.
            let bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return Self.ipv4(bytes)
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, plain, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return Self.ipv6(bytes)
        }
        return nil
    }

    /// True when `host` (a URL's host, brackets allowed) is an IP address literal or a name that
    /// always means this machine (`localhost`, `*.localhost`, RFC 6761 §6.3). Used where
    /// Palimpsest cannot see the connected address (behind a proxy, which resolves the name).
    static func ofLiteralHost(_ host: String) -> NetworkAddressClass? {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        if name == "localhost" || name.hasSuffix(".localhost") { return .loopback }
        return Self.of(name)
    }

    private static func ipv4(_ b: [UInt8]) -> NetworkAddressClass? {
        switch (b[0], b[1]) {
        case (0, _): return .unspecified
        case (127, _): return .loopback
        case (10, _), (172, 16...31), (192, 168): return .privateNetwork
        case (169, 254): return .linkLocal
        case (100, 64...127): return .carrierGradeNAT
        case (224...239, _): return .multicast
        default: return nil
        }
    }

    private static func ipv6(_ b: [UInt8]) -> NetworkAddressClass? {
        let isZeroPrefix = b[0..<10].allSatisfy { $0 == 0 }
        if isZeroPrefix, b[10] == 0xff, b[11] == 0xff {
            return Self.ipv4(Array(b[12..<16]))  // ::ffff:a.b.c.d, IPv4-mapped
        }
        if isZeroPrefix, b[10] == 0, b[11] == 0, b[12..<15].allSatisfy({ $0 == 0 }) {
            if b[15] == 0 { return .unspecified }  // ::
            if b[15] == 1 { return .loopback }  // ::1
        }
        if b[0] & 0xfe == 0xfc { return .privateNetwork }  // fc00::/7
        if b[0] == 0xfe, b[1] & 0xc0 == 0x80 { return .linkLocal }  // fe80::/10
        if b[0] == 0xff { return .multicast }  // ff00::/8
        return nil
    }
}
