import Foundation
import GoodcastCore

/// An "I donated" sticker as drawn: on a story at its place, or flat in a list.
struct StickerView {
    let nonprofit: String
    let donor: String?
    let x: String
    let y: String
    let scale: String
    let rotation: String
    /// The place rounded to a tenth, for pages without JS; `story-viewer.js` then sets the exact one.
    let placeClass: String

    init(nonprofit: String, donor: String?, x: Double = 0.5, y: Double = 0.8, scale: Double = 1, rotation: Double = 0) {
        self.nonprofit = nonprofit
        self.donor = donor
        self.x = String(x)
        self.y = String(y)
        self.scale = String(scale)
        self.rotation = String(rotation)
        placeClass = "sx-\(Int((min(1, max(0, x)) * 10).rounded())) sy-\(Int((min(1, max(0, y)) * 10).rounded()))"
    }

    /// The API names a hidden donor with the English word; pages say it in the page's language.
    init(_ placed: PlacedStickerOutput, language: String) {
        let donor = placed.anonymous ? Strings.table(for: language)["anonymous"]! : placed.donor
        self.init(nonprofit: placed.nonprofit.name, donor: donor, x: placed.x, y: placed.y, scale: placed.scale, rotation: placed.rotation)
    }
}

/// A story in a strip or a grid: its picture, and who gave to whom.
struct StoryThumb {
    let id: String
    let href: String
    let mediaUrl: String
    let isVideo: Bool
    let donor: String
    let hasSticker: Bool
    let nonprofit: String?

    /// A fundraiser's stories are all for one nonprofit; a campaign's name theirs.
    init(_ item: SharedStoryOutput, from: String, language: String, namingCause: Bool) {
        id = item.storyId.lowercasedString
        href = PagePath.story(id, from: from)
        mediaUrl = item.mediaUrl
        isVideo = item.kind == "video"
        donor = item.poster == nil ? Strings.table(for: language)["anonymous"]! : item.donor
        hasSticker = true
        nonprofit = namingCause ? item.sticker.nonprofit.name : nil
    }

    init(_ story: StoryOutput) {
        id = story.id.lowercasedString
        href = PagePath.story(id)
        mediaUrl = story.mediaUrl
        isVideo = story.kind == "video"
        donor = story.ownerDisplayName
        hasSticker = !story.stickers.isEmpty
        nonprofit = story.stickers.first?.nonprofit.name
    }

    /// One thumbnail per story: a story with two stickers for the same cause is listed once per sticker.
    static func unique(_ items: [SharedStoryOutput], of scope: StoryService.SharedScope, from: String, language: String) -> [StoryThumb] {
        var seen = Set<UUID>()
        let namingCause = if case .campaign = scope { true } else { false }
        return items.filter { seen.insert($0.storyId).inserted }.map { StoryThumb($0, from: from, language: language, namingCause: namingCause) }
    }
}

/// The shared donors' story of a fundraiser or a campaign, as a strip on its page.
struct SharedStoryStrip {
    let items: [StoryThumb]
    let empty: Bool
    let moreHref: String?
}
