import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// Parser tests over every timeline and status file in `Tests/Fixtures/real/mastodon/`, against
/// values read by hand from the files.
@Suite struct MastodonStatusParsingTests {
    let adapter = MastodonAdapter()
    let emptyPins = MastodonFixture.response(status: 200, body: "[]")

    private func observedPosts(_ responses: [HTTPResponse]) throws -> [Post] {
        let outcome = self.adapter.observe(
            responses,
            for: MastodonFixture.account,
            polledAt: MastodonFixture.utc(1_785_592_560)
        )
        guard case .observed(let posts, let isComplete) = outcome else {
            throw MastodonFixture.Failure(description: "expected posts, got \(outcome)")
        }
        #expect(isComplete)
        return posts
    }

    @Test func firstTimelinePageGivesFiveOwnPostsNewestFirst() throws {
        let posts = try self.observedPosts([MastodonFixture.response(named: "account_statuses_page1"), self.emptyPins])
        #expect(
            posts.map(\.id) == [
                "117020580518794573", "117020580511453871", "117020580503743669", "117020580496489811",
                "117020580489281910",
            ]
        )
        #expect(
            posts.map(\.text) == [
                "Toot number 9!", "Toot number 8!", "Toot number 7!", "Toot number 6!", "Toot number 5!",
            ]
        )
        #expect(
            posts.map(\.postedAt) == [
                MastodonFixture.utc(1_785_592_354.108), MastodonFixture.utc(1_785_592_353.996),
                MastodonFixture.utc(1_785_592_353.877), MastodonFixture.utc(1_785_592_353.768),
                MastodonFixture.utc(1_785_592_353.658),
            ]
        )
        #expect(posts.allSatisfy { $0.kind == .post && !$0.isPinned && $0.editedAt == nil })
        #expect(posts.allSatisfy { $0.media.isEmpty && $0.links.isEmpty && $0.reference == nil })
        #expect(posts[0].url == "http://localhost:3000/@mastodonpy_test/117020580518794573")
        #expect(posts[0].html == "<p>Toot number 9!</p>")
        let window = TimelineWindow(posts: posts)
        #expect(window.floor == MastodonFixture.utc(1_785_592_353.658))
        #expect(window.newest == MastodonFixture.utc(1_785_592_354.108))
    }

    @Test func olderPageByMaxIDGivesTheNextFivePosts() throws {
        let posts = try self.observedPosts([
            MastodonFixture.response(named: "account_statuses_page2_max_id"), self.emptyPins,
        ])
        #expect(
            posts.map(\.id) == [
                "117020580481736214", "117020580474454464", "117020580467310235", "117020580459855703",
                "117020580452511285",
            ]
        )
        #expect(
            posts.map(\.text) == [
                "Toot number 4!", "Toot number 3!", "Toot number 2!", "Toot number 1!", "Toot number 0!",
            ]
        )
        #expect(posts.first?.postedAt == MastodonFixture.utc(1_785_592_353.543))
        #expect(posts.last?.postedAt == MastodonFixture.utc(1_785_592_353.097))
    }

    @Test func minIDPageWithTheSameBodyGivesTheSameVersions() throws {
        let page1 = try self.observedPosts([MastodonFixture.response(named: "account_statuses_page1"), self.emptyPins])
        let minID = try self.observedPosts([MastodonFixture.response(named: "account_statuses_min_id"), self.emptyPins])
        #expect(page1 == minID)
        #expect(Set(page1.map(\.versionHash)).count == 5)
    }

    @Test func pinnedListMarksItsPostPinnedAndOutsideTheWindow() throws {
        let posts = try self.observedPosts([
            MastodonFixture.response(named: "account_statuses_page1"),
            MastodonFixture.response(named: "account_statuses_pinned"),
        ])
        #expect(posts.count == 6)
        let pinned = try #require(posts.last)
        #expect(pinned.id == "117020569296803689")
        #expect(pinned.isPinned)
        #expect(pinned.text == "Toot!")
        #expect(pinned.postedAt == MastodonFixture.utc(1_785_592_182.878))
        #expect(posts.dropLast().allSatisfy { !$0.isPinned })
        // A pinned post never sets the floor, although it is the oldest.
        #expect(TimelineWindow(posts: posts).floor == MastodonFixture.utc(1_785_592_353.658))
    }

    @Test func pinResponseCarriesThePinnedFlag() throws {
        let status = try #require(MastodonFixture.statuses(named: "status_pin_response").first)
        #expect(status.id == "117020569296803689")
        #expect(status.pinned == true)
        #expect(status.post(isPinned: true).versionHash == status.post(isPinned: false).versionHash)
    }

    @Test func boostWrapperIsARepostPointingAtTheOriginal() throws {
        let post = try MastodonFixture.post(named: "status_reblog_wrapper")
        #expect(post.id == "117020586027094262")
        #expect(post.kind == .repost)
        #expect(post.postedAt == MastodonFixture.utc(1_785_592_438.160))
        #expect(post.text == "Toot!")
        #expect(post.html == "<p>Toot!</p>")
        #expect(post.reference == "http://localhost:3000/ap/users/117020565966271181/statuses/117020586019094258")
        #expect(post.url == "http://localhost:3000/users/mastodonpy_test/statuses/117020586027094262/activity")
        let status = try #require(MastodonFixture.statuses(named: "status_reblog_wrapper").first)
        #expect(status.reblog?.id == "117020586019094258")
        #expect(status.reblog?.createdAt == MastodonFixture.utc(1_785_592_438.036))
    }

    @Test func contentWarningIsPartOfTheVersion() throws {
        let post = try MastodonFixture.post(named: "status_content_warning")
        #expect(post.id == "117020586000687987")
        #expect(post.postedAt == MastodonFixture.utc(1_785_592_437.755))
        #expect(post.text == "CW: Content warning\nToot!")
        let withoutWarning = try JSONDecoder().decode(
            MastodonStatus.self,
            from: MastodonFixture.modifiedObject(named: "status_content_warning") { $0["spoiler_text"] = "" }
        )
        #expect(withoutWarning.post(isPinned: false).text == "Toot!")
        #expect(withoutWarning.post(isPinned: false).versionHash != post.versionHash)
    }

    @Test func editMarkerIsNullBeforeTheEditAndSetAfterIt() throws {
        let before = try MastodonFixture.post(named: "status_edit_0_created")
        let after = try MastodonFixture.post(named: "status_edit_2_get_after_edit")
        #expect(before.id == "117020586180926938")
        #expect(after.id == before.id)
        #expect(before.postedAt == MastodonFixture.utc(1_785_592_440.505))
        #expect(after.postedAt == before.postedAt)
        #expect(before.editedAt == nil)
        #expect(after.editedAt == MastodonFixture.utc(1_785_592_440.695))
        #expect(before.text == "the best editor? why, of course it is VS Code")
        #expect(after.text == "the best editor? why, of course it is the KDE Advanced Text Editor, Kate")
        #expect(before.versionHash != after.versionHash)
    }

    @Test func editHistoryRevisionsReadLikeTheLiveStatus() throws {
        let before = try MastodonFixture.post(named: "status_edit_0_created")
        let after = try MastodonFixture.post(named: "status_edit_2_get_after_edit")
        let historyBefore = try JSONDecoder().decode(
            [MastodonStatusEdit].self,
            from: MastodonFixture.body(named: "status_edit_1_history_before_edit")
        )
        let historyAfter = try JSONDecoder().decode(
            [MastodonStatusEdit].self,
            from: MastodonFixture.body(named: "status_edit_3_history_after_edit")
        )
        #expect(historyBefore.map(\.versionText) == [before.text])
        #expect(historyAfter.map(\.versionText) == [before.text, after.text])
        #expect(
            historyAfter.map(\.createdAt) == [
                MastodonFixture.utc(1_785_592_440.505), MastodonFixture.utc(1_785_592_440.695),
            ]
        )
        #expect(historyAfter.last?.createdAt == after.editedAt)
    }

    @Test func plainSourceMatchesTheTextReadFromTheHTML() throws {
        // `/source` answers the author's plain text: the text we derive from the HTML must match.
        let source = try #require(MastodonFixture.statuses(named: "status_source").first)
        #expect(source.id == "117020586180926938")
        let after = try MastodonFixture.post(named: "status_edit_2_get_after_edit")
        #expect(source.post(isPinned: false).text == after.text)
    }

    @Test func mediaAttachmentsBecomeMediaReferences() throws {
        let post = try MastodonFixture.post(named: "status_with_media_attachment")
        #expect(post.id == "117020570233811316")
        #expect(post.postedAt == MastodonFixture.utc(1_785_592_197.172))
        #expect(post.text == "oh no!")
        #expect(
            post.media == [
                "http://localhost:3000/system/media_attachments/files/117/020/570/230/344/193/original/f80d0eca565a64aa.jpg"
            ]
        )
    }

    @Test func remoteMediaIsReferencedByItsOriginURL() throws {
        let data = try MastodonFixture.modifiedObject(named: "status_with_media_attachment") { status in
            var attachments = status["media_attachments"] as? [[String: Any]] ?? []
            attachments[0]["remote_url"] = "https://origin.example/media/f80d0eca565a64aa.jpg"
            status["media_attachments"] = attachments
        }
        let post = try JSONDecoder().decode(MastodonStatus.self, from: data).post(isPinned: false)
        #expect(post.media == ["https://origin.example/media/f80d0eca565a64aa.jpg"])
    }

    @Test func deleteAnswerWithPlainTextAndNoContentStillReads() throws {
        let post = try MastodonFixture.post(named: "status_delete_response")
        #expect(post.id == "117020606035908211")
        #expect(post.postedAt == MastodonFixture.utc(1_785_592_743.468))
        #expect(post.text == "Status with media")
        #expect(post.html == nil)
        #expect(
            post.media == [
                "http://localhost:3000/system/media_attachments/files/117/020/606/032/533/890/original/5acd59c19f4b7d96.jpg"
            ]
        )
    }

    @Test func linkWithInvisibleSpansReadsAsTheFullURL() throws {
        let post = try MastodonFixture.post(named: "status_with_preview_card")
        #expect(post.id == "117020609135389699")
        #expect(post.postedAt == MastodonFixture.utc(1_785_592_790.763))
        #expect(post.text == "http://example.org/")
        #expect(post.links == ["http://example.org/"])
    }

    @Test func previewCardArrivingLaterDoesNotChangeTheVersion() throws {
        // Mastodon fetches link cards asynchronously: a card appearing is not an edit.
        let withCard = try MastodonFixture.post(named: "status_with_preview_card")
        let withoutCard = try JSONDecoder().decode(
            MastodonStatus.self,
            from: MastodonFixture.modifiedObject(named: "status_with_preview_card") { $0["card"] = NSNull() }
        )
        #expect(withoutCard.post(isPinned: false).versionHash == withCard.versionHash)
    }

    @Test func countsAndViewerFlagsDoNotChangeTheVersion() throws {
        let original = try MastodonFixture.post(named: "status_edit_0_created")
        let busier = try JSONDecoder().decode(
            MastodonStatus.self,
            from: MastodonFixture.modifiedObject(named: "status_edit_0_created") { status in
                status["favourites_count"] = 120
                status["reblogs_count"] = 7
                status["replies_count"] = 3
                status["favourited"] = true
                status["bookmarked"] = true
            }
        )
        #expect(busier.post(isPinned: false).versionHash == original.versionHash)
    }

    @Test func documentationExampleWithoutEditedAtKey() throws {
        let post = try MastodonFixture.post(named: "docs_status_entity_example")
        let link =
            "https://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code"
        #expect(post.id == "103270115826048975")
        #expect(post.postedAt == MastodonFixture.utc(1_575_776_913.901))
        #expect(post.editedAt == nil)
        #expect(post.kind == .post)
        #expect(post.url == "https://mastodon.social/@Gargron/103270115826048975")
        #expect(post.text == "\"I lost my inheritance with one wrong digit on my sort code\"\n\n\(link)")
        #expect(post.links == [link])
    }

    @Test func remoteEditedStatusFromTootSDK() throws {
        let post = try MastodonFixture.post(named: "tootsdk_status_edited_remote")
        #expect(post.id == "112300188527054704")
        #expect(post.postedAt == MastodonFixture.utc(1_713_564_888.415))
        #expect(post.editedAt == MastodonFixture.utc(1_713_564_922))
        #expect(post.text == "listening to #UB40\n\nhttps://example.com/albums/8513")
        #expect(post.links == ["https://example.com/tags/UB40", "https://example.com/albums/8513"])
    }

    @Test func accountEntitiesReadWithOrWithoutSuspendedField() throws {
        let lookup = try JSONDecoder().decode(MastodonAccount.self, from: MastodonFixture.body(named: "account_lookup"))
        #expect(lookup.id == "117020565966271181")
        #expect(lookup.acct == "mastodonpy_test")
        #expect(lookup.isLocked)
        #expect(!lookup.isSuspended)
        let official = try JSONDecoder().decode(
            MastodonAccount.self,
            from: MastodonFixture.body(named: "tootsdk_account_mastodon_official")
        )
        #expect(official.id == "13179")
        #expect(official.acct == "Mastodon")
        #expect(!official.isSuspended)  // "suspended": null
        #expect(!official.isLocked)
    }

    @Test func streamingDeleteEventIsNotATimeline() throws {
        let outcome = self.adapter.observe(
            [
                MastodonFixture.response(
                    status: 200,
                    body: String(
                        decoding: try MastodonFixture.body(named: "tootsdk_streaming_delete_event"),
                        as: UTF8.self
                    )
                ), self.emptyPins,
            ],
            for: MastodonFixture.account,
            polledAt: MastodonFixture.utc(1_785_592_560)
        )
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(failure.kind == .unparsable)
    }
}
