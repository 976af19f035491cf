/// One thing wrong with one input field, in words a person can act on.
public struct ValidationIssue: Error, Equatable, Sendable, Codable {
    public let field: String
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// Collects every issue of a form or request body, so that a client sees them all at once.
public struct ValidationIssues: Error, Equatable, Sendable {
    public private(set) var issues: [ValidationIssue] = []

    public init() {}

    public var isEmpty: Bool { issues.isEmpty }

    public mutating func add(_ field: String, _ message: String) {
        issues.append(ValidationIssue(field: field, message: message))
    }

    /// Runs a validator that throws a `ValidationIssue`, records a failure and returns nil.
    public mutating func check<T>(_ body: () throws(ValidationIssue) -> T) -> T? {
        do { return try body() } catch {
            issues.append(error)
            return nil
        }
    }

    public func throwIfAny() throws(ValidationIssues) {
        if !issues.isEmpty { throw self }
    }

    public var summary: String {
        issues.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
    }
}
