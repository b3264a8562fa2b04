import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

@Suite struct CookieFileTests {
    @Test(arguments: [
        ("SUB=abc; SUBP=def\n", "SUB=abc; SUBP=def"),
        ("Cookie: SUB=abc; SUBP=def", "SUB=abc; SUBP=def"),
        ("# from the browser\n\nSUB=abc;\r\nSUBP=def\n", "SUB=abc; SUBP=def"),
        ("  cookie:SUB=abc  ", "SUB=abc"),
    ])
    func fileTextBecomesOneHeaderValue(text: String, expected: String) {
        #expect(CookieFile.headerValue(from: text) == .success(expected))
    }

    @Test(arguments: ["", "\n# only a comment\n", "Cookie:", "SUB=a\u{0}b"])
    func unusableTextIsAProblem(text: String) {
        guard case .failure = CookieFile.headerValue(from: text) else {
            Issue.record("\(text.debugDescription) should be refused")
            return
        }
    }

    @Test func onlyWeiboAccountsHaveACookieFile() throws {
        let feed = AccountSource.feed(url: URL(string: "https://example.org/feed.xml")!)
        #expect(try CookieFile.cookie(for: Account(key: Account.key(for: feed), source: feed)) == nil)
        let weibo = WeiboFixture.account()
        #expect(try CookieFile.cookie(for: weibo) == nil)
    }

    @Test func missingFileIsAnErrorNamingTheAccountAndTheFile() {
        let missing = URL(fileURLWithPath: "/nonexistent/palimpsest/weibo.cookie")
        let account = WeiboFixture.account(cookieFile: missing)
        #expect {
            try CookieFile.cookie(for: account)
        } throws: { error in
            let text = String(describing: error)
            return text.contains("weibo:6279793937") && text.contains(missing.path)
        }
    }
}
