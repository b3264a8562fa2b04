import Crypto
import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// The HTML reader against its readings before issue 9: the byte-level reader (one pass for
/// text, links and images) replaced a reader over Unicode scalars that tokenised each fragment
/// three times. The two were compared output for output on the same seeded inputs and on every
/// recorded fixture (commit "HTMLText: one byte-level pass …"); the digests below are the old
/// reader's outputs, so any change of a text, a link, an image source, a decoded reference or a
/// Weibo alt text shows here. Stored posts would look edited after an upgrade otherwise.
@Suite struct HTMLTextGoldenTests {
    /// Markup pieces random fragments are made of, with the text pieces of ``RandomText``.
    static let markup: [String] = [
        "<p>", "</p>", "<P CLASS=x>", "<br>", "<br/>", "</br>", "<BR />", "<pre>", "</pre>", "<pre/>", "<PRE>",
        "<div>", "</div>", "<li>", "</li>", "<ul>", "</ul>", "<h1>", "</h2>", "<blockquote>", "</blockquote>",
        "<td>", "</td>", "<th>", "<tr>", "</tr>", "<table>", "<hr>", "<span>", "</span>", "<b>", "</b>",
        "<a href=\"https://x.example/a?b=1&amp;c=2\">", "<a href='/rel/path'>", "<A HREF=https://u.example/q>",
        "<a href=\" javascript:alert(1) \">", "<a href=\"#top\">", "<a href=\"\">", "<a name=x>",
        "<a href=\"https://x.example/a?x=1&copy=2&amp=3\">",
        "<a href=\"https://d.example/\" href=\"https://e.example/\">",
        "</a>", "<img src=\"https://cdn.example/i.jpg?format=jpg&amp;name=orig\">", "<img src='/i.png' alt='[doge]'>",
        "<IMG SRC=pic.gif ALT=x>", "<img alt=\"only alt\">",
        "<img src=\"https://cdn.example/i.jpg?format=jpg&amp;name=orig\"/>",
        "<script>var a = '<p>x</p>';</script>", "<SCRIPT type=x>if (a < b) {}</ScRiPt >", "<style>p { }</style>",
        "<template><p>hidden</p></template>", "<script/>", "<!-- comment -->", "<!-- open", "<!---->", "<!-->",
        "<![CDATA[<b>raw &amp; kept</b>]]>", "<![cdata[x]]>", "<![CDATA[open", "<!DOCTYPE html>",
        "<?xml version=\"1.0\"?>",
        "</ >", "</3", "<", "<3", "< p>", "<a", "<a href=\"x", "<p =x>", "<img src = \"s.png\" >", "<img src=>",
        "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&nbsp;", "&nbsp", "&copy=", "&copy", "&eacute;", "&hellip;",
        "&#20013;", "&#x4E2D;", "&#X4e2d;", "&#150;", "&#0;", "&#xD800;", "&#1114112;", "&#99999999999;", "&#;",
        "&#x;", "&unknown;", "&amp", "&ampx", "&", "&#", "&#x", "&zwj;", "&#x301;", "&#769;", "&#13;", "&#10;",
        "\r\n", "\u{00A0}", "\t", " ", "\n\n\n",
    ]

    /// A random fragment of up to 30 pieces, half markup, half text.
    static func fragment(_ random: inout RandomText, markup: [String] = Self.markup, text: [String] = RandomText.pieces)
        -> String
    {
        var html = ""
        for _ in 0..<Int.random(in: 0...30, using: &random) {
            html +=
                Bool.random(using: &random)
                ? markup.randomElement(using: &random)! : text.randomElement(using: &random)!
        }
        return html
    }

