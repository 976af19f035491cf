/// The rules of an account's public handle, email and password.
public enum AccountRules {
    public static let handleLength = 3...30
    public static let passwordMinLength = 10
    /// bcrypt reads at most 72 bytes; a longer password would be silently truncated.
    public static let passwordMaxBytes = 72
    public static let emailMaxLength = 254
    public static let displayNameMax = 50

    /// Handles are lowercase ASCII letters, digits, `_` and `.`, start with a letter or digit,
    /// and are compared as typed after lowercasing (`@RedNoseDay` is `rednoseday`).
    public static func handle(_ raw: String?, field: String = "handle") throws(ValidationIssue) -> String {
        guard let raw else { throw ValidationIssue(field: field, message: "is required") }
        var text = raw.trimmingWhitespace()
        if text.hasPrefix("@") { text.removeFirst() }
        let handle = text.lowercased()
        guard handleLength.contains(handle.count) else {
            throw ValidationIssue(field: field, message: "must be \(handleLength.lowerBound) to \(handleLength.upperBound) characters")
        }
        for (index, scalar) in handle.unicodeScalars.enumerated() {
            let isAlnum = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
            if index == 0 && !isAlnum {
                throw ValidationIssue(field: field, message: "must start with a letter or a digit")
            }
            if !(isAlnum || scalar == "_" || scalar == ".") {
                throw ValidationIssue(field: field, message: "may contain only letters a-z, digits, '_' and '.'")
            }
        }
        return handle
    }

    /// A pragmatic check: one `@`, a non-empty local part, a dotted domain, no spaces.
    /// Stored lowercased so that sign-in by email is case-insensitive.
    public static func email(_ raw: String?, field: String = "email") throws(ValidationIssue) -> String {
        guard let raw else { throw ValidationIssue(field: field, message: "is required") }
        let email = raw.trimmingWhitespace().lowercased()
        guard !email.isEmpty else { throw ValidationIssue(field: field, message: "must not be empty") }
        guard email.count <= emailMaxLength else {
            throw ValidationIssue(field: field, message: "must be at most \(emailMaxLength) characters")
        }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: { $0.isWhitespace || $0.unicodeScalars.contains { $0.properties.generalCategory == .control } })
        else {
            throw ValidationIssue(field: field, message: "is not an email address")
        }
        return email
    }

    public static func password(_ raw: String?, field: String = "password") throws(ValidationIssue) -> String {
        guard let raw else { throw ValidationIssue(field: field, message: "is required") }
        guard raw.count >= passwordMinLength else {
            throw ValidationIssue(field: field, message: "must be at least \(passwordMinLength) characters")
        }
        guard raw.utf8.count <= passwordMaxBytes else {
            throw ValidationIssue(field: field, message: "must be at most \(passwordMaxBytes) bytes")
        }
        return raw
    }
}
