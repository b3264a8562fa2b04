import Foundation
import Testing

@testable import PalimpsestCore

@Suite struct ByteSizeParserTests {
    @Test(arguments: [
        ("8MiB", 8_388_608), ("512KiB", 524_288), ("1048576", 1_048_576), ("8 MiB", 8_388_608),
        ("1GiB", 1_073_741_824), ("10MB", 10_000_000), ("500kB", 500_000), ("100B", 100),
    ])
    func readsByteSizes(text: String, bytes: Int) throws {
        #expect(try ByteSizeParser.bytes(from: text) == bytes)
    }

    @Test(arguments: ["8mib", "8XB", "-1MiB", "", "MiB", "1.5MiB"])
    func rejectsMalformedSizes(text: String) {
        #expect(throws: ConfigValueError.self) { try ByteSizeParser.bytes(from: text) }
    }

    @Test func formatsSizesInTheLargestExactUnit() {
        #expect(ByteSizeParser.string(from: 8 << 20) == "8 MiB")
        #expect(ByteSizeParser.string(from: 1_500) == "1500 bytes")
    }
}
