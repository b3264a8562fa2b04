import Foundation
import Testing

@testable import PalimpsestCore

/// The one-shot commands' work split over the cores (``ParallelParts``): whatever the number of
/// parts, the results are those of one pass in order.
@Suite struct ParallelPartsTests {
    @Test(arguments: [0, 1, 999, 1_000, 2_001, 10_007])
    func partsJoinedAreOnePassInOrder(count: Int) {
        let elements = Array(0..<count)
        let parts = ParallelParts.map(elements, minimumPerPart: 1_000) { part in part.map { $0 * 3 } }
        #expect(Array(parts.joined()) == elements.map { $0 * 3 })
        let expected = min(ProcessInfo.processInfo.activeProcessorCount, max(1, count / 1_000))
        #expect(parts.count == expected, "at most one part per core, at least 1,000 elements a part")
        #expect(parts.allSatisfy { count == 0 || !$0.isEmpty }, "no empty part")
    }
}
