import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// `XMLTreeBuilder` tells a body cut short by libxml2's error position reaching the end of the
/// document: the line and column just past its last byte. They are counted over the raw bytes
/// (`memchr` for line breaks) instead of iterating `Data` byte by byte (16% of a feed read in the
/// issue 9 profile); the position must stay the same, or a truncated feed would read as broken.
@Suite struct XMLEndPositionTests {
    /// The position as it was computed before: line breaks counted with `Data.reduce`, the last
    /// line's scalars counted after decoding it.
    static func positionAsBefore(_ data: Data) -> (line: Int, column: Int) {
        let lastBreak = data.lastIndex(of: 0x0A)
        let line = data.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        let column =
            String(decoding: data[(lastBreak.map { data.index(after: $0) } ?? data.startIndex)...], as: UTF8.self)
            .unicodeScalars.count
        return (line, column)
    }

    static func position(_ data: Data) -> (line: Int, column: Int) {
        data.withUnsafeBytes { XMLTreeBuilder.endPosition(of: $0.bindMemory(to: UInt8.self)) }
    }

    @Test func endPositionIsTheSameAsCountedByCharacters() throws {
        var bodies = [
            Data(), Data("\n".utf8), Data("a".utf8), Data("<rss>\n<channel>\r\n中文".utf8),
            Data([0xFF, 0x0A, 0xE4, 0xB8]),
        ]
        for name in FeedFixtures.allNames { bodies.append(try FeedFixtures.data(name)) }
        var random = RandomText(seed: 77)
        for round in 0..<3_000 {
            var bytes = Array(random.text(maximumPieces: 40).utf8)
            // Every third body holds bytes that are not UTF-8 (a cut multi-byte character).
            if round % 3 == 0 { bytes.append(contentsOf: [0xE4, 0xB8][..<Int.random(in: 1...2, using: &random)]) }
            bodies.append(Data(bytes))
        }
        for body in bodies {
            let before = Self.positionAsBefore(body)
            let now = Self.position(body)
            #expect(now.line == before.line && now.column == before.column, "\(Array(body.prefix(60)))")
        }
    }
}
