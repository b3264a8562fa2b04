import Foundation

/// One answer from Weibo, read once into the facts the rule table matches on: the HTTP status,
/// where redirects ended, the API's `ok` and `errno` codes, and the message a person would read
/// (the JSON `msg`, or an HTML page's text).
struct WeiboAnswer {
    /// The HTTP status of the final answer.
    let status: Int
    /// Where redirects ended.
    let finalURL: URL
    /// The body parsed as a JSON object, when it is one.
    let json: [String: Any]?
    /// True when the body is an HTML page (by `Content-Type`, or a body starting with `<`).
    let isHTML: Bool
    /// The body as UTF-8 text (invalid bytes replaced).
    let bodyText: String
    /// The API's `ok` code (`1` success, `0` no content, `-100` login), when the body is JSON.
    let okCode: Int?
    /// The API's `errno` (e.g. `20101`), as text, when present.
    let errno: String?
    /// What a reader sees: the JSON `msg` (and `data.msg`), or the HTML page's plain text
    /// (scripts and styles dropped), whitespace collapsed.
    let message: String

    /// Bytes of an HTML page read for its message: error pages are small (2.5 KB,
    /// `m_weibo_cn_error_page_no_data.html`), a status page's text sits near the top.
    static let htmlBytesRead = 256 * 1024

    init(_ response: HTTPResponse) {
        self.status = response.status
        self.finalURL = response.effectiveURL
        self.bodyText = String(decoding: response.body, as: UTF8.self)
        let object = (try? JSONSerialization.jsonObject(with: response.body, options: [])) as? [String: Any]
        self.json = object
        self.isHTML = object == nil && response.looksLikeHTML
        if let object {
            self.okCode = Self.integer(object["ok"])
            self.errno = Self.text(object["errno"]) ?? Self.text(object["error_code"])
            let data = object["data"] as? [String: Any]
            let parts = [object["msg"], object["errmsg"], object["error"], data?["msg"]].compactMap(Self.text)
            self.message = PostVersion.normalizeText(parts.joined(separator: " "))
        } else {
            self.okCode = nil
            self.errno = nil
            let text =
                self.isHTML
                ? HTMLText.plainText(
                    fromHTML: String(decoding: response.body.prefix(Self.htmlBytesRead), as: UTF8.self))
                : self.bodyText
            self.message = PostVersion.normalizeText(text)
        }
    }

    /// `data`, when the body is a JSON object with an object under `data`.
    var data: [String: Any]? { self.json?["data"] as? [String: Any] }

    /// True when the answer carries the post `id` as a status object's `id`, `mid` or `idstr`
    /// (`"id": "4645748019299849"` or `"id": 4645748019299849`): the JSON of the mobile API, or
    /// the status JSON that `m.weibo.cn/status/<id>` embeds in its page (`$render_data`).
    func showsPost(id: String) -> Bool {
        guard WeiboEndpoint.isPlausibleID(id), self.status == 200 else { return false }
        for key in ["\"id\"", "\"mid\"", "\"idstr\""] {
            var searchRange = self.bodyText.startIndex..<self.bodyText.endIndex
            while let found = self.bodyText.range(of: key, range: searchRange) {
                searchRange = found.upperBound..<self.bodyText.endIndex
                var rest = self.bodyText[found.upperBound...].drop { $0 == " " || $0 == "\t" || $0 == "\n" }
                guard rest.first == ":" else { continue }
                rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" || $0 == "\n" }
                if rest.first == "\"" { rest = rest.dropFirst() }
                guard rest.hasPrefix(id) else { continue }
                let after = rest.dropFirst(id.count).first
                if after == nil || !(after!.isASCII && after!.isNumber) { return true }
            }
        }
        return false
    }

    /// True when the answer is the profile of account `uid`: `ok: 1` with `data.userInfo.id`
    /// equal to `uid` (fixture `getIndex_uid_profile_arknights.json`).
    func showsAccount(uid: String) -> Bool {
        guard self.status == 200, self.okCode == 1, let user = self.data?["userInfo"] as? [String: Any] else {
            return false
        }
        return Self.text(user["id"]) == uid
    }

    /// `HTTP <status> "<message>"`, the message cut to 200 characters: the platform's words,
    /// quoted in verdicts and failures.
    var summary: String {
        let quoted = self.message.count > 200 ? String(self.message.prefix(200)) + "…" : self.message
        if quoted.isEmpty { return "HTTP \(self.status) (no message)" }
        return "HTTP \(self.status) \"\(quoted)\""
    }

    // MARK: - Helpers

    static func integer(_ value: Any?) -> Int? {
        switch value {
        case let number as Int: return number
        case let number as NSNumber: return number.intValue
        case let text as String: return Int(text.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    static func text(_ value: Any?) -> String? {
        switch value {
        case let text as String: return text.isEmpty ? nil : text
        case let number as Int: return String(number)
        case let number as NSNumber: return number.stringValue
        default: return nil
        }
    }
}
