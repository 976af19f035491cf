import Foundation
import SQLKit

/// Moves a row from one status to another only if it still has the first: the check and the
/// change are one UPDATE, so of two transactions that race (a retry resuming while the first
/// attempt finishes, on PostgreSQL's pool) exactly one gets `true` and writes what follows.
/// A SELECT then an UPDATE would let both through.
enum StatusClaim {
    static func move(_ table: String, id: UUID, from: String, to: String, on sql: any SQLDatabase) async throws -> Bool {
        struct Row: Decodable { let id: UUID }
        return try await sql.update(table).set("status", to: SQLBind(to))
            .where("id", .equal, SQLBind(id)).where("status", .equal, SQLBind(from))
            .returning("id").all(decoding: Row.self).count == 1
    }
}
