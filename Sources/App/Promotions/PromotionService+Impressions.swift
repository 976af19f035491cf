import Foundation
import GoodcastCore
import Logging
import ServiceLifecycle
import SQLKit

extension PromotionService {
    /// The SQL condition of a promotion that is showing now: active, in its window, and with
    /// at least one impression's credits left.
    static func showing(_ now: Date, alias: String = "p") -> SQLQueryString {
        "\(ident: alias).\(ident: "status") = 'active' AND \(ident: alias).\(ident: "starts_at") <= \(bind: now) AND \(ident: alias).\(ident: "ends_at") > \(bind: now) AND \(ident: alias).\(ident: "spent") + \(ident: alias).\(ident: "rate") <= \(ident: alias).\(ident: "budget")"
    }

    /// The promotion showing now for each of these challenges or lives (`target`: the
    /// promotions' `challenge_id` or `live_id` column) that has one.
    static func showing(_ target: String, ids: [UUID], on sql: any SQLDatabase, at now: Date) async throws -> [UUID: UUID] {
        guard !ids.isEmpty else { return [:] }
        struct Row: Decodable { let id: UUID; let target: UUID }
        let rows = try await sql.raw("SELECT p.id, p.\(ident: target) AS target FROM promotions p WHERE p.\(ident: target) IN (\(binds: ids)) AND \(showing(now))")
            .all(decoding: Row.self)
        var result: [UUID: UUID] = [:]
        for row in rows where result[row.target] == nil { result[row.target] = row.id }
        return result
    }

    /// 0 for a challenge or live (`table`) with a promotion showing now, 1 for the others.
    static func promotedFirst(_ table: String, target: String, at now: Date) -> SQLQueryString {
        "CASE WHEN EXISTS (SELECT 1 FROM \(ident: "promotions") p WHERE p.\(ident: target) = \(ident: table).\(ident: "id") AND \(showing(now))) THEN 0 ELSE 1 END"
    }

    /// Charges counted impressions to their promotions, each capped at what its budget has left,
    /// each in its own transaction. Returns the counts it could not charge (to be tried again:
    /// only those, so that none committed is charged twice).
    @discardableResult
    func charge(_ impressions: [UUID: Int64]) async -> [UUID: Int64] {
        let now = clock.now()
        var failed: [UUID: Int64] = [:]
        for (id, count) in impressions.sorted(by: { $0.key < $1.key }) where count > 0 {
            do { try await db.transaction { sql in
                guard let promotion = try await Self.locked(id, on: sql), promotion.status == "active" else { return }
                var budget = PromotionBudget(budget: promotion.budget, spent: promotion.spent, rate: promotion.rate)
                let (credits, paid) = budget.charge(impressions: count)
                guard paid > 0 else { return }
                try await sql.update("promotions").set("spent", to: SQLBind(budget.spent))
                    .set("impressions", to: SQLBinaryExpression(SQLColumn("impressions"), .add, SQLBind(paid)))
                    .where("id", .equal, SQLBind(id)).run()
                try await LedgerStore.write([try PostingRules.promotionSpend(
                    reference: "promotion-spend:\(id.lowercasedString):\(UUID().lowercasedString)", credits: Money(credits, .adCredits), promotion: id.lowercasedString
                )], on: sql, at: now)
            } } catch {
                failed[id] = count
            }
        }
        return failed
    }

    static func locked(_ id: UUID, on sql: any SQLDatabase) async throws -> PromotionRecord? {
        if sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT id FROM promotions WHERE id = \(bind: id) FOR UPDATE").run()
        }
        return try await sql.select().columns(PromotionRecord.columns.map { SQLColumn($0) }).from("promotions").where("id", .equal, SQLBind(id))
            .first(decoding: PromotionRecord.self)
    }

    /// Stops a promotion (its nonprofit's team, or when it ends): the unspent credits go back.
    func stop(_ id: UUID, by account: AccountRecord?) async throws -> PromotionRecord {
        guard let promotion = try await find(id) else { throw Problem.notFound("promotion \(id)") }
        if let account { _ = try await nonprofits.requireMember(promotion.nonprofitId, account: account) }
        try await close(id, as: "stopped")
        return try await find(id)!
    }

    private func close(_ id: UUID, as status: String) async throws {
        let now = clock.now()
        try await db.transaction { sql in
            guard let promotion = try await Self.locked(id, on: sql), promotion.status == "active" else { return }
            let left = promotion.budget - promotion.spent
            try await sql.update("promotions").set("status", to: SQLBind(status)).set("closed_at", to: SQLBind(now)).where("id", .equal, SQLBind(id)).run()
            guard left > 0 else { return }
            try await sql.update("nonprofit_ad_credits").set("balance", to: SQLBinaryExpression(SQLColumn("balance"), .add, SQLBind(left)))
                .set("updated_at", to: SQLBind(now)).where("nonprofit_id", .equal, SQLBind(promotion.nonprofitId)).run()
            try await LedgerStore.write([try PostingRules.promotionReturn(
                reference: "promotion-return:\(id.lowercasedString)", credits: Money(left, .adCredits),
                nonprofit: promotion.nonprofitId.lowercasedString, promotion: id.lowercasedString
            )], on: sql, at: now)
        }
    }

    /// Ends the promotions whose period is over, returning what they did not spend.
    func closeEnded() async throws -> Int {
        struct Row: Decodable { let id: UUID }
        let due = try await db.reader.select().column("id").from("promotions").where("status", .equal, SQLBind("active"))
            .where("ends_at", .lessThanOrEqual, SQLBind(clock.now())).all(decoding: Row.self)
        for row in due { try await close(row.id, as: "ended") }
        return due.count
    }
}

/// Impressions of promoted items, counted in memory and charged in batches (like views: a
/// listing must not wait for a write).
actor ImpressionCounter {
    private var counts: [UUID: Int64] = [:]
    /// Who saw which promotion this hour: a viewer who reloads a listing is one impression an
    /// hour, so nobody can drain a promotion's budget by refreshing.
    private var seen: Set<String> = []
    private var hour: Int64 = 0
    static let maxSeen = 1_000_000

    func shown(_ promotions: some Sequence<UUID>, viewer: String, at now: Date = Date()) {
        let current = ViewEvent.hour(of: now)
        if current != hour || seen.count >= Self.maxSeen {
            seen.removeAll(keepingCapacity: true)
            hour = current
        }
        for id in promotions where seen.insert("\(id.uuidString)|\(viewer)").inserted {
            counts[id, default: 0] += 1
        }
    }

    func take() -> [UUID: Int64] {
        defer { counts = [:] }
        return counts
    }
}

/// Charges impressions every `interval`, and ends promotions whose period is over.
struct PromotionRunner: Service {
    let promotions: PromotionService
    let counter: ImpressionCounter
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var rounds = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await charge()
                rounds += 1
                if rounds % 30 == 0 {
                    do { _ = try await promotions.closeEnded() } catch { logger.warning("ending promotions failed; will retry", metadata: ["error": "\(error)"]) }
                }
            }
        }
        await charge()
    }

    private func charge() async {
        let counts = await counter.take()
        guard !counts.isEmpty else { return }
        let failed = await promotions.charge(counts)
        if !failed.isEmpty {
            logger.warning("impressions not charged yet; will retry", metadata: ["promotions": "\(failed.count)"])
            await counter.put(back: failed)
        }
    }
}

extension ImpressionCounter {
    func put(back counts: [UUID: Int64]) {
        for (id, count) in counts { self.counts[id, default: 0] += count }
    }
}
