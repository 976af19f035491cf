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
            } else if !text.isEmpty, text.unicodeScalars.count <= Self.maxHashtagLength {
                // Digits alone are judged on the key: `#①` and `#²⁰²⁶` are `1` and `2026`.
                let tag = Hashtag(display: text)
                if tag.key.unicodeScalars.contains(where: { !Self.isDigit($0) }), seenTags.insert(tag.key).inserted { hashtags.append(tag) }
            }
            index = end
        }
    }

    /// The key a hashtag is stored and matched by (with or without its `#`).
    public static func matchKey(_ tag: String) -> String {
        // By scalar: a tag may start with a combining mark, which makes one character with the sign.
        var text = tag.unicodeScalars[...]
        if text.first == "#" || text.first == "＃" { text.removeFirst() }
        return String(text).precomposedStringWithCompatibilityMapping.lowercased().precomposedStringWithCanonicalMapping
    }

    /// A tag character whose compatibility form is tag characters too: `ﷺ` (a letter whose
    /// form holds spaces), `⑴` (brackets), `½` (a fraction slash) end a tag as punctuation
    /// does, so that every key is itself a tag that finds itself.
    static func continuesTag(_ scalar: Unicode.Scalar) -> Bool {
        guard isTagCharacter(scalar) else { return false }
        if scalar.isASCII || !scalar.properties.changesWhenNFKCCaseFolded { return true }
        return String(scalar).decomposedStringWithCompatibilityMapping.unicodeScalars.allSatisfy(isTagCharacter)
    }

    private static func isTagCharacter(_ scalar: Unicode.Scalar) -> Bool {
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
