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

    /// `HTTP <status> <the first bytes of the body, whitespace collapsed>`, for verdict details.
    func summary(quotingAtMost bytes: Int) -> String {
        let quoted = PostVersion.normalizeText(String(decoding: self.body.prefix(bytes), as: UTF8.self))
        guard !quoted.isEmpty else { return "HTTP \(self.status) (empty body)" }
        return "HTTP \(self.status) \(quoted)" + (self.body.count > bytes ? "…" : "")
    }
}
