import Foundation
import SQLKit

/// `Idempotency-Key` bookkeeping: which resource a key made, and the response to replay.
struct IdempotencyStore: Sendable {
    let db: AppDatabase

    struct Row: Decodable, Sendable {
        let fingerprint: String
        let resource_id: UUID
        let response_status: Int?
        let response_body: String?
    }

    struct StoredResponse: Sendable {
        let status: Int
        let body: String
    }

    func find(scope: String, key: String) async throws -> Row? {
        // Written out: the builder's serialization cost more than the indexed read (every donation asks).
        try await db.lookup.raw("""
            SELECT "fingerprint", "resource_id", "response_status", "response_body" FROM "idempotency_keys" \
            WHERE "scope" = \(bind: scope) AND "key" = \(bind: key) LIMIT 1
            """).first(decoding: Row.self)
    }

    /// The scope and key that made `resource`.
    func key(for resource: UUID) async throws -> (scope: String, key: String)? {
        struct Named: Decodable { let scope: String; let key: String }
        return try await db.sql.select().columns("scope", "key").from("idempotency_keys").where("resource_id", .equal, SQLBind(resource))
            .limit(1).first(decoding: Named.self).map { ($0.scope, $0.key) }
    }

    static func insert(scope: String, key: String, fingerprint: String, resource: UUID, at now: Date, on sql: any SQLDatabase) async throws {
        try await sql.insert(into: "idempotency_keys").columns("scope", "key", "fingerprint", "resource_id", "created_at")
            .values(SQLBind(scope), SQLBind(key), SQLBind(fingerprint), SQLBind(resource), SQLBind(now)).run()
    }

    /// What to do with a key already used: replay its stored answer, or resume the resource it
    /// created (its answer was never stored: a crash or a lost outcome). A different body is
    /// refused, so a key can never buy two things.
    enum Prior: Sendable {
        case replay(StoredResponse)
        case resume(UUID)
    }

    static func prior(_ existing: Row, fingerprint: String, what: String) throws -> Prior {
        guard existing.fingerprint == fingerprint else {
            throw Problem(.idempotencyKeyReused, detail: "this Idempotency-Key was first used with a different request body; use a new key for a new \(what)")
        }
        if let status = existing.response_status, let body = existing.response_body { return .replay(.init(status: status, body: body)) }
        return .resume(existing.resource_id)
    }

    func complete(scope: String, key: String, response: StoredResponse) async throws {
        try await Self.complete(scope: scope, key: key, response: response, on: db.sql)
    }

    static func complete(scope: String, key: String, response: StoredResponse, on sql: any SQLDatabase) async throws {
        try await sql.update("idempotency_keys")
            .set("response_status", to: SQLBind(response.status)).set("response_body", to: SQLBind(response.body))
            .where("scope", .equal, SQLBind(scope)).where("key", .equal, SQLBind(key))
            .where("response_status", .is, SQLLiteral.null)
            .run()
    }

    /// Checks the header: 1 to 255 visible ASCII characters.
    static func key(from value: String?) throws -> String {
        guard let value, !value.isEmpty else {
            throw Problem(.idempotencyKeyMissing, detail: "send an Idempotency-Key header (a unique value per donation, such as a UUID) so that a retry cannot charge twice")
        }
        guard value.count <= 255, value.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E }) else {
            throw Problem(.idempotencyKeyMissing, detail: "the Idempotency-Key must be 1 to 255 visible ASCII characters")
        }
        return value
    }
}
