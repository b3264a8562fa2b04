import Foundation

/// An account's `cookie_file`: the value of a `Cookie` request header, kept out of the config
/// (DESIGN.md "Operating": secrets come from files named in the config).
///
/// The file is read at the start of every poll of the account, so new cookies (visitor cookies
/// expire) take effect at the next poll without a reload. Format: UTF-8 text; empty lines and
/// lines starting with `#` are ignored; a leading `Cookie:` is dropped; the remaining lines (e.g.
/// `SUB=…; SUBP=…`, or one cookie per line) are joined with `; `. The value is sent as the
/// `Cookie` header of every request for the account and replaces a `Cookie` set in its `headers`.
enum CookieFile {
    /// Largest file read, in bytes: a cookie header is a few kilobytes at most.
    static let maximumBytes = 64 * 1024

    /// The cookie file configured for `account`, if any (only Weibo accounts have one).
    static func url(for account: Account) -> URL? {
        account.source.value.cookieFile
    }

    /// Reads the `Cookie` header value for `account`, or `nil` when it has no cookie file.
    /// - Throws: ``PollerError`` naming the account and the file when it cannot be read, is too
    ///   large, holds no cookie or holds control characters: the operator must fix the file (the
    ///   poll cannot run as configured).
    static func cookie(for account: Account) throws -> String? {
        guard let url = self.url(for: account) else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw self.error(account, url, "cannot be read (\(error.localizedDescription))")
        }
        guard data.count <= self.maximumBytes else {
            throw self.error(account, url, "is \(data.count) bytes, more than \(self.maximumBytes) for a Cookie header")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw self.error(account, url, "is not UTF-8 text")
        }
        switch self.headerValue(from: text) {
        case .success(let value): return value
        case .failure(let problem): throw self.error(account, url, problem.message)
        }
    }

    /// The reason a cookie file's text is not a usable header value.
    struct Problem: Error, Equatable {
        var message: String
    }

    /// The `Cookie` header value that `text` (a cookie file's content) holds.
    static func headerValue(from text: String) -> Result<String, Problem> {
        var parts: [String] = []
        for rawLine in text.split(
            omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.lowercased().hasPrefix("cookie:") {
                line = line.dropFirst("cookie:".count).trimmingCharacters(in: .whitespaces)
            }
            while line.hasSuffix(";") { line.removeLast() }
            line = line.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            guard !line.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                return .failure(
                    Problem(message: "holds a control character; write the cookie on one line: SUB=…; SUBP=…"))
            }
            parts.append(line)
        }
        guard !parts.isEmpty else {
            return .failure(
                Problem(message: "holds no cookie; write the Cookie header value in it, e.g. SUB=…; SUBP=…"))
        }
        return .success(parts.joined(separator: "; "))
    }

    private static func error(_ account: Account, _ url: URL, _ problem: String) -> PollerError {
        PollerError(
            account: account.key,
            message: "cookie_file \(url.path) \(problem). Fix the file or remove cookie_file from the account.")
    }
}
