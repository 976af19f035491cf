import Foundation
import GoodcastCore
import PropertyBased
import Testing

@Suite("Hashtags and mentions in captions")
struct CaptionTagsTests {
    @Test("tags in any script, in order, each once; matched without case or normalisation differences")
    func scripts() {
        let tags = CaptionTags(caption: "Dancing for #DanceForChange with @Maya_Dance! #JeSuisLà #日本 #dance_for_change #DANCEFORCHANGE")
        #expect(tags.hashtags.map(\.display) == ["DanceForChange", "JeSuisLà", "日本", "dance_for_change"])
        #expect(tags.hashtags.map(\.key) == ["danceforchange", "jesuislà", "日本", "dance_for_change"])
        #expect(tags.mentions == ["maya_dance"])
        // A decomposed "a" + combining grave is the same tag as the precomposed one.
        #expect(CaptionTags(caption: "#JeSuisLa\u{300}").hashtags.first?.key == Hashtag(display: "JeSuisLà").key)
        // Full-width letters and sign, as Japanese keyboards type them.
        #expect(CaptionTags(caption: "＃ＧｉｖｉｎｇＳｚｎ").hashtags.first?.key == "givingszn")
        #expect(CaptionTags.matchKey("#GivingSzn") == "givingszn")
    }

    @Test("what is not a tag: inside a word, digits only, a bare sign, punctuation ends a tag")
    func notTags() {
        #expect(CaptionTags(caption: "I code in C# and a#b &#39; # alone, we are #1").hashtags.isEmpty)
        #expect(CaptionTags(caption: "#rednoseday, #GivingSzn.").hashtags.map(\.display) == ["rednoseday", "GivingSzn"])
        #expect(CaptionTags(caption: "#2026goals").hashtags.map(\.key) == ["2026goals"])
        #expect(CaptionTags(caption: "mail me at maya@example.org, thanks @maya.").mentions == ["maya"])
        #expect(CaptionTags(caption: "@ab is too short, @émile is not a handle").mentions.isEmpty)
        #expect(CaptionTags(caption: "#" + String(repeating: "a", count: 101)).hashtags.isEmpty)
    }

    @Test("any caption parses; every tag found is in the caption and is found again on its own")
    func anyCaption() async {
        let pieces = Gen<String?>.element(of: ["#", "@", " ", "é", "e\u{301}", "日本", "_", "7", ".", "Ab", "＃"])
        await propertyCheck(input: pieces.array(of: 0...30)) { parts in
            let caption = parts.compactMap { $0 }.joined()
            let tags = CaptionTags(caption: caption)
            #expect(Set(tags.hashtags.map(\.key)).count == tags.hashtags.count)
            for tag in tags.hashtags {
                #expect(CaptionTags(caption: "#" + tag.display).hashtags == [tag])
                #expect(caption.precomposedStringWithCanonicalMapping.contains(tag.display))
            }
        }
    }
}
