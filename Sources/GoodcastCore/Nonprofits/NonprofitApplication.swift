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
        let website = issues.check { () throws(ValidationIssue) in try WebAddress.parse(website, field: "website") }
        let description = issues.check { () throws(ValidationIssue) in
            try TextSanitizer.optional(description, field: "description", max: Self.descriptionMax, allowNewlines: true)
        }
        var parsedCauses: [Cause] = []
        if let causes, !causes.isEmpty {
            for raw in causes {
                if let cause = issues.check({ () throws(ValidationIssue) in try Cause.parse(raw) }), !parsedCauses.contains(cause) {
                    parsedCauses.append(cause)
                }
            }
            if parsedCauses.count > Self.maxCauses {
                issues.add("causes", "choose at most \(Self.maxCauses) causes")
            }
        } else {
            issues.add("causes", "choose at least one cause")
        }
        try issues.throwIfAny()
        self.name = name!
        self.country = country!
        self.registrationNumber = registration!
        self.causes = parsedCauses.sorted()
        self.website = website!
        self.description = description ?? nil
    }
}
