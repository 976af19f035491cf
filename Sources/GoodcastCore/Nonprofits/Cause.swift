/// The fixed list of causes a nonprofit can declare; the API speaks the raw values.
public enum Cause: String, Codable, Sendable, CaseIterable, Comparable {
    case hunger
    case humanitarianRelief = "humanitarian-relief"
    case healthAndWellbeing = "health-and-wellbeing"
    case education
    case environment
    case animals
    case childrensRights = "childrens-rights"
    case artsAndMusic = "arts-and-music"
    case community

    public static func < (lhs: Cause, rhs: Cause) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    public static func parse(_ raw: String, field: String = "causes") throws(ValidationIssue) -> Cause {
        guard let cause = Cause(rawValue: raw.trimmingWhitespace().lowercased()) else {
            throw ValidationIssue(
                field: field,
                message: "'\(raw.prefix(40))' is not a cause; use one of \(allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        return cause
    }
}
