import Foundation
import GoodcastCore
import SQLKit

extension NonprofitStore {
    /// Applies an owner's profile changes; causes are replaced as a whole.
    func updateProfile(_ id: UUID, with update: NonprofitProfileUpdate) async throws {
        guard !update.isEmpty else { return }
        try await db.transaction { sql in
            // The row's lock orders concurrent edits, so two cause lists never interleave.
            struct Row: Decodable { let id: UUID }
            _ = try await sql.select().column("id").from("nonprofits").where("id", .equal, SQLBind(id)).for(.update)
                .first(decoding: Row.self)
            if update.website != nil || update.description != nil {
                let statement = sql.update("nonprofits")
                if let website = update.website { statement.set("website", to: SQLBind(website)) }
                if let description = update.description { statement.set("description", to: SQLBind(description)) }
                try await statement.where("id", .equal, SQLBind(id)).run()
            }
            if let causes = update.causes {
                try await sql.delete(from: "nonprofit_causes").where("nonprofit_id", .equal, SQLBind(id)).run()
                for cause in causes {
                    try await sql.insert(into: "nonprofit_causes").columns("nonprofit_id", "cause")
                        .values(SQLBind(id), SQLBind(cause.rawValue)).run()
                }
            }
        }
    }

    /// What may be shown of a nonprofit's payout details: never the full account.
    struct PayoutSummary: Sendable {
        let accountHolder: String
        let method: PayoutDetails.Method
        let masked: String
        let updatedAt: Date
    }

    func setPayoutDetails(_ details: PayoutDetails, of id: UUID) async throws -> PayoutSummary {
        let now = clock.now()
        try await db.sql.update("nonprofits")
            .set("payout_account_holder", to: SQLBind(details.accountHolder))
            .set("payout_method", to: SQLBind(details.method.rawValue))
            .set("payout_account", to: SQLBind(details.storedAccount))
            .set("payout_updated_at", to: SQLBind(now))
            .where("id", .equal, SQLBind(id)).run()
        return PayoutSummary(accountHolder: details.accountHolder, method: details.method, masked: details.masked, updatedAt: now)
    }

    /// The nonprofit's payout details, masked, or nil when none are set (the getting-started
    /// checklist asks this too).
    func payoutDetails(of id: UUID) async throws -> PayoutSummary? {
        guard let details = try await storedPayoutDetails(of: id) else { return nil }
        return PayoutSummary(accountHolder: details.0.accountHolder, method: details.0.method, masked: details.0.masked, updatedAt: details.1)
    }

    /// The full details, for paying out only: never answer or log them.
    func storedPayoutDetails(of id: UUID) async throws -> (PayoutDetails, Date)? {
        struct Row: Decodable {
            let payout_account_holder: String?
            let payout_method: String?
            let payout_account: String?
            let payout_updated_at: Date?
        }
        guard let row = try await db.sql.select()
            .columns("payout_account_holder", "payout_method", "payout_account", "payout_updated_at")
            .from("nonprofits").where("id", .equal, SQLBind(id)).first(decoding: Row.self),
            let holder = row.payout_account_holder, let method = row.payout_method, let account = row.payout_account,
            let updatedAt = row.payout_updated_at,
            let details = PayoutDetails(accountHolder: holder, method: method, storedAccount: account)
        else { return nil }
        return (details, updatedAt)
    }
}
