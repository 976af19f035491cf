/// Changes an owner makes to a nonprofit's profile, checked by the same rules as its
/// application. A field left out (nil) stays as it is.
public struct NonprofitProfileUpdate: Sendable, Equatable {
    /// nil: unchanged; `.some(nil)`: cleared (an empty or blank description was sent).
    public let description: String??
    public let website: String?
    public let causes: [Cause]?

    public init(description: String?, website: String?, causes: [String]?) throws(ValidationIssues) {
        var issues = ValidationIssues()
        let website = website.flatMap { text in issues.check { () throws(ValidationIssue) in try NonprofitApplication.website(text) } }
        let description = description.flatMap { text in
            issues.check { () throws(ValidationIssue) in try NonprofitApplication.description(text) }
        }
        let parsedCauses = causes.map { NonprofitApplication.causes($0, issues: &issues) }
        try issues.throwIfAny()
        self.website = website
        self.description = description
        self.causes = parsedCauses
    }

    /// Nothing to change.
    public var isEmpty: Bool { description == nil && website == nil && causes == nil }
}
