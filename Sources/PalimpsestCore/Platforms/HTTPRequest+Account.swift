import Foundation

extension HTTPRequest {
    /// A GET of `url` for `account`: `Accept` (when given), then the account's configured headers
    /// (sorted by name; they replace a default of the same name) and its proxy. Every adapter builds
    /// its requests through this, so an account's headers and proxy apply the same way everywhere.
    static func forAccount(_ account: Account, url: URL, accept: String?) -> HTTPRequest {
        var headers = HTTPHeaders()
        if let accept { headers.add(name: "Accept", value: accept) }
        for (name, value) in account.headers.sorted(by: { $0.key < $1.key }) {
            headers.replaceOrAdd(name: name, value: value)
        }
        return HTTPRequest(url: url, headers: headers, proxy: account.proxy)
    }
}
