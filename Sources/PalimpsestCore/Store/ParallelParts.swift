import Foundation
import Synchronization

/// CPU work split over the machine's cores in contiguous parts, for the one-shot commands that
/// read a whole week or log (`digest`, `status`): each part into its own slot, so the result is
/// the one a single pass in order gives.
enum ParallelParts {
    /// `transform` applied to contiguous parts of `elements`, side by side, at most one part per
    /// core and at least `minimumPerPart` elements a part (a single part, on the calling thread's
    /// turn, when there are fewer); the parts' results in the order of their elements.
    /// - Parameters:
    ///   - elements: The work, in order.
    ///   - minimumPerPart: The fewest elements worth a part of their own.
    ///   - transform: Makes one part's result from its elements.
    static func map<Element: Sendable, PartResult: Sendable>(
        _ elements: [Element], minimumPerPart: Int, _ transform: @Sendable (ArraySlice<Element>) -> PartResult
    ) -> [PartResult] {
        let parts = min(ProcessInfo.processInfo.activeProcessorCount, max(1, elements.count / max(1, minimumPerPart)))
        let results = Mutex<[Int: PartResult]>([:])
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = (elements.count * part / parts)..<(elements.count * (part + 1) / parts)
            let result = transform(elements[range])
            results.withLock { $0[part] = result }
        }
        let made = results.withLock { $0 }
        return (0..<parts).map { part in
            guard let result = made[part] else { preconditionFailure("concurrentPerform runs every iteration") }
            return result
        }
    }
}
