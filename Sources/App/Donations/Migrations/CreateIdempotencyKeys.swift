import FluentKit

/// One row per `Idempotency-Key` and caller: the request's fingerprint, and once finished
/// the response to replay (status and body), so that a retry after a restart gets it too.
struct CreateIdempotencyKeys: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("idempotency_keys")
            .field("scope", .string, .required)
            .field("key", .string, .required)
            .field("fingerprint", .string, .required)
            .field("resource_id", .uuid, .required)
            .field("response_status", .int64)
            .field("response_body", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "scope", "key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("idempotency_keys").delete()
    }
}
