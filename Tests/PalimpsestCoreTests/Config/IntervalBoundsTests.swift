import Foundation
import PalimpsestCore
import Testing

/// Poll intervals are bounded (30 s to 7 d), and a fraction gets a message that shows the syntax.
@Suite struct IntervalBoundsTests {
    static func problems(_ toml: String) -> [String] {
        do {
            _ = try ConfigLoader.parse(toml, file: URL(fileURLWithPath: "/etc/palimpsest/palimpsest.toml"))
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test func intervalsAreBoundedFromThirtySecondsToSevenDays() {
        #expect(Self.problems("[daemon]\ninterval = \"7d\"\n").isEmpty)
        #expect(Self.problems("[daemon]\ninterval = \"30s\"\n").isEmpty)
        #expect(
            Self.problems("[daemon]\ninterval = \"99999999d\"\n") == [
                "/etc/palimpsest/palimpsest.toml:2:1: key `daemon.interval`: expected a duration from 30s to 7d, "
                    + "found 99999999d"
            ])
        let account = "[[account]]\nplatform = \"feed\"\nurl = \"https://example.org/feed.xml\"\ninterval = \"8d\"\n"
        #expect(
            Self.problems(account) == [
                "/etc/palimpsest/palimpsest.toml:4:1: account #1: key `interval`: expected a duration from 30s to 7d, "
                    + "found 8d"
            ])
        #expect(Self.problems("[daemon]\ninterval = \"29s\"\n").first?.contains("from 30s to 7d, found 29s") == true)
    }

    @Test func aFractionSaysFractionsAreNotAcceptedAndHowToWriteIt() {
        #expect(
            Self.problems("[daemon]\ninterval = \"1.5h\"\n") == [
                "/etc/palimpsest/palimpsest.toml:2:1: key `daemon.interval`: fractions are not accepted, found "
                    + "\"1.5h\"; write \"1.5h\" as \"1h30m\" or \"90m\""
            ])
        #expect(
            Self.problems("[daemon]\ntimeout = \"0.5m\"\n").first?.hasSuffix("write \"0.5m\" as \"30s\"") == true)
        #expect(
            Self.problems("[daemon]\ninterval = 90.5\n").first?.contains(
                "fractions are not accepted: write \"90.5\" as \"1m30s500ms\" or \"90500ms\"") == true)
    }
}
