import GoodcastCore
import Hummingbird

/// Reads query parameters with the same clear errors as bodies.
struct QueryReader {
    let parameters: Parameters
    var issues = ValidationIssues()

    init(_ request: Request) {
        parameters = request.uri.queryParameters
    }

    func string(_ name: String, max: Int = 200) -> String? {
        guard let value = parameters.get(name) else { return nil }
        let cleaned = TextSanitizer.clean(value)
        return cleaned.isEmpty ? nil : String(cleaned.prefix(max))
    }

    mutating func int(_ name: String, default value: Int, range: ClosedRange<Int>) -> Int {
        guard let text = parameters.get(name), !text.isEmpty else { return value }
        guard let number = Int(text), range.contains(number) else {
            issues.add(name, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return value
        }
        return number
    }

    mutating func parse<T>(_ name: String, _ parser: (String) throws(ValidationIssue) -> T) -> T? {
        guard let text = string(name) else { return nil }
        return issues.check { () throws(ValidationIssue) in try parser(text) }
    }

    func finish() throws {
        if !issues.isEmpty { throw Problem.validation(issues) }
    }
}