    /// Everything the reader gives for one input, as one string: the text, the links, the image
    /// sources, the input with its references decoded, and Weibo's text with image alt text.
    static func reading(_ html: String) -> String {
        let content = HTMLText.content(ofHTML: html)
        // The single readers give what the combined pass gives.
        #expect(HTMLText.plainText(fromHTML: html) == content.text)
        #expect(HTMLText.links(inHTML: html) == content.links)
        #expect(HTMLText.imageSources(inHTML: html) == content.imageSources)
        return [
            content.text, content.links.joined(separator: "\u{1}"), content.imageSources.joined(separator: "\u{1}"),
            HTMLText.decodeCharacterReferences(html), WeiboText.inliningImageAltText(html),
        ].joined(separator: "\u{0}")
    }

    /// SHA-256 over the UTF-8 of the readings, each followed by the byte 2.
    static func digest(_ readings: [String]) -> String {
        var hasher = SHA256()
        for reading in readings {
            hasher.update(data: Data(reading.utf8))
            hasher.update(data: Data([2]))
        }
        return ContentHash.hex(hasher.finalize())
    }

    @Test func randomFragmentsReadAsBefore() {
        var random = RandomText(seed: 11)
        let readings = (0..<6_000).map { _ in Self.reading(Self.fragment(&random)) }
        #expect(Self.digest(readings) == "a03736aac7f95a36ceb372455e77e4962c53f3d28fe67d339ad81fddd459da8d")
    }

    @Test func plainRandomFragmentsReadAsBefore() {
        // Only plain text between the tags, so the byte-level writer runs on every text token.
        let text = RandomText.pieces.filter { $0.unicodeScalars.allSatisfy { PlainScalar.isPlain($0.value) } }
        let markup = Self.markup.filter { !$0.contains("&#x301;") && !$0.contains("&#769;") && !$0.contains("&zwj;") }
        var random = RandomText(seed: 12)
        let readings = (0..<6_000).map { _ in Self.reading(Self.fragment(&random, markup: markup, text: text)) }
        #expect(Self.digest(readings) == "e8190404a81e89ad417fcfb8addae470acecdab6014674367b0afb5064f75826")
    }

    @Test func documentTextReadsAsBefore() {
        // HTMLElement.readableText writes through the same TextWriter.
        var random = RandomText(seed: 13)
        let readings = (0..<1_500).map { _ in
            HTMLDocument.parse("<html><body>" + Self.fragment(&random) + "</body></html>").root.readableText
        }
        #expect(Self.digest(readings) == "1f205157e77bbcc942596db96980c23fef4bc936f08b493f06b77f2f9a5f7196")
    }

    @Test func recordedResponsesReadAsBefore() throws {
        let real = FeedFixtures.directory.deletingLastPathComponent()
        for (name, expected) in Self.recorded.sorted(by: { $0.key < $1.key }) {
            let data = try Data(contentsOf: real.appendingPathComponent(name))
            let body = String(decoding: data, as: UTF8.self)
            var readings = [Self.reading(body)]
            if name.hasPrefix("feeds/") {
                readings.append(Self.reading(HTMLText.decodeCharacterReferences(body)))
            } else if name.hasSuffix(".json"), let object = try? JSONSerialization.jsonObject(with: data) {
                // Every string of the answer that holds markup or a reference (Mastodon content, Weibo text).
                for string in Self.strings(in: object).sorted() where string.contains("<") || string.contains("&") {
                    readings.append(Self.reading(string))
                }
            }
            #expect(Self.digest(readings) == expected, "\(name)")
        }
    }

    static func strings(in object: Any) -> [String] {
        switch object {
        case let string as String: return [string]
        case let array as [Any]: return array.flatMap(Self.strings(in:))
        case let dictionary as [String: Any]: return dictionary.values.flatMap(Self.strings(in:))
        default: return []
        }
    }

