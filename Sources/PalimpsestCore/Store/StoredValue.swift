import Foundation
import GRDB

/// Values of the state store read by their storage class, for the columns and JSON fields a person
/// may have edited by hand (`sqlite3 state.sqlite`): GRDB's converting subscripts
/// (`row["etag"] as String?`) never say that a value was of another type (they convert it, read
/// it as NULL, or stop the process). Each reader returns `.some(nil)` for NULL and `nil` for a
/// value of another type, so that the caller can name the field or skip the row.
enum StoredValue {
    /// The text of `value`: `.some(nil)` for NULL, `nil` for another type.
    static func text(_ value: DatabaseValue) -> String?? {
        switch value.storage {
        case .null: return .some(nil)
        case .string(let text): return text
        default: return nil
        }
    }

    /// The integer of `value`: `.some(nil)` for NULL, `nil` for another type (or one that does not
    /// fit an `Int`).
    static func integer(_ value: DatabaseValue) -> Int?? {
        switch value.storage {
        case .null: return .some(nil)
        case .int64(let integer): return Int(exactly: integer)
        default: return nil
        }
    }

    /// The number of `value` (an integer or a real): `.some(nil)` for NULL, `nil` for another type.
    static func number(_ value: DatabaseValue) -> Double?? {
        switch value.storage {
        case .null: return .some(nil)
        case .int64(let integer): return Double(integer)
        case .double(let real): return real
        default: return nil
        }
    }

    /// The RFC 3339 time of `value`: `.some(nil)` for NULL, `nil` for another type or for text
    /// that is not such a time.
    static func date(_ value: DatabaseValue) -> Date?? {
        guard let text = Self.text(value) else { return nil }
        guard let text else { return .some(nil) }
        // Not `return RFC3339.date(from: text)`: its `nil` would be promoted to `.some(nil)`, and
        // text that is not a time would read as NULL.
        guard let date = RFC3339.date(from: text) else { return nil }
        return date
    }

    /// The first column of each row `sql` selects that holds text, in order: rows whose value is
    /// NULL or of another type (a key edited into a BLOB) are left out, where
    /// `String.fetchAll` would stop the process on bytes that are not UTF-8.
    /// - Throws: `DatabaseError` when the statement fails.
    static func texts(_ db: Database, sql: String, arguments: StatementArguments = StatementArguments()) throws
        -> [String]
    {
        var texts: [String] = []
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() {
            if let text = Self.text(row[0]) ?? nil { texts.append(text) }
        }
        return texts
    }
}
