/// Builds SVG markup: every attribute value and text is escaped here, and every number
/// is printed with at most one decimal place, so the same chart always gives the same text.
struct SVGWriter {
    private(set) var output = ""

    mutating func open(_ name: String, _ attributes: [(String, String)]) {
        output += "<" + name + Self.attributes(attributes) + ">\n"
    }

    mutating func close(_ name: String) {
        output += "</" + name + ">\n"
    }

    /// An element with only text inside, or none (`<line .../>`).
    mutating func element(_ name: String, _ attributes: [(String, String)], text: String? = nil) {
        if let text {
            output += "<" + name + Self.attributes(attributes) + ">" + Self.escape(text) + "</" + name + ">\n"
        } else {
            output += "<" + name + Self.attributes(attributes) + "/>\n"
        }
    }

    /// A shape that carries a `<title>`, which browsers show as its tooltip.
    mutating func element(_ name: String, _ attributes: [(String, String)], tooltip: String) {
        output += "<" + name + Self.attributes(attributes) + "><title>" + Self.escape(tooltip) + "</title></" + name + ">\n"
    }

    private static func attributes(_ attributes: [(String, String)]) -> String {
        attributes.map { " " + $0.0 + "=\"" + escape($0.1) + "\"" }.joined()
    }

    /// Text for XML content or a quoted attribute: the five special characters as entities,
    /// and characters XML 1.0 forbids (most controls, U+FFFE, U+FFFF) dropped.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            default:
                if scalar.value >= 0x20 && !(0xFFFE...0xFFFF).contains(scalar.value) { escaped.unicodeScalars.append(scalar) }
            }
        }
        return escaped
    }

    /// `12`, `12.5`, `-3.2`: rounded to tenths through integers, so there is no `12.500001`.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = Int64((min(max(value, -1e12), 1e12) * 10).rounded())
        let whole = String(tenths.magnitude / 10)
        let fraction = tenths.magnitude % 10
        return (tenths < 0 ? "-" : "") + whole + (fraction == 0 ? "" : "." + String(fraction))
    }

    /// Letters, digits, `-` and `_` only, so the id is one token in `aria-labelledby`.
    static func identifier(_ text: String) -> String {
        let cleaned = String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "-" })
        return cleaned.isEmpty ? "chart" : cleaned
    }
}
