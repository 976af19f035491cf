/// A nonprofit's application as typed, checked into clean values or a list of what is wrong.
public struct NonprofitApplication: Sendable, Equatable {
    public static let nameMax = 120
    public static let registrationMax = 64
    public static let descriptionMax = 2000
    public static let maxCauses = 5

    public let name: String
    public let country: String
    public let registrationNumber: String
    public let causes: [Cause]
    public let website: String
    public let description: String?

    public init(
        name: String?, country: String?, registrationNumber: String?,
        causes: [String]?, website: String?, description: String?
    ) throws(ValidationIssues) {
        var issues = ValidationIssues()
        let name = issues.check { () throws(ValidationIssue) in try TextSanitizer.required(name, field: "name", max: Self.nameMax) }
        let country = issues.check { () throws(ValidationIssue) in try CountryCode.parse(country) }
        let registration = issues.check { () throws(ValidationIssue) in
            try TextSanitizer.required(registrationNumber, field: "registrationNumber", max: Self.registrationMax)
        }
        let website = issues.check { () throws(ValidationIssue) in try Self.website(website) }
        let description = issues.check { () throws(ValidationIssue) in try Self.description(description) }
        let parsedCauses = Self.causes(causes, issues: &issues)
        try issues.throwIfAny()
        self.name = name!
        self.country = country!
        self.registrationNumber = registration!
        self.causes = parsedCauses
        self.website = website!
        self.description = description ?? nil
    }

    // The rules of single fields, shared with `NonprofitProfileUpdate`.

    /// The nonprofit's web address (required), with `https://` added when no scheme was typed.
    public static func website(_ raw: String?) throws(ValidationIssue) -> String {
        try WebAddress.parse(raw, field: "website")
    }

    /// The optional description: cleaned, newlines kept, empty text counts as none.
    public static func description(_ raw: String?) throws(ValidationIssue) -> String? {
        try TextSanitizer.optional(raw, field: "description", max: descriptionMax, allowNewlines: true)
    }

    /// One to `maxCauses` causes from the fixed list, deduplicated and in list order; every
    /// unknown cause is reported in `issues`.
    public static func causes(_ raw: [String]?, issues: inout ValidationIssues) -> [Cause] {
        guard let raw, !raw.isEmpty else {
            issues.add("causes", "choose at least one cause")
            return []
        }
        var parsed: [Cause] = []
        for text in raw {
            if let cause = issues.check({ () throws(ValidationIssue) in try Cause.parse(text) }), !parsed.contains(cause) {
                parsed.append(cause)
            }
        }
        if parsed.count > maxCauses {
            issues.add("causes", "choose at most \(maxCauses) causes")
        }
        return parsed.sorted()
    }
}
