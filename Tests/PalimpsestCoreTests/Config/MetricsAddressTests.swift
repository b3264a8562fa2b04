import Foundation
import PalimpsestCore
import Testing

@Suite struct MetricsAddressTests {
    @Test func parsesIPv4AndBracketedIPv6() throws {
        let v4 = try #require(MetricsAddress(parsing: "127.0.0.1:9464"))
        #expect(v4.host == "127.0.0.1")
        #expect(v4.port == 9464)
        #expect(v4.isLoopback)
        #expect(v4.description == "127.0.0.1:9464")
        let v6 = try #require(MetricsAddress(parsing: "[::1]:9464"))
        #expect(v6.host == "::1")
        #expect(v6.isIPv6)
        #expect(v6.isLoopback)
        #expect(v6.description == "[::1]:9464")
        #expect(MetricsAddress(parsing: "0.0.0.0:9464")?.isLoopback == false)
        #expect(MetricsAddress(parsing: "[2001:db8::1]:80")?.isLoopback == false)
    }

    @Test(arguments: [
        "localhost:9464", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "::1:9464", "[::1]", "300.1.1.1:80", "",
    ])
    func rejectsHostNamesAndMalformedAddresses(_ text: String) {
        #expect(MetricsAddress(parsing: text) == nil)
    }

    @Test func isOffByDefaultAndForAnEmptyString() throws {
        let file = URL(fileURLWithPath: "/tmp/p.toml")
        #expect(try ConfigLoader.parse("", file: file).daemon.metricsListen == nil)
        #expect(try ConfigLoader.parse("[daemon]\nmetrics_listen = \"\"\n", file: file).daemon.metricsListen == nil)
        let on = try ConfigLoader.parse("[daemon]\nmetrics_listen = \"127.0.0.1:9464\"\n", file: file)
        #expect(on.daemon.metricsListen == MetricsAddress(parsing: "127.0.0.1:9464"))
        #expect(ConfigSummary.describe(on).contains("metrics_listen      http://127.0.0.1:9464/metrics\n"))
        #expect {
            try ConfigLoader.parse("[daemon]\nmetrics_listen = \"localhost:9464\"\n", file: file)
        } throws: { error in
            "\(error)".contains(
                "key `daemon.metrics_listen`: expected an IP address and port such as \"127.0.0.1:9464\"")
        }
    }
}
