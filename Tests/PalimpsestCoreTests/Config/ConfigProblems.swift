import Foundation

@testable import PalimpsestCore

/// The problems `ConfigLoader.parse` reports for `text` (as if read from `file`), or `[]` when it
/// is valid: what the config tests assert on.
func configProblems(
    _ text: String, file: URL = URL(fileURLWithPath: "/etc/palimpsest/palimpsest.toml")
) -> [ConfigError] {
    do {
        _ = try ConfigLoader.parse(text, file: file)
        return []
    } catch {
        return error.errors
    }
}
