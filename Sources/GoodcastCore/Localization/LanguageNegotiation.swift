/// Picks the page language from an explicit choice, then `Accept-Language`, then the default.
public enum LanguageNegotiation {
    public static let supported = ["en", "fr", "it"]
    public static let fallback = "en"

    public static func pick(choice: String?, acceptLanguage: String?) -> String {
        if let choice = normalise(choice), supported.contains(choice) { return choice }
        guard let acceptLanguage else { return fallback }
        var best: (language: String, quality: Double)?
        for (order, item) in acceptLanguage.split(separator: ",").enumerated() {
            let parts: [String] = item.split(separator: ";").map { String($0).trimmingWhitespace() }
            guard let tag = normalise(parts.first), supported.contains(tag) else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            guard quality > 0 else { continue }
            // Earlier entries win ties, as browsers list them in preference order.
            let adjusted = quality - Double(order) * 1e-6
            if best == nil || adjusted > best!.quality { best = (tag, adjusted) }
        }
        return best?.language ?? fallback
    }

    private static func normalise(_ tag: String?) -> String? {
        guard let tag else { return nil }
        let primary = tag.split(separator: "-").first.map { String($0).lowercased().trimmingWhitespace() }
        return primary?.isEmpty == false ? primary : nil
    }
}
