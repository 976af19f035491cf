/// Cleans free text typed by people: trims, strips control characters (keeping
/// newlines where allowed) and bounds the length in user-perceived characters.
public enum TextSanitizer {
    public static func clean(_ text: String, allowNewlines: Bool = false) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\n" && allowNewlines {
                scalars.append(scalar)
            } else if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format && !isJoinerOrTag(scalar) {
                if scalar == "\t" || scalar == "\n" || scalar == "\r" { scalars.append(" ") }
            } else {
                scalars.append(scalar)
            }
        }
        let cleaned = String(scalars).trimmingWhitespace()
        // Joiners and variation selectors alone show nothing: such text is empty.
        return cleaned.unicodeScalars.contains { !$0.properties.isWhitespace && !isJoinerOrTag($0) && !$0.properties.isVariationSelector } ? cleaned : ""
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

    // Format characters are invisible: right-to-left overrides and marks can disguise a name or
    // a link, zero-width spaces and word joiners make a message that looks empty, or two names
    // that look the same. Kept: the joiners that emoji sequences and some scripts are written
    // with (ZWNJ, ZWJ), and the tag characters of subdivision flags.
    private static func isJoinerOrTag(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value == 0x200C || scalar.value == 0x200D || (0xE0020...0xE007F).contains(scalar.value)
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
