/// Picks the page language from an explicit choice, then `Accept-Language`, then the default.
public enum LanguageNegotiation {
    public static let supported = ["en", "fr", "it"]
    public static let fallback = "en"

    public static func pick(choice: String?, acceptLanguage: String?) -> String {
        if let choice = normalise(choice), supported.contains(choice) { return choice }
        guard let acceptLanguage else { return fallback }
        // Qualities in thousandths, exact: a long header cannot turn the order into a preference.
        var best: (language: String, quality: Int)?
        for item in acceptLanguage.split(separator: ",") {
            let parts: [String] = item.split(separator: ";").map { String($0).trimmingWhitespace() }
            guard let tag = normalise(parts.first), supported.contains(tag) else { continue }
            var quality = 1000
            for parameter in parts.dropFirst() where parameter.lowercased().hasPrefix("q=") {
                quality = thousandths(parameter.dropFirst(2)) ?? 0
            }
            guard quality > 0 else { continue }
            // Earlier entries win ties, as browsers list them in preference order.
            if best == nil || quality > best!.quality { best = (tag, quality) }
        }
        return best?.language ?? fallback
    }

    /// An RFC 9110 qvalue (`0`, `0.5`, `1.000`) in thousandths; nil for anything else (`2`,
    /// `inf`, `1e0`, `-1`), which then counts as 0: a broken weight is no preference.
    static func thousandths(_ text: Substring) -> Int? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts[0] == "0" || parts[0] == "1" else { return nil }
        let whole = parts[0] == "1" ? 1000 : 0
        guard parts.count == 2 else { return whole }
        let digits = parts[1]
        guard digits.count <= 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let fraction = Int(digits + String(repeating: "0", count: 3 - digits.count))!
        return whole == 1000 && fraction > 0 ? nil : whole + fraction
    }

    private static func normalise(_ tag: String?) -> String? {
        guard let tag else { return nil }
        let primary = tag.split(separator: "-").first.map { String($0).lowercased().trimmingWhitespace() }
        return primary?.isEmpty == false ? primary : nil
    }
}
