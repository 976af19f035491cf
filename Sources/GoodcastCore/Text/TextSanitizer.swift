/// Cleans free text typed by people: trims, strips control characters (keeping
/// newlines where allowed) and bounds the length in user-perceived characters.
public enum TextSanitizer {
    public static func clean(_ text: String, allowNewlines: Bool = false) -> String {
        var scalars = String.UnicodeScalarView()
        var inFlag = false
        for scalar in text.unicodeScalars {
            let isTag = (0xE0020...0xE007F).contains(scalar.value)
            if scalar == "\n" && allowNewlines {
                scalars.append(scalar)
            } else if scalar.properties.generalCategory == .control || isInvisible(scalar) || isTag && !inFlag {
                if scalar == "\t" || scalar == "\n" || scalar == "\r" { scalars.append(" ") }
            } else {
                scalars.append(scalar)
            }
            // Tags belong to a subdivision flag: the black flag, then tags up to the cancel tag.
            inFlag = scalar.value == 0x1F3F4 || inFlag && isTag && scalar.value != 0xE007F
        }
        let cleaned = String(scalars).trimmingWhitespace()
        return cleaned.unicodeScalars.contains { !showsNothing($0) } ? cleaned : ""
    }

    /// Cleans and checks a required field.
    public static func required(_ text: String?, field: String, max: Int, allowNewlines: Bool = false) throws(ValidationIssue) -> String {
        guard let text else { throw ValidationIssue(field: field, message: "is required") }
        let cleaned = clean(text, allowNewlines: allowNewlines)
        if cleaned.isEmpty { throw ValidationIssue(field: field, message: "must not be empty") }
        if cleaned.count > max { throw ValidationIssue(field: field, message: "must be at most \(max) characters (got \(cleaned.count))") }
        return cleaned
    }

    /// Cleans an optional field; empty text counts as absent.
    public static func optional(_ text: String?, field: String, max: Int, allowNewlines: Bool = false) throws(ValidationIssue) -> String? {
        guard let text else { return nil }
        let cleaned = clean(text, allowNewlines: allowNewlines)
        if cleaned.isEmpty { return nil }
        if cleaned.count > max { throw ValidationIssue(field: field, message: "must be at most \(max) characters (got \(cleaned.count))") }
        return cleaned
    }

    // Invisible characters with no place in a name or a message: right-to-left overrides,
    // embeddings and isolates can disguise a name or a link; zero-width spaces, word joiners,
    // the byte-order mark, soft hyphens and invisible operators make text that looks empty, or
    // two names that look the same. The marks that right-to-left writing needs (LRM, RLM, ALM),
    // the joiners of emoji sequences and of some scripts (ZWNJ, ZWJ) and the other format
    // characters that scripts use (Arabic number signs, the Mongolian vowel separator) stay.
    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00AD, 0x200B, 0x2060...0x2064, 0x206A...0x206F, 0xFEFF, 0xFFF9...0xFFFB, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// Shows nothing on its own: text made only of these is empty.
    private static func showsNothing(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar.properties.isVariationSelector
            || [0x200C, 0x200D, 0x200E, 0x200F, 0x061C].contains(scalar.value) || (0xE0020...0xE007F).contains(scalar.value)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view = view.dropFirst() }
        while let last = view.last, last.isWhitespace { view = view.dropLast() }
        return String(view)
    }
}
