import Testing

@testable import PalimpsestCore

@Suite struct TextDiffTests {
    @Test func latinTextIsComparedWordByWordWithAdjacentChangesFolded() {
        #expect(
            TextDiff.inline(from: "the quick brown fox jumps", to: "the slow red fox jumps")
                == "the [-quick brown-]{+slow red+} fox jumps")
    }

    @Test func aChangedWordKeepsItsPunctuation() {
        #expect(TextDiff.inline(from: "Meet at noon.", to: "Meet at dawn.") == "Meet at [-noon.-]{+dawn.+}")
    }

    @Test func pureInsertionAndDeletionAreMarkedAlone() {
        #expect(TextDiff.inline(from: "a b c", to: "a b c d") == "a b c{+ d+}")
        #expect(TextDiff.inline(from: "one two three", to: "one three") == "one [-two -]three")
    }

    @Test func cjkTextIsComparedCharacterByCharacter() {
        #expect(TextDiff.inline(from: "今天天气很好", to: "今天天气不好") == "今天天气[-很-]{+不+}好")
        #expect(TextDiff.inline(from: "该微博已被删除", to: "该微博已被作者删除") == "该微博已被{+作者+}删除")
    }

    @Test func mixedScriptsDiffEachTheirOwnWay() {
        #expect(TextDiff.inline(from: "Weibo 说今天好", to: "Weibo 说明天好") == "Weibo 说[-今-]{+明+}天好")
    }

    @Test func equalTextsComeBackWithoutMarkers() {
        #expect(TextDiff.inline(from: "no change here", to: "no change here") == "no change here")
        #expect(TextDiff.inline(from: "", to: "") == "")
    }

    @Test func fromOrToEmptyIsOneChange() {
        #expect(TextDiff.inline(from: "", to: "new words") == "{+new words+}")
        #expect(TextDiff.inline(from: "old words", to: "") == "[-old words-]")
    }

    @Test func hugeRewritesFallBackToOneReplacement() {
        let old = (0..<2500).map { "a\($0)" }.joined(separator: " ")
        let new = (0..<2500).map { "b\($0)" }.joined(separator: " ")
        let diff = TextDiff.inline(from: old, to: new)
        #expect(diff == "[-\(old)-]{+\(new)+}")
    }

    @Test func aLongPostWithAFewChangesKeepsEveryChangeWithinTheLimit() {
        let middle = String(repeating: "unchanged words of a long statement ", count: 2_000)
        let old = "The budget is 100 dollars. " + middle + "Signed, the minister."
        let new = "The budget is 1000 dollars. " + middle + "Signed, the deputy minister."
        let (diff, shortened) = TextDiff.inline(from: old, to: new, maximumBytes: 600)
        #expect(shortened)
        #expect(diff.utf8.count <= 600)
        #expect(diff.contains("[-100-]{+1000+}"))
        #expect(diff.contains("{+ deputy+}"), "\(diff)")
        #expect(diff.contains("…"))
        #expect(diff.hasPrefix("The budget is "), "short unchanged runs stay whole")
        // Within the limit nothing is left out.
        let whole = TextDiff.inline(from: "a b c", to: "a x c", maximumBytes: 600)
        #expect(whole == ("a [-b-]{+x+} c", false))
    }
}
