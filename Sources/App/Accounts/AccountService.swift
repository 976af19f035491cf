import Foundation
import GoodcastCore

/// Sign-up and sign-in rules shared by the API and the pages.
struct AccountService: Sendable {
    let store: AccountStore
    let hasher: PasswordHasher
    let perAccountLimiter: RateLimiter
    let perAddressLimiter: RateLimiter
    /// Sign-ups per client address (the API's and the page's; the command line's are not limited).
    let signUpLimiter: RateLimiter
    let sessionLifetime: TimeInterval

    /// `remoteAddress` is the client's, for requests: their sign-ups are limited per address once
    /// the input is valid (typos cost nothing; taken handles and emails do, which also slows probing).
    func signUp(handle: String?, email: String?, password: String?, displayName: String?, role: Role = .member, remoteAddress: String? = nil) async throws -> AccountRecord {
        var issues = ValidationIssues()
        let handle = issues.check { () throws(ValidationIssue) in try AccountRules.handle(handle) }
        let email = issues.check { () throws(ValidationIssue) in try AccountRules.email(email) }
        let password = issues.check { () throws(ValidationIssue) in try AccountRules.password(password) }
        let displayName = issues.check { () throws(ValidationIssue) in
            try TextSanitizer.optional(displayName, field: "displayName", max: AccountRules.displayNameMax)
        }
        if !issues.isEmpty { throw Problem.validation(issues) }
        if let remoteAddress { try signUpLimiter.check(remoteAddress, what: "sign-ups from this address") }
        let hash = try await hasher.hash(password!)
        do {
            return try await store.create(
                handle: handle!, email: email!, displayName: (displayName ?? nil) ?? handle!, passwordHash: hash, role: role
            )
        } catch AccountStore.CreateError.handleTaken {
            throw Problem(.conflict, detail: "the handle '\(handle!)' is taken", issues: [.init(field: "handle", message: "is taken")])
        } catch AccountStore.CreateError.emailTaken {
            throw Problem(.conflict, detail: "an account with this email already exists", issues: [.init(field: "email", message: "is already registered")])
        }
    }

    /// Checks the password and issues a token. Limited per account and per client address;
    /// the same answer for "no such account" and "wrong password".
    func signIn(login: String, password: String, kind: AuthTokenKind, remoteAddress: String) async throws -> (AccountRecord, AccountStore.IssuedToken) {
        let key = login.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "@", with: "", options: .anchored)
        // No handle or email holds a control character (PostgreSQL refuses NUL outright).
        guard !login.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }), login.count <= 254 else {
            throw Problem(.invalidCredentials, detail: "no account matches this handle or email and password")
        }
        try perAddressLimiter.check(remoteAddress, what: "sign-in attempts from this address")
        try perAccountLimiter.check(key, what: "sign-in attempts for this account")
        let account: AccountRecord?
        if login.contains("@") && !login.hasPrefix("@") {
            account = try await store.find(email: login.trimmingCharacters(in: .whitespaces).lowercased())
        } else {
            account = try await store.find(handle: key)
        }
        let matches = try await hasher.verify(password, hash: account?.passwordHash ?? PasswordHasher.decoyHash)
        guard let account, matches else {
            throw Problem(.invalidCredentials, detail: "no account matches this handle or email and password")
        }
        perAccountLimiter.reset(key)
        let token = try await store.issueToken(for: account.id, kind: kind, lifetime: sessionLifetime)
        return (account, token)
    }
}
