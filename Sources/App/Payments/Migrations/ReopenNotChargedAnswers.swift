import FluentKit
import SQLKit

/// Until `PendingPayments.answerIsFinal`, the answer to a payment that failed as `not_charged`
/// was kept for its Idempotency-Key, and a retry kept replaying that 402 (or 422) after a charge
/// that turned up late had paid. Such answers are dropped here, for rows still `not_charged`
/// and for rows paid since: the next retry reads its row. Declines keep theirs.
struct ReopenNotChargedAnswers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        for table in ["live_tickets", "pledges", "donations"] {
            try await sql.raw("""
                UPDATE \(ident: "idempotency_keys") SET \(ident: "response_status") = NULL, \(ident: "response_body") = NULL
                WHERE \(ident: "response_status") IN (402, 422) AND \(ident: "resource_id") IN (
                    SELECT \(ident: "id") FROM \(ident: table)
                    WHERE \(ident: "status") NOT IN ('failed', 'declined') OR \(ident: "failure_code") = 'not_charged')
                """).run()
        }
    }

    /// Nothing to put back: a dropped answer is read from its row again.
    func revert(on database: any Database) async throws {}
}
