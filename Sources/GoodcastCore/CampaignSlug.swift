/// A campaign's address: `/campaigns/givingszn`. Lowercase letters, digits and single hyphens,
/// 3 to 40 characters; a leading `#` (as people write hashtags) is dropped, and letters are
/// lowercased, so "#GivingSzn" and "givingszn" are the same campaign.
public enum CampaignSlug {
    public static func parse(_ raw: String?, field: String = "slug") throws(ValidationIssue) -> String {
        guard let raw else { throw ValidationIssue(field: field, message: "is required, such as \"givingszn\"") }
        var text = raw.trimmingWhitespace().lowercased()
        if text.hasPrefix("#") { text.removeFirst() }
        guard (3...40).contains(text.count) else { throw ValidationIssue(field: field, message: "must be 3 to 40 characters") }
        guard text.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }),
              !text.hasPrefix("-"), !text.hasSuffix("-"), !text.contains("--") else {
            throw ValidationIssue(field: field, message: "may hold letters, digits and single hyphens, such as \"giving-tuesday-2026\"")
        }
        return text
    }
}
