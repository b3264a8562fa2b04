import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// Every recorded Bluesky answer in `Tests/Fixtures/real/bluesky/`, read into posts; expected
/// values read by hand from the files.
@Suite struct BlueskyFeedParsingTests {
    typealias Fixture = BlueskyFixture

    // MARK: getAuthorFeed_dril_page.json

    @Test func drilPageGivesFivePostsKeyedByTheirURIsWithTheirCreationTimesInUTC() throws {
        let posts = try Fixture.posts(ofPage: "getAuthorFeed_dril_page")
        #expect(
            posts.map(\.id) == [
                Fixture.drilPost("3lix6ufungs22"), Fixture.drilPost("3litgermucc2h"), Fixture.drilPost("3lirwer3l4s2r"),
                Fixture.drilPost("3liphfrnb7c2n"), Fixture.drilPost("3liphb4l7m22n"),
            ])
        #expect(
            posts.map { Fixture.utc($0.postedAt) } == [
                "2025-02-24T20:30:07.343Z", "2025-02-23T08:33:53.781Z", "2025-02-22T18:14:53.607Z",
                "2025-02-21T18:41:42.137Z", "2025-02-21T18:39:05.833Z",
            ])
        #expect(posts.allSatisfy { $0.kind == .post && !$0.isPinned && $0.editedAt == nil && $0.reference == nil })
        #expect(
            posts.map(\.revision) == [
                "bafyreie2siy2dd5ai7nllnubiezxmvlmsngtersa22ngy5whbwj6vi55m4",
                "bafyreicfegystohyvf275zbo3ovv5xq6lzpinn46j64pskomlsx2q5nxne",
                "bafyreihzy6khdc6k7h2nozvi4x37ibxgpjtzjvvg4ecrdjg5xurrz3cxni",
                "bafyreidspv5atrf3ftcwvx2ocqihb74dsev4fwgntryjfkiolisehhpq7m",
                "bafyreig3k7kxuckbpcsqi4s2lnrm6iie6vmiehzqoip7hp4tu43qydqapi",
            ])
        #expect(posts[0].url == "https://bsky.app/profile/did:plc:6wpkkitfdkgthatfvspcfmjo/post/3lix6ufungs22")
        #expect(
            posts[0].text
                == "ai wrote my son a very impressive resume, and his only work experience is moderating a subreddit "
                + "about giving yourself diarrhea on purpose")
        #expect(posts[1].text == "j dawg funny moments")
    }

    @Test func drilClockAheadOfTheAppViewStillKeepsTheRecordsCreationTime() throws {
        // Created 20:30:07.343 by the client, indexed 20:29:50.454: 17 s of clock skew is kept.
        let first = try #require(Fixture.posts(ofPage: "getAuthorFeed_dril_page").first)
        #expect(Fixture.utc(first.postedAt) == "2025-02-24T20:30:07.343Z")
    }

    @Test func drilImageIsItsFullSizeCDNURLBuiltFromTheRecordsBlob() throws {
        let posts = try Fixture.posts(ofPage: "getAuthorFeed_dril_page")
        // Equal to the view's `fullsize` in the file.
        #expect(
            posts[1].media == [
                "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:6wpkkitfdkgthatfvspcfmjo/"
                    + "bafkreifgp423ucnueggky3zqaeb4ve2tqpqztf3l2yu6pvv5bwkad3ydc4@jpeg"
            ])
        #expect(posts[1].links.isEmpty)
        #expect(posts.enumerated().allSatisfy { $0.offset == 1 || $0.element.media.isEmpty })
    }

    @Test func drilSelfReplyIsAnOwnPostWithItsOwnText() throws {
        let reply = try Fixture.posts(ofPage: "getAuthorFeed_dril_page")[3]
        #expect(reply.kind == .post)
        #expect(reply.reference == nil, "a reply's parent is not the post's reference")
        #expect(
            reply.text
                == "he is throwing up a lot of orange liquid. i showed him Mewtwo and he thinks hes Mewtwo now . "
                + "crazy thing is... I think he might be right")
    }

    @Test func drilPageCursorIsAnISOTimestamp() throws {
        let page = try JSONDecoder().decode(BlueskyFeedPage.self, from: Fixture.body("getAuthorFeed_dril_page"))
        #expect(page.cursor == "2025-02-21T18:38:52.746Z")
        let paging = try JSONDecoder().decode(
            BlueskyFeedPage.Paging.self, from: Fixture.body("getAuthorFeed_dril_page"))
        #expect(paging.cursor == "2025-02-21T18:38:52.746Z")
        #expect(paging.itemCount == 5)
    }

    // MARK: getAuthorFeed_reposts_replies_2023.json

    @Test func page2023HasTwentyThreeOwnPostsAndTwoReposts() throws {
        let posts = try Fixture.posts(ofPage: "getAuthorFeed_reposts_replies_2023")
        #expect(posts.count == 25)
        #expect(
            posts.filter { $0.kind == .repost }.map(\.id) == [
                "repost:at://did:plc:placeholder03xxxxxxxxxxx/app.bsky.feed.post/3jukz62npim26",
                "repost:at://did:plc:7itws64acv3c6dsgab5ky6zn/app.bsky.feed.post/3juhed6iawd2h",
            ])
        let own = posts.filter { $0.kind == .post }
        #expect(own.count == 23)
        #expect(own.allSatisfy { $0.id.hasPrefix("at://did:plc:placeholder15xxxxxxxxxxx/app.bsky.feed.post/") })
        #expect(Set(posts.map(\.id)).count == 25)
    }

    @Test func repostIsTimedWhenRepostedAndPointsAtTheOriginal() throws {
        let posts = try Fixture.posts(ofPage: "getAuthorFeed_reposts_replies_2023")
        let first = posts[0]
        #expect(first.kind == .repost)
        #expect(first.reference == "at://did:plc:placeholder03xxxxxxxxxxx/app.bsky.feed.post/3jukz62npim26")
        // reason.indexedAt, not the original's createdAt (2023-04-30T06:26:07.001Z).
        #expect(Fixture.utc(first.postedAt) == "2023-04-30T06:33:13.578Z")
        #expect(
            first.text
                == "Had a great time at the Seattle meetup! Even got a chance to chat with @rose.bsky.team and "
                + "@jay.bsky.team!")
        #expect(first.links.isEmpty, "mention facets are not links")
        #expect(
            first.media == [
                "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:placeholder03xxxxxxxxxxx/"
                    + "bafkreiactiikzqoiisabzjvapodlm4ldcrgvh2pc7bqyasdgsz67vi2l7a@jpeg"
            ])
        #expect(first.revision == "bafyreidwo5tx2s42r5dw2s6v2nljasiqntvixjkzetkgyitprffbor4dl4")
        #expect(first.url == "https://bsky.app/profile/did:plc:placeholder03xxxxxxxxxxx/post/3jukz62npim26")

        let second = posts[18]
        #expect(second.reference == "at://did:plc:7itws64acv3c6dsgab5ky6zn/app.bsky.feed.post/3juhed6iawd2h")
        #expect(Fixture.utc(second.postedAt) == "2023-04-29T23:36:56.062Z")
        #expect(second.text.hasPrefix("i know that bluesky looks and behaves like twitter did —that is on purpose"))
        // Sorted by repost time between 23:40:46.665 and 23:26:07.424: the window stays in order.
        #expect(Fixture.utc(posts[17].postedAt) == "2023-04-29T23:40:46.665Z")
        #expect(Fixture.utc(posts[19].postedAt) == "2023-04-29T23:26:07.424Z")
    }

    @Test func page2023RepliesAndPlainPostsKeepTheirTextsAndTimes() throws {
        let posts = try Fixture.posts(ofPage: "getAuthorFeed_reposts_replies_2023")
        #expect(posts[1].id == "at://did:plc:placeholder15xxxxxxxxxxx/app.bsky.feed.post/3jukterj4bp2j")
        #expect(posts[1].text == "Thx, yes he is! 😆")
        #expect(Fixture.utc(posts[1].postedAt) == "2023-04-30T04:42:29.589Z")
        #expect(posts[1].reference == nil)
        #expect(posts[8].text == "実際に参加していた @xychelsea.tv がおすすめです！")
        #expect(posts[8].links.isEmpty)
        #expect(Fixture.utc(posts[24].postedAt) == "2023-04-29T22:59:32.466Z")
        #expect(posts[24].text == "He is a legend. RIP")
    }

    @Test func page2023TwoImagesKeepTheirOrder() throws {
        let post = try Fixture.posts(ofPage: "getAuthorFeed_reposts_replies_2023")[4]
        #expect(post.text == "A treasure trove! 🐩")
        #expect(
            post.media == [
                "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:placeholder15xxxxxxxxxxx/"
                    + "bafkreiefudetjotn675pdrdm2wbgynd24xw67gzrzoq4d57w6ns7zthmdu@jpeg",
                "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:placeholder15xxxxxxxxxxx/"
                    + "bafkreihysawciaeg5f5ubyvwq3yhnnuixtdknkg74sfcdteaffvftvxllq@jpeg",
            ])
        #expect(Fixture.utc(post.postedAt) == "2023-04-30T03:23:25Z")
    }

    @Test func linkFacetsAndTheLinkCardAreOneLinkWithoutRepeats() throws {
        let post = try Fixture.posts(ofPage: "getAuthorFeed_reposts_replies_2023")[11]
        #expect(post.links == ["https://psky.app/profile/why.bsky.team/post/3juk5phzpf62w"])
        #expect(post.media.isEmpty, "an external card's thumbnail is not the post's media")
    }

    @Test func page2023CursorIsTheLegacyMillisecondsAndCIDForm() throws {
        let page = try JSONDecoder().decode(
            BlueskyFeedPage.self, from: Fixture.body("getAuthorFeed_reposts_replies_2023"))
        #expect(page.cursor == "1682809172466::bafyreihdpdn7uiqmshzb2y4o67gzy2aeairq6phuk476k2oidhy2p5dbwu")
    }

    // MARK: feedViewPost_*.json

    @Test func imagesPost() throws {
        let post = try Fixture.post(item: "feedViewPost_bsky_app_images")
        #expect(post.id == "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3le6bze3nus2c")
        #expect(post.kind == .post)
        #expect(Fixture.utc(post.postedAt) == "2024-12-26T01:09:14.499Z")
        #expect(post.text.hasPrefix("Merry Christmas from us to you 🎄🎁💙 We launched Trending Topics today"))
        #expect(
            post.media == [
                "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:z72i7hdynmk6r22z27h6tvur/"
                    + "bafkreihqlw3meip62eo7vhaxhsy5rssgrmwbqx6o7e7nynnqrxjdo7lojy@jpeg"
            ])
        #expect(post.revision == "bafyreiduculgsfa6rd43yybozdfsc7jxqbzj3wlj5qz3ix4rsxgodiq36a")
    }

    @Test func videoPostIsItsPlaylistURL() throws {
        let post = try Fixture.post(item: "feedViewPost_bsky_app_video")
        #expect(post.id == "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lax5zxh7bc2p")
        #expect(Fixture.utc(post.postedAt) == "2024-11-15T00:53:46.785Z")
        // Equal to the view's `playlist` in the file.
        #expect(
            post.media == [
                "https://video.bsky.app/watch/did%3Aplc%3Az72i7hdynmk6r22z27h6tvur/"
                    + "bafkreic5qzdlpdt6gqakxzx27lsp6phmltk2fv6bpyfleoumo4nxytvleq/playlist.m3u8"
            ])
        #expect(post.text.hasPrefix("it's official — 1,000,000 people have joined Bluesky in just the last day!!!"))
    }

    @Test func externalLinkCardIsALink() throws {
        let post = try Fixture.post(item: "feedViewPost_nytimes_external_link")
        #expect(post.id == "at://did:plc:eclio37ymobqex2ncko63h4r/app.bsky.feed.post/3lj7du3smos2l")
        #expect(Fixture.utc(post.postedAt) == "2025-02-28T02:20:43.408Z")
        #expect(post.links == ["https://www.nytimes.com/live/2025/02/27/us/trump-news?smtyp=cur&smid=bsky-nytimes"])
        #expect(post.media.isEmpty)
        #expect(post.reference == nil)
        #expect(
            post.text
                == "Breaking News: A federal judge ordered the White House to retract directives that led to the mass "
                + "firing of government workers, calling the action “illegal.”")
    }

    @Test func quotePostReferencesTheQuotedURIAndNothingOfItsContent() throws {
        let post = try Fixture.post(item: "feedViewPost_bsky_app_quote")
        #expect(post.id == "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lbstepcz422v")
        #expect(post.kind == .post)
        #expect(post.reference == "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lbsizxfxa22r")
        #expect(post.text == "Livestream starting in a few minutes 👇")
        #expect(post.links.isEmpty, "the quoted post's Twitch link belongs to the quoted post")
        #expect(post.media.isEmpty)
        #expect(Fixture.utc(post.postedAt) == "2024-11-26T00:57:28.872Z")
    }

    @Test func quoteThatIsAReplyReferencesTheQuote() throws {
        let post = try Fixture.post(item: "feedViewPost_bsky_app_quote_reply")
        #expect(post.id == "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lhjnjchqfk2q")
        #expect(post.reference == "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3kkqwku6ia32i")
        #expect(post.text == "throwback to February 6, 2024:")
        #expect(post.links.isEmpty)
        #expect(Fixture.utc(post.postedAt) == "2025-02-06T17:49:48.982Z")
    }

    @Test func replyToAnotherAccountIsAnOwnPostWithItsImage() throws {
        let post = try Fixture.post(item: "feedViewPost_bsky_app_reply")
        #expect(post.id == "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3launcoafjs2p")
        #expect(post.kind == .post)
        #expect(post.reference == nil)
        #expect(post.text == "we're the #1 free app on the App Store?")
        #expect(Fixture.utc(post.postedAt) == "2024-11-14T00:49:06.026Z")
        #expect(
            post.media == [
                "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:z72i7hdynmk6r22z27h6tvur/"
                    + "bafkreifk2bimhbzym3cpmv7xrqedubyhmjzsimlcz2r22ydhymmclg74ei@jpeg"
            ])
    }

    // MARK: getProfile_dril.json

    @Test func profileGivesTheDIDHandleAndPinnedPost() throws {
        let profile = try JSONDecoder().decode(BlueskyProfile.self, from: Fixture.body("getProfile_dril"))
        #expect(profile.did == "did:plc:6wpkkitfdkgthatfvspcfmjo")
        #expect(profile.handle == "dril.bsky.social")
        #expect(profile.pinnedPostURI == "at://did:plc:6wpkkitfdkgthatfvspcfmjo/app.bsky.feed.post/3lcjnbvar5k2s")
    }

    // MARK: Version stability

    @Test(
        arguments: [
            [
                "$type": "app.bsky.embed.record#viewNotFound",
                "uri": "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lbsizxfxa22r", "notFound": true,
            ],
            [
                "$type": "app.bsky.embed.record#viewBlocked",
                "uri": "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lbsizxfxa22r", "blocked": true,
            ],
            [
                "$type": "app.bsky.embed.record#viewDetached",
                "uri": "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lbsizxfxa22r", "detached": true,
            ],
        ] as [[String: any Sendable]])
    func quotedPostThatWentAwayLeavesTheQuotingPostsVersionAlone(_ state: [String: any Sendable]) throws {
        let live = try Fixture.post(item: "feedViewPost_bsky_app_quote")
        let data = try Fixture.modified("feedViewPost_bsky_app_quote") { item in
            var post = item["post"] as! [String: Any]
            post["embed"] = ["$type": "app.bsky.embed.record#view", "record": state]
            item["post"] = post
        }
        let after = try Fixture.post(item: "feedViewPost_bsky_app_quote", data: data)
        #expect(after.versionHash == live.versionHash)
        #expect(after.reference == live.reference)
    }

    @Test(
        arguments: [
            [
                "$type": "app.bsky.feed.defs#notFoundPost",
                "uri": "at://did:plc:xlqcxpk53spbhlypj6wmvvke/app.bsky.feed.post/3latf2trsp225", "notFound": true,
            ],
            [
                "$type": "app.bsky.feed.defs#blockedPost",
                "uri": "at://did:plc:xlqcxpk53spbhlypj6wmvvke/app.bsky.feed.post/3latf2trsp225", "blocked": true,
                "author": ["did": "did:plc:xlqcxpk53spbhlypj6wmvvke"],
            ],
        ] as [[String: any Sendable]])
    func replyWhoseParentIsGoneOrBlockedKeepsItsVersion(_ parent: [String: any Sendable]) throws {
        let live = try Fixture.post(item: "feedViewPost_bsky_app_reply")
        let data = try Fixture.modified("feedViewPost_bsky_app_reply") { item in
            item["reply"] = ["root": parent, "parent": parent]
        }
        let after = try Fixture.post(item: "feedViewPost_bsky_app_reply", data: data)
        #expect(after == live)
    }

    @Test func imageProxyOrCDNChangesInTheViewLeaveTheVersionAlone() throws {
        let live = try Fixture.post(item: "feedViewPost_bsky_app_images")
        let data = try Fixture.modified("feedViewPost_bsky_app_images") { item in
            var post = item["post"] as! [String: Any]
            post["embed"] = [
                "$type": "app.bsky.embed.images#view",
                "images": [["fullsize": "https://cdn.bsky.social/imgproxy/abc/rs:fit:2000:2000:1:0/plain/x@jpeg"]],
            ]
            post["likeCount"] = 1
            item["post"] = post
        }
        #expect(try Fixture.post(item: "feedViewPost_bsky_app_images", data: data).versionHash == live.versionHash)
    }

    @Test func anotherCIDForTheSameURIIsAnotherVersionEvenWithTheSameText() throws {
        let live = try Fixture.post(item: "feedViewPost_nytimes_external_link")
        let data = try Fixture.modified("feedViewPost_nytimes_external_link") { item in
            var post = item["post"] as! [String: Any]
            post["cid"] = "bafyreirewrittenrecordxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            item["post"] = post
        }
        let rewritten = try Fixture.post(item: "feedViewPost_nytimes_external_link", data: data)
        #expect(rewritten.id == live.id)
        #expect(rewritten.text == live.text)
        #expect(rewritten.versionHash != live.versionHash)
    }

    @Test func revisionIsALineOfTheCanonicalFormOnlyForPostsThatHaveOne() throws {
        // Posts of other platforms (no revision) keep the hash they had before revisions existed.
        #expect(PostVersion(text: "x", reference: "r").canonicalForm == "v1\ntitle:\ntext:x\nref:r")
        #expect(
            PostVersion(text: "x", reference: "r", revision: "bafy").canonicalForm
                == "v1\ntitle:\ntext:x\nref:r\nrev:bafy")
        #expect(Post(id: "1", text: "x").versionHash == PostVersion(text: "x").hash)
        // A state file written before revisions existed still reads.
        let old =
            #"{"id":"1","is_pinned":false,"is_truncated":false,"kind":"post","links":[],"media":[],"text":"x","#
            + #""version_hash":"abc"}"#
        let post = try JSONCoding.decoder().decode(Post.self, from: Data(old.utf8))
        #expect(post.revision == nil)
        #expect(post.versionHash == "abc")
    }

    @Test func pinReasonOrTheProfilesPinnedPostMarksThePostPinned() throws {
        let data = try Fixture.modified("feedViewPost_bsky_app_video") { item in
            item["reason"] = ["$type": "app.bsky.feed.defs#reasonPin"]
        }
        let pinned = try Fixture.post(item: "feedViewPost_bsky_app_video", data: data)
        #expect(pinned.isPinned)
        #expect(pinned.kind == .post)
        let byProfile = try Fixture.post(
            item: "feedViewPost_bsky_app_video",
            pinnedURI: "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lax5zxh7bc2p")
        #expect(byProfile.isPinned)
        #expect(try !Fixture.post(item: "feedViewPost_bsky_app_video").isPinned)
        #expect(pinned.versionHash == byProfile.versionHash, "pinning is not a change of content")
    }

    @Test func everyPostTimeSurvivesTheStateFilesRoundTripExactly() throws {
        // The detector compares this poll's newest time with the one read back from state.json:
        // a time that changed in its last bit would make every later snapshot look stale.
        let posts =
            try Fixture.posts(ofPage: "getAuthorFeed_dril_page")
            + Fixture.posts(ofPage: "getAuthorFeed_reposts_replies_2023")
        for post in posts {
            let date = try #require(post.postedAt)
            #expect(RFC3339.date(from: RFC3339.string(from: date)) == date, "\(post.id)")
        }
        let microseconds = try #require(BlueskyTimestamp.date(from: "2025-02-24T20:30:07.343789+00:00"))
        #expect(RFC3339.string(from: microseconds) == "2025-02-24T20:30:07.344Z")
        #expect(RFC3339.date(from: RFC3339.string(from: microseconds)) == microseconds)
        #expect(BlueskyTimestamp.date(from: "yesterday") == nil)
    }

    @Test func recordDatedFarInTheFutureIsTimedWhenIndexed() throws {
        let data = try Fixture.modified("feedViewPost_bsky_app_images") { item in
            var post = item["post"] as! [String: Any]
            var record = post["record"] as! [String: Any]
            record["createdAt"] = "2031-01-01T00:00:00.000Z"
            post["record"] = record
            item["post"] = post
        }
        let post = try Fixture.post(item: "feedViewPost_bsky_app_images", data: data)
        #expect(Fixture.utc(post.postedAt) == "2024-12-26T01:09:16.848Z")
    }

    @Test func legacyBlobWithABareCIDIsStillMedia() throws {
        let data = try Fixture.modified("feedViewPost_bsky_app_images") { item in
            var post = item["post"] as! [String: Any]
            var record = post["record"] as! [String: Any]
            record["embed"] = [
                "$type": "app.bsky.embed.images",
                "images": [["alt": "", "image": ["cid": "bafkreilegacy", "mimeType": "image/jpeg"]]],
            ]
            post["record"] = record
            item["post"] = post
        }
        let post = try Fixture.post(item: "feedViewPost_bsky_app_images", data: data)
        #expect(
            post.media == [
                "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:z72i7hdynmk6r22z27h6tvur/bafkreilegacy@jpeg"
            ])
    }

    @Test func quoteWithMediaGivesBothTheQuotedURIAndTheMedia() throws {
        let data = try Fixture.modified("feedViewPost_bsky_app_quote") { item in
            var post = item["post"] as! [String: Any]
            var record = post["record"] as! [String: Any]
            record["embed"] = [
                "$type": "app.bsky.embed.recordWithMedia",
                "record": [
                    "record": [
                        "uri": "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lbsizxfxa22r", "cid": "bafyq",
                    ]
                ],
                "media": [
                    "$type": "app.bsky.embed.images",
                    "images": [["alt": "", "image": ["$type": "blob", "ref": ["$link": "bafkreimedia"]]]],
                ],
            ]
            post["record"] = record
            item["post"] = post
        }
        let post = try Fixture.post(item: "feedViewPost_bsky_app_quote", data: data)
        #expect(post.reference == "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lbsizxfxa22r")
        #expect(
            post.media == [
                "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:z72i7hdynmk6r22z27h6tvur/bafkreimedia@jpeg"
            ])
    }

    @Test func itemWithoutAURIOrCIDMakesTheAnswerUnparsable() throws {
        for field in ["uri", "cid", "record"] {
            let data = try Fixture.modified("getAuthorFeed_dril_page") { page in
                var feed = page["feed"] as! [[String: Any]]
                var post = feed[2]["post"] as! [String: Any]
                post[field] = nil
                feed[2]["post"] = post
                page["feed"] = feed
            }
            #expect(throws: DecodingError.self, "a post without \(field)") {
                try JSONDecoder().decode(BlueskyFeedPage.self, from: data)
            }
        }
    }
}
