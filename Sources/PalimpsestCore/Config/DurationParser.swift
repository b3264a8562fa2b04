public import Foundation

/// Reads the durations written in the config (`interval`, `timeout`, `confirm_min_age`, …).
///
/// A duration is either a whole number of seconds (`600`, `"600"`) or one or more
/// `<whole number><unit>` parts, largest unit first, each unit at most once: `"500ms"`, `"90s"`,
/// `"10m"`, `"1h30m"`, `"2h"`, `"1d"`, `"1d 12h"` (spaces between parts are allowed). Units are
/// `d` (86 400 s), `h` (3 600 s), `m` (60 s), `s` and `ms`, in lower case only (`"10M"` is
/// rejected: it could be read as months).
public enum DurationParser {
    /// Milliseconds below which a duration converts to `Int` milliseconds without overflow.
    private static let largestMilliseconds = 9.0e18

    /// Units from largest to smallest, with their length in milliseconds.
    private static let units: [(symbol: String, milliseconds: Int)] = [
        ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1),
    ]

    /// The examples named in every error message.
    static let expectation =
        #"a duration such as "90s", "10m", "1h30m", "2d" or "500ms", or a whole number of seconds"#

    /// Parses a duration.
    ///
    /// - Parameter text: The duration as written in the config, e.g. `"1h30m"` or `"45"`.
    /// - Returns: The duration in seconds (`"500ms"` gives `0.5`). Zero (`"0"`, `"0s"`) is
    ///   returned as `0`; callers that need a positive value check that themselves.
    /// - Throws: ``ConfigValueError`` when `text` is empty, negative, has a fraction (`"1.5h"`: the
    ///   message gives the whole-unit form, `"1h30m"` or `"90m"`), has an unknown or repeated unit,
    ///   has units out of order, or is too large to represent.
    public static func seconds(from text: String) throws(ConfigValueError) -> TimeInterval {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw ConfigValueError(text: text, message: "expected \(self.expectation), found an empty string")
        }
        if trimmed.hasPrefix("-") {
            throw ConfigValueError(text: text, message: "a duration cannot be negative, found \"\(text)\"")
        }
        let invalid = ConfigValueError(text: text, message: "expected \(self.expectation), found \"\(text)\"")
        if trimmed.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard let seconds = Int(trimmed), seconds <= Int.max / 1_000 else {
                throw ConfigValueError(text: text, message: "duration \"\(text)\" is too large")
            }
            return TimeInterval(seconds)
        }

        if let fraction = Self.fractionalSeconds(trimmed) {
            throw ConfigValueError(
                text: text,
                message: "fractions are not accepted, found \"\(text)\"; "
                    + Self.wholeUnitsAdvice(seconds: fraction, written: text)
            )
        }

        var scalars = Substring(trimmed)
        var totalMilliseconds = 0
        var nextUnitIndex = 0  // units must come largest first, each at most once
        while !scalars.isEmpty {
            let digits = scalars.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty else { throw invalid }
            scalars = scalars.dropFirst(digits.count)
            let letters = scalars.prefix { $0.isASCII && $0.isLetter }
            scalars = scalars.dropFirst(letters.count).drop { $0 == " " }
            guard let unitIndex = self.units.firstIndex(where: { $0.symbol == letters }) else {
                if letters.isEmpty {
                    throw ConfigValueError(
                        text: text,
                        message: "expected \(self.expectation), found \"\(text)\" (the number \(digits) has no unit)"
                    )
                }
                throw ConfigValueError(
                    text: text,
                    message: "expected \(self.expectation), found \"\(text)\" (unknown unit \"\(letters)\"; "
                        + "units are d, h, m, s, ms)"
                )
            }
            guard unitIndex >= nextUnitIndex else {
                throw ConfigValueError(
                    text: text,
                    message: "expected \(self.expectation), found \"\(text)\" "
                        + "(write each unit once, largest first, e.g. \"1h30m\")"
                )
            }
            nextUnitIndex = unitIndex + 1
            guard let count = Int(digits) else {
                throw ConfigValueError(text: text, message: "duration \"\(text)\" is too large")
            }
            let (part, overflowPart) = count.multipliedReportingOverflow(by: self.units[unitIndex].milliseconds)
            let (sum, overflowSum) = totalMilliseconds.addingReportingOverflow(part)
            guard !overflowPart, !overflowSum else {
                throw ConfigValueError(text: text, message: "duration \"\(text)\" is too large")
            }
            totalMilliseconds = sum
        }
        return TimeInterval(totalMilliseconds) / 1_000
    }

    /// The seconds `text` would mean if fractions were allowed (`"1.5h"` → 5400), or `nil` when
    /// it has no fraction or is not of that form (`<number>.<digits><unit>`, parts largest first).
    static func fractionalSeconds(_ text: String) -> TimeInterval? {
        guard text.contains(where: { $0 == "." || $0 == "," }) else { return nil }
        var rest = Substring(text)
        var total: TimeInterval = 0
        while !rest.isEmpty {
            let number = rest.prefix { ($0.isASCII && $0.isNumber) || $0 == "." || $0 == "," }
            guard !number.isEmpty, let value = Double(number.replacingOccurrences(of: ",", with: ".")) else {
                return nil
            }
            rest = rest.dropFirst(number.count)
            let letters = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(letters.count).drop { $0 == " " }
            guard let unit = self.units.first(where: { $0.symbol == letters }) else { return nil }
            total += value * Double(unit.milliseconds) / 1_000
        }
        return total
    }

    /// How to write `seconds` in whole units, for a message about a fraction: `write "1.5h" as
    /// "1h30m" or "90m"` (the second form in the largest unit that holds it whole, when different).
    static func wholeUnitsAdvice(seconds: TimeInterval, written: String) -> String {
        guard seconds.isFinite, seconds * 1_000 < Self.largestMilliseconds else {
            return "write a whole number of seconds or a duration such as \"10m\""
        }
        let milliseconds = Int((seconds * 1_000).rounded())
        guard milliseconds > 0 else { return "write whole numbers with a unit, e.g. \"90m\" or \"1h30m\"" }
        let exact = Self.string(from: seconds)
        var forms = [exact]
        if let single = self.units.first(where: {
            milliseconds % $0.milliseconds == 0 && milliseconds >= $0.milliseconds
        }) {
            let form = "\(milliseconds / single.milliseconds)\(single.symbol)"
            if form != exact { forms.append(form) }
        }
        let rounded = Double(milliseconds) / 1_000 != seconds ? " (rounded to the millisecond)" : ""
        return "write \"\(written)\" as " + forms.map { "\"\($0)\"" }.joined(separator: " or ") + rounded
    }

    /// Formats seconds the way the config writes them, largest unit first: `5400` gives `"1h30m"`,
    /// `0.5` gives `"500ms"`, `0` gives `"0s"`. Fractions below a millisecond are rounded.
    ///
    /// - Parameter seconds: A non-negative duration in seconds.
    /// - Returns: A string that ``seconds(from:)`` reads back to the same value (to the millisecond).
    public static func string(from seconds: TimeInterval) -> String {
        guard seconds.isFinite, seconds > 0 else { return "0s" }
        // Beyond what milliseconds in an `Int` hold: whole seconds, as the number reads.
        guard seconds * 1_000 < Self.largestMilliseconds else { return String(format: "%.0fs", seconds) }
        var remaining = Int((seconds * 1_000).rounded())
        guard remaining > 0 else { return "0s" }
        var text = ""
        for unit in self.units where remaining >= unit.milliseconds {
            text += "\(remaining / unit.milliseconds)\(unit.symbol)"
            remaining %= unit.milliseconds
        }
        return text
    }
}