    /// The digest of each recorded response's readings (`Tests/Fixtures/real/`), as the reader
    /// before issue 9 gave them.
    static let recorded: [String: String] = [
        "feeds/github_releases_atom.xml": "7dbaff31fca91c0dc5ef054432fe26745a0847f858c01856e7b5edaa473b6fa0",
        "feeds/jsonfeed_v1_1_spec_microblog_example.json":
            "a17160892db0e55f992e92b8e52c406fd361ccd9516203cce93cc7c9d9b7e176",
        "feeds/jsonfeed_v1_1_spec_simple_example.json":
            "e76b9f795d96f6d190590c9ce36ea805ed392093a6cfcbdbdcebfdcfcb9404e4",
        "feeds/jsonfeed_v1_npr_world.json": "417328895218fcf289c4bc9a57b7f400bdecae9eec8d543dcfbf6d90da8e0d7a",
        "feeds/rsshub_twitter_ArknightsStaff_snapshot0.xml":
            "be216345a9120469d0f2a99732abedad29bbe1322fef6c308fd9a994c3265fa2",
        "feeds/rsshub_twitter_ArknightsStaff_snapshot1.xml":
            "0bd5330ee2fb034d1f556c48d60a0a5005ed4e8472e6c98e276c219147355ae8",
        "feeds/youtube_channel_atom_digitalfoundry.xml":
            "e6c0c1c9ddbb41e6a8679e1685b81effd6e06e3b6ab09cf683e5f6e2083cde6f",
        "mastodon/account_lookup.json": "4c8ff1589d52415004e447829f5a570e4f35f96d67d7cec0c20b765d58bff707",
        "mastodon/account_lookup_404.json": "293e323bbe1fcb45f8fb3b7befbc34052864749bb31a13a9974e8902b79b5dac",
        "mastodon/account_statuses_min_id.json": "43fb3b4d6ce1e761d7e564e5195f6d9ef4b41716a86882b5762315d6384a7c35",
        "mastodon/account_statuses_page1.json": "43fb3b4d6ce1e761d7e564e5195f6d9ef4b41716a86882b5762315d6384a7c35",
        "mastodon/account_statuses_page2_max_id.json":
            "94e0d8f6608b3d35302ac75373369167c1a8d3f5ef0375ca27639be6e96764b3",
        "mastodon/account_statuses_pinned.json": "0a5ea52bb81addb0c7d3d0d58a029ce8665a2c6223478b78a4929aa7d77297b1",
        "mastodon/docs_status_entity_example.json": "ce88f9b4d89fa052dcb4ad5eb4d5c04f7d987803e89614c68d392a2e3629ba7c",
        "mastodon/status_404_not_found.json": "f7d9880987f8a52dea74a0031d30e13219aa32bb8aff5d4b8b1ce1d3c5144495",
        "mastodon/status_content_warning.json": "96a83e3318502868e4f3b79a8691529108a9f0497ede55241b27fdf359e53ab0",
        "mastodon/status_delete_404_record_not_found.json":
            "293e323bbe1fcb45f8fb3b7befbc34052864749bb31a13a9974e8902b79b5dac",
        "mastodon/status_delete_response.json": "2f6e784b6af8b95368dcda99e3c8b12cb4ace3faf3bc9e8976d1d766149693b4",
        "mastodon/status_edit_0_created.json": "066f7b82e18c33f5d8f47b8141b45fa3bc66793cfd5f4ea9f82582f740d7c329",
        "mastodon/status_edit_1_history_before_edit.json":
            "2c60a30fd8c86f75d259ecb3d1d7e6b79c008481025360f50e7e24daf0c8e403",
        "mastodon/status_edit_2_get_after_edit.json":
            "82072e9f5a7a4a2444139aec66794b52f85ebb3281a0fe8bd926834d7a64f60f",
        "mastodon/status_edit_3_history_after_edit.json":
            "d9e66766ab5a20ff18b6ffc90cb9d0332db23b32d7c4550122c9bd66ff394081",
        "mastodon/status_pin_response.json": "27d76d1bd9334a0ee484220636af721512eb656e6456a35c9d0bad1066bb302f",
        "mastodon/status_reblog_wrapper.json": "7a39c0daf65f9800a70ef64fa855eca1f1bc0c28a35c2ce9cb6f20d952cffc3d",
        "mastodon/status_source.json": "b791e6af05b02e747ba41842166d4eea2c5c48a0f80eb84faf6881e281a2f042",
        "mastodon/status_with_media_attachment.json":
            "43f1edfa9836617c73f6a3b44e44b34eb7f4f00cfbd818a1665435886cf76c66",
        "mastodon/status_with_preview_card.json": "3895938406351169ebcb29f47dcfed79d09eb76c6534fdbdb102f335349a9140",
        "mastodon/tootsdk_account_mastodon_official.json":
            "4dc23e98927c1b52ef018487f6f7620e63938ad96099e88b35dbd30dc92d547c",
        "mastodon/tootsdk_status_edited_remote.json":
            "cde47bf5aae4cdf947d5ec65e62574be3f4d476e7798024dd96c7fc1f649be72",
        "mastodon/tootsdk_streaming_delete_event.json":
            "5b2f25ffa46977d874be5c926f6b167f42c6bc614c93accce1e4c23dc5d07be7",
        "weibo/getIndex_107603_arknights_snapshot0.json":
            "a33e52fc698b3d08f3942f91d7e69888852d5bf0e4049f821446bd87df12c949",
        "weibo/getIndex_107603_arknights_snapshot1.json":
            "53f2219eb94f213b1ebb8233238e1502fdb59064d8a00f0da582e38456df7015",
        "weibo/getIndex_107603_public_figure_page2.json":
            "ee135b18b9deb957524be37303c0fd4a59784962a0387069ae0804e48db388e1",
        "weibo/getIndex_error_no_content.json": "5943f95eae48e2ec73a8e20faae80b42771488c7e5d35629293765d938452e17",
        "weibo/getIndex_uid_profile_arknights.json": "828a60d88e0fb2384033afdb287d7e8aae4aa04feac288246262c84244366186",
        "weibo/m_weibo_cn_error_page_no_data.html": "2a7abc05eb28dcb959ace6d7c3487d61edc214f9c37bde24abe3a2d85037affb",
        "weibo/statuses_extend_4645748019299849.json":
            "fef69690f3d1a3fd646521b4067b9f40939397f271dbd9d96d57a3ffdf8d0bcf",
        "weibo/statuses_extend_4649031014551911.json":
            "aa750e97dab95bd0bf4b12c50d9853f097f9f9400e3e88853113de03ed27b339",
        "bluesky/feedViewPost_bsky_app_images.json": "9bd2c6b941ada4e672b28c134931a35e8841c6c22bd3bb1fa92aa151ccdacfc3",
        "bluesky/feedViewPost_bsky_app_quote.json": "876045a7f09a6ca3d3643cc18664d61555a58a3554b4f60403085063ced07ac1",
        "bluesky/feedViewPost_bsky_app_quote_reply.json":
            "88c04b947038da0dfd4f1f610beb2e83582c2ba790a03d98089b9d64d7a945a1",
        "bluesky/feedViewPost_bsky_app_reply.json": "25d98574ba2eeb3e1bcb4ed2a1448010b037a073b600b67721176be5da5ac307",
        "bluesky/feedViewPost_bsky_app_video.json": "e52a4ab42f09cd63930773d65be070b4457c79f3e0bf94d5ca6b8f9ac1a49355",
        "bluesky/feedViewPost_nytimes_external_link.json":
            "0acc9c931b873f3e78c7c40dfbb45dd0896d61b719ea80e9030b22b73d2c5187",
        "bluesky/getAuthorFeed_dril_page.json": "33da76ea4e46f628a3abf3386311bb779073a6936fcb2926b39bd04616ef8df4",
        "bluesky/getAuthorFeed_reposts_replies_2023.json":
            "7ffaa20c0b054c3f110c2d5b46da717f5f2b908f37086a60b8b95c96e694eaf2",
        "bluesky/getProfile_dril.json": "f304221dff8317d285429c9a4022f7b2deddfdf284d893901edfb27b461ec253",
        "telegram/t_me_s_full_page_topwar_official.html":
            "7c0ed67f344729d3409f8bce9231f8ea14c364e7f1126cfdee430aa67685c106",
        "telegram/tchantest/channel_info.html": "68c11baab49bb48fe25df291c41b93733532078f4e27ba58095b3c7109924362",
        "telegram/tchantest/forwarded_text_message.html":
            "ea99c6b98ac5fa4c441b11049a39608be018dec4dddebc377c4e8dab579d5f32",
        "telegram/tchantest/message_weird_preview.html":
            "07289efe0e4c469027fb125ffbdba5d8f1834c311f23db0e0f384da48c8e12bc",
        "telegram/tchantest/multimedia_message.html":
            "17b2c60ba999a3b1f12da6512a2d47b19e678b635ffc43f388499e9e6cab94a5",
        "telegram/tchantest/no_posts_found.html": "bcd762514a113885f8093ccde179dc4f0452e88b11df936be73b7f11a2dfc524",
        "telegram/tchantest/photo_multiple.html": "64277c404c5e75ae11cff5e3948dfaebe7185100eb940f86131a1da8ef97a058",
        "telegram/tchantest/photo_single.html": "efb4023f6dcd3d1891417c6c798ab993a9d833c57f006874a6338bb1e715c966",
        "telegram/tchantest/poll.html": "2ab5119e12e1131c5972c007d805ab54cb9b30c8f45a7c3d6918a32128378a4e",
        "telegram/tchantest/service_message_channel_created.html":
            "1fd49d99ad5ee16a77ef035780af1f39119f85150b25073a54c86098abe4b876",
        "telegram/tchantest/service_message_channel_name_changed.html":
            "ff4decd946f57b26e01195a42f57d582a7863a1e681a05bd61bb49b88d404625",
        "telegram/tchantest/service_message_channel_photo_updated.html":
            "f037d782fda41f0c72607a4598237a45de8ea8aff63757fbb791581236c98ee7",
        "telegram/tchantest/service_message_pinned.html":
            "2b83b86e8659e299328290a3ac2edfb3728db1c923dba64c48a3e965116f8781",
        "telegram/tchantest/signed_edited_text_message.html":
            "2ccdd616b18d8ec9f914b289f876d7a21a453b635c08795aba3324bb683431e7",
        "telegram/tchantest/text_message_link_no_preview.html":
            "8f78ad090c1830f145d5d58d95feba8b7da1ae017a7cf2a306f12034e8354799",
        "telegram/tchantest/text_message_link_with_regular_preview.html":
            "b7a5fff36fedd279a3cfd6be9a2bb9b96ab630769b98f4feff511d69fe5bb074",
        "telegram/tchantest/text_message_multiline.html":
            "a6ffc78399652675f449a805d8beeda57c9057ee6c8716020aae8a9832453305",
        "telegram/tchantest/text_message_signed_not_edited.html":
            "8afa28e98862f85ef83f2457ff3a2887777da94fb7cd8f8a659c7db9c37e5744",
        "telegram/tchantest/text_reply_to_video.html":
            "2a7fbdd0b5b6d83800385f3e04f36f1bbaec354e0d65387993352f0b653f6e9f",
        "telegram/tchantest/unsigned_text_message.html":
            "fccae33ca4567a4eeeec7d4eee2783025cd70e66283820c95cc88f7a11e2e39c",
        "wechat/mp_weixin_article_ok_banyuetan_video.html":
            "b0a93680302ceb08d29ff605d2fb23c1a738b2933d963bf0355a47737ba485e6",
        "wechat/mp_weixin_error_page_link_expired.html":
            "768d8a91915c1c6c772f23508a06125b5b0b2e2ab6094b072f81a286ad64396f",
        "wechat/mp_weixin_rate_limit_verify_identity.html":
            "a42cd1bc838ab3ffb28c522ccaacd5f8a7a065cd02f924dbf1c5c80d766feae9",
    ]
}
