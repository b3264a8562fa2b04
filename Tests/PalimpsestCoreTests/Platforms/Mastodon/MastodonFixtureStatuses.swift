import Foundation
import PalimpsestTestSupport

@testable import PalimpsestCore

extension MastodonFixture {
    /// The statuses of `<name>.json` (an array, or one status): the adapter's own decoding type,
    /// which is not public, so this stays beside the tests that read it.
    static func statuses(named name: String) throws -> [MastodonStatus] {
        let data = try self.body(named: name)
        if let list = try? JSONDecoder().decode([MastodonStatus].self, from: data) { return list }
        return [try JSONDecoder().decode(MastodonStatus.self, from: data)]
    }
}
