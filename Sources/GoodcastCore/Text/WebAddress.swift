import Foundation

/// An http(s) address with a host, as a nonprofit's website.
public enum WebAddress {
    public static let maxLength = 500

    public static func parse(_ raw: String?, field: String) throws(ValidationIssue) -> String {
        guard let raw else { throw ValidationIssue(field: field, message: "is required") }
        var text = raw.trimmingWhitespace()
        guard !text.isEmpty else { throw ValidationIssue(field: field, message: "must not be empty") }
        guard text.count <= maxLength else { throw ValidationIssue(field: field, message: "must be at most \(maxLength) characters") }
        if !text.lowercased().hasPrefix("http://") && !text.lowercased().hasPrefix("https://") {
            text = "https://" + text
        }
        guard let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, host.contains("."), !host.hasPrefix("."), !host.hasSuffix("."),
              !host.contains(where: { $0.isWhitespace }),
              components.user == nil, components.password == nil
        else {
            throw ValidationIssue(field: field, message: "must be a web address such as https://www.example.org")
        }
        return text
    }
}
