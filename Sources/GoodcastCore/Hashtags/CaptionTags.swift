import Foundation

/// A hashtag as typed (`#JeSuisLà`) and the key it is matched by (`jesuislà`): NFKC-normalised
/// and case-folded, so `#GIVINGSZN`, `#GivingSzn` and a decomposed `e` + combining accent
/// all find the same challenge.
public struct Hashtag: Hashable, Sendable {
    public let display: String
    public let key: String

    public init(display: String) {
        self.display = display
        key = CaptionTags.matchKey(display)
    }
}

/// Hashtags and mentions in a caption, in the order they appear, each once.
public struct CaptionTags: Equatable, Sendable {
    public var hashtags: [Hashtag]
    /// Handles mentioned with `@`, lowercased as handles are stored.
    public var mentions: [String]

    /// The longest hashtag kept (longer runs are not a tag anybody means).
    public static let maxHashtagLength = 100

    /// Reads tags the way people type them in any script: `#` then letters, digits, combining
    /// marks and underscores. A `#` inside a word (`C#`, `a#b`, `&#39;`) starts no tag, nor do
    /// digits alone (`#1`), which are rankings and issue numbers, not causes.
    public init(caption: String) {
        hashtags = []
        mentions = []
        var seenTags = Set<String>(), seenMentions = Set<String>()
        let scalars = Array(caption.precomposedStringWithCanonicalMapping.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let sigil = scalars[index]
            guard sigil == "#" || sigil == "＃" || sigil == "@",
                  index == 0 || !Self.continuesTag(scalars[index - 1]) else {
                index += 1
                continue
            }
            var end = index + 1
            while end < scalars.count, Self.continuesTag(scalars[end]) || (sigil == "@" && scalars[end] == ".") { end += 1 }
            // A handle does not end with a dot: "thanks @maya." mentions maya.
            while sigil == "@", end > index + 1, scalars[end - 1] == "." { end -= 1 }
            var body = String.UnicodeScalarView()
            body.append(contentsOf: scalars[(index + 1)..<end])
            let text = String(body)
            if sigil == "@" {
                if let handle = try? AccountRules.handle(text), seenMentions.insert(handle).inserted { mentions.append(handle) }
            } else if !text.isEmpty, text.unicodeScalars.count <= Self.maxHashtagLength,
                      text.unicodeScalars.contains(where: { !Self.isDigit($0) }) {
                let tag = Hashtag(display: text)
                if seenTags.insert(tag.key).inserted { hashtags.append(tag) }
            }
            index = end
        }
    }

    /// The key a hashtag is stored and matched by (with or without its `#`).
    public static func matchKey(_ tag: String) -> String {
        var text = tag
        if text.hasPrefix("#") || text.hasPrefix("＃") { text.removeFirst() }
        return text.precomposedStringWithCompatibilityMapping.lowercased().precomposedStringWithCanonicalMapping
    }

    static func continuesTag(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "_" { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .decimalNumber
    }
}
