import Foundation
import GoodcastCore
import SQLKit

/// Accounts and their tokens in the database.
struct AccountStore: Sendable {
    let db: AppDatabase
    let clock: AppClock
    /// Token lookups on the hot path, for a few seconds. Revoking on this node forgets the token
    /// at once; on other nodes a revoked token lives at most `ttl` more seconds.
    let identities = ExpiringCache<String, Identity>(ttl: 5)

    static let columns = ["id", "handle", "email", "display_name", "password_hash", "role", "created_at"]

    enum CreateError: Error { case handleTaken, emailTaken }

    func create(handle: String, email: String, displayName: String, passwordHash: String, role: Role) async throws -> AccountRecord {
        let id = UUID()
        let now = clock.now()
        // Checked first for a clear message; the unique constraints still decide under a race.
        if try await find(handle: handle) != nil { throw CreateError.handleTaken }
        if try await find(email: email) != nil { throw CreateError.emailTaken }
        do {
            try await db.sql.insert(into: "accounts")
                .columns(Self.columns)
                .values(SQLBind(id), SQLBind(handle), SQLBind(email), SQLBind(displayName), SQLBind(passwordHash), SQLBind(role.rawValue), SQLBind(now))
                .run()
        } catch where error.isConstraintViolation {
            if try await find(handle: handle) != nil { throw CreateError.handleTaken }
            throw CreateError.emailTaken
        }
        guard let account = try await find(id: id) else { throw Problem(.internalError, detail: "account vanished after insert") }
        return account
    }

    func find(id: UUID) async throws -> AccountRecord? {
        try await db.reader.select().columns(Self.columns.map { SQLColumn($0) }).from("accounts")
            .where("id", .equal, SQLBind(id)).first(decoding: AccountRecord.self)
    }

    /// Handles by account id, for lists that name many accounts.
    func handles(_ ids: [UUID]) async throws -> [UUID: String] {
        try await summaries(ids).mapValues(\.handle)
    }

    /// Who each account is, for lists that name many accounts.
    func summaries(_ ids: [UUID]) async throws -> [UUID: AccountSummary] {
        guard !ids.isEmpty else { return [:] }
        struct Row: Decodable { let id: UUID; let handle: String; let display_name: String }
        var found: [UUID: AccountSummary] = [:]
        for row in try await db.reader.select().columns("id", "handle", "display_name").from("accounts").where("id", .in, SQLBind.group(ids)).all(decoding: Row.self) {
            found[row.id] = AccountSummary(id: row.id, handle: row.handle, displayName: row.display_name)
        }
        return found
    }

    func find(handle: String) async throws -> AccountRecord? {
        try await db.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("accounts")
            .where("handle", .equal, SQLBind(handle)).first(decoding: AccountRecord.self)
    }

    func find(email: String) async throws -> AccountRecord? {
        try await db.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("accounts")
            .where("email", .equal, SQLBind(email)).first(decoding: AccountRecord.self)
    }

    func setRole(_ role: Role, for id: UUID) async throws {
        identities.removeAll { $0.account.id == id }
        try await db.sql.update("accounts").set("role", to: SQLBind(role.rawValue)).where("id", .equal, SQLBind(id)).run()
    }

    func count() async throws -> Int {
        struct Row: Decodable { let n: Int }
        return try await db.sql.raw("SELECT COUNT(*) AS n FROM accounts").first(decoding: Row.self)?.n ?? 0
    }

    // MARK: tokens

    struct IssuedToken: Sendable {
        let id: UUID
        let secret: String
        let expiresAt: Date
    }

    func issueToken(for account: UUID, kind: AuthTokenKind, lifetime: TimeInterval) async throws -> IssuedToken {
        let secret = Secrets.token(prefix: kind == .api ? "gc_" : "")
        let id = UUID()
        let now = clock.now()
        let expires = now.addingTimeInterval(lifetime)
        try await db.sql.insert(into: "auth_tokens")
            .columns("id", "account_id", "token_hash", "kind", "created_at", "expires_at")
            .values(SQLBind(id), SQLBind(account), SQLBind(Secrets.sha256Hex(secret)), SQLBind(kind.rawValue), SQLBind(now), SQLBind(expires))
            .run()
        return IssuedToken(id: id, secret: secret, expiresAt: expires)
    }

    /// The account a live, unrevoked token names.
    func identity(forSecret secret: String, kind: AuthTokenKind) async throws -> Identity? {
        let now = clock.now()
        return try await identities.value(for: "\(kind.rawValue):\(Secrets.sha256Hex(secret))", now: now) {
            try await loadIdentity(forSecret: secret, kind: kind)
        }
    }

    private func loadIdentity(forSecret secret: String, kind: AuthTokenKind) async throws -> Identity? {
        struct Row: Decodable {
            let token_id: UUID
            let account_id: UUID
        }
        let row = try await db.reader.select()
            .column(SQLColumn("id"), as: "token_id").column("account_id")
            .from("auth_tokens")
            .where("token_hash", .equal, SQLBind(Secrets.sha256Hex(secret)))
            .where("kind", .equal, SQLBind(kind.rawValue))
            .where("revoked_at", .is, SQLLiteral.null)
            .where("expires_at", .greaterThan, SQLBind(clock.now()))
            .first(decoding: Row.self)
        guard let row, let account = try await find(id: row.account_id) else { return nil }
        return Identity(account: account, tokenID: row.token_id, tokenKind: kind)
    }

    struct TokenSummary: Codable, Sendable {
        let id: UUID
        let kind: String
        let created_at: Date
        let expires_at: Date
    }

    func liveTokens(of account: UUID) async throws -> [TokenSummary] {
        try await db.sql.select().columns("id", "kind", "created_at", "expires_at").from("auth_tokens")
            .where("account_id", .equal, SQLBind(account))
            .where("revoked_at", .is, SQLLiteral.null)
            .where("expires_at", .greaterThan, SQLBind(clock.now()))
            .orderBy("created_at", .descending)
            .all(decoding: TokenSummary.self)
    }

    /// Revokes one of the account's tokens; false if it has no such live token.
    @discardableResult
    func revoke(token id: UUID, of account: UUID) async throws -> Bool {
        identities.removeAll { $0.tokenID == id }
        let before = try await liveTokens(of: account).contains { $0.id == id }
        try await db.sql.update("auth_tokens").set("revoked_at", to: SQLBind(clock.now()))
            .where("id", .equal, SQLBind(id)).where("account_id", .equal, SQLBind(account))
            .where("revoked_at", .is, SQLLiteral.null)
            .run()
        return before
    }
}
