import Foundation

extension HTTPResponse {
    /// True when the answer is an HTML page (by media type, or a body starting with `<` after
    /// whitespace and a byte order mark): a login wall or an error page where JSON was expected.
    var looksLikeHTML: Bool {
        if let type = self.mediaType, type == "text/html" || type == "application/xhtml+xml" { return true }
        let firstByte = self.body.first {
            !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF)
        }
        return firstByte == UInt8(ascii: "<")
    }

    /// The path of the final answer when redirects led from the requested path to another one
    /// (`/posts/b` → `/`), compared without trailing slashes and without the query; `nil` when the
    /// answer is the requested path's own (no redirect, or only the scheme, port, a trailing slash
    /// or the query changed). Another host's answer is rule 8's matter (`otherAnsweringHost`).
    var redirectedPath: String? {
        guard self.effectiveURL != self.url else { return nil }
        func normalized(_ path: String) -> String {
            var path = path.isEmpty ? "/" : path
            while path.count > 1, path.hasSuffix("/") { path.removeLast() }
            return path
        }
        let answered = normalized(self.effectiveURL.path)
        return normalized(self.url.path) == answered ? nil : answered
    }

    /// `HTTP <status> <the first bytes of the body, whitespace collapsed>`, for verdict details.
    func summary(quotingAtMost bytes: Int) -> String {
        let quoted = PostVersion.normalizeText(String(decoding: self.body.prefix(bytes), as: UTF8.self))
        guard !quoted.isEmpty else { return "HTTP \(self.status) (empty body)" }
        return "HTTP \(self.status) \(quoted)" + (self.body.count > bytes ? "…" : "")
    }
}
