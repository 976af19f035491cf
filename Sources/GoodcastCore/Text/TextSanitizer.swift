/// Cleans free text typed by people: trims, strips control characters (keeping
/// newlines where allowed) and bounds the length in user-perceived characters.
public enum TextSanitizer {
    public static func clean(_ text: String, allowNewlines: Bool = false) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\n" && allowNewlines {
                scalars.append(scalar)
            } else if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format && isBidiOverride(scalar) {
                if scalar == "\t" || scalar == "\n" || scalar == "\r" { scalars.append(" ") }
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars).trimmingWhitespace()
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

    // Right-to-left overrides can disguise a name or a link; they have no place in a form field.
    private static func isBidiOverride(_ scalar: Unicode.Scalar) -> Bool {
        (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
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
