import Testing

@testable import PalimpsestCore

/// The classes of addresses a redirect to another host may not lead to (rule of evidence 8).
@Suite struct NetworkAddressClassTests {
    @Test(arguments: [
        ("127.0.0.1", NetworkAddressClass.loopback), ("127.255.255.254", .loopback), ("::1", .loopback),
        ("[::1]", .loopback), ("::ffff:127.0.0.2", .loopback),
        ("10.0.0.1", .privateNetwork), ("10.255.255.255", .privateNetwork), ("172.16.0.1", .privateNetwork),
        ("172.31.255.254", .privateNetwork), ("192.168.1.10", .privateNetwork), ("fc00::1", .privateNetwork),
        ("fd12:3456:789a::1", .privateNetwork), ("::ffff:10.1.2.3", .privateNetwork),
        ("::ffff:192.168.0.1", .privateNetwork),
        ("169.254.169.254", .linkLocal), ("169.254.0.1", .linkLocal), ("fe80::1", .linkLocal),
        ("fe80::1%eth0", .linkLocal), ("febf::1", .linkLocal), ("::ffff:169.254.169.254", .linkLocal),
        ("100.64.0.1", .carrierGradeNAT), ("100.127.255.254", .carrierGradeNAT),
        ("::ffff:100.100.0.1", .carrierGradeNAT),
        ("224.0.0.1", .multicast), ("239.255.255.250", .multicast), ("ff02::1", .multicast), ("ff05::1:3", .multicast),
        ("::ffff:224.0.0.251", .multicast),
        ("0.0.0.0", .unspecified), ("0.1.2.3", .unspecified), ("::", .unspecified), ("::ffff:0.0.0.0", .unspecified),
    ])
    func nonPublicAddressIsClassified(address: String, expected: NetworkAddressClass) {
        #expect(NetworkAddressClass.of(address) == expected)
    }

    @Test(arguments: [
        "8.8.8.8", "1.1.1.1", "93.184.216.34", "172.15.255.255", "172.32.0.1", "192.169.0.1", "100.63.255.255",
        "100.128.0.1", "169.253.255.255", "223.255.255.255", "11.0.0.1", "2001:4860:4860::8888", "2606:4700::1111",
        "::ffff:8.8.8.8", "fec0::1", "fbff::1", "not an address", "", "localhost",
    ])
    func publicAddressOrNonAddressHasNoClass(address: String) {
        #expect(NetworkAddressClass.of(address) == nil)
    }

    @Test func literalHostsAndLocalhostNamesAreClassifiedByName() {
        #expect(NetworkAddressClass.ofLiteralHost("localhost") == .loopback)
        #expect(NetworkAddressClass.ofLiteralHost("LOCALHOST.") == .loopback)
        #expect(NetworkAddressClass.ofLiteralHost("admin.localhost") == .loopback)
        #expect(NetworkAddressClass.ofLiteralHost("10.0.0.5") == .privateNetwork)
        #expect(NetworkAddressClass.ofLiteralHost("[fe80::1]") == .linkLocal)
        #expect(NetworkAddressClass.ofLiteralHost("example.org") == nil)
        #expect(NetworkAddressClass.ofLiteralHost("localhost.example.org") == nil)
    }

    @Test func everyClassNamesItsRanges() {
        for addressClass in NetworkAddressClass.allCases {
            #expect(addressClass.description.contains("address ("))
        }
        #expect(NetworkAddressClass.privateNetwork.description.contains("RFC 1918"))
        #expect(NetworkAddressClass.carrierGradeNAT.description.contains("100.64.0.0/10"))
    }
}
