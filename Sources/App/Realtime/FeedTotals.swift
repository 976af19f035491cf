import Foundation
import SQLKit

/// The `total` event that follows every change of a fundraiser's money, and `goal_reached` the
/// first time the total reaches the goal: read from the ledger inside the transaction that
/// changed it, so the total viewers see is always the ledger's.
enum FeedTotals {
    static func events(for fundraisers: Set<UUID>, on sql: any SQLDatabase) async throws -> [FeedLog.NewEvent] {
        guard !fundraisers.isEmpty else { return [] }
        let ids = Array(fundraisers)
        // One statement for the goal, the running total in the goal's currency and the donors:
        // it runs in every group-commit batch.
        struct Goal: Decodable { let id: UUID; let goal_amount: Int64; let currency: String; let amount: Int64?; let donors: Int64? }
        // Written out rather than built: on SQLite's writer thread, which every batch waits for.
        let goals = try await sql.raw("""
            SELECT "f"."id", "f"."goal_amount", "f"."currency", "t"."amount", "c"."donors" FROM "fundraisers" AS "f" \
            LEFT JOIN "fundraiser_ledger_totals" AS "t" ON "t"."fundraiser_id" = "f"."id" AND "t"."currency" = "f"."currency" \
            LEFT JOIN "fundraiser_donor_counts" AS "c" ON "c"."fundraiser_id" = "f"."id" \
            WHERE "f"."id" IN (\(binds: ids))
            """).all(decoding: Goal.self)
        var events: [FeedLog.NewEvent] = []
        var reached: [UUID] = []
        for goal in goals.sorted(by: { $0.id < $1.id }) {
            let total = -(goal.amount ?? 0)
            let progress = goal.goal_amount > 0 ? max(0, total) * 100 / goal.goal_amount : 0
            events.append((goal.id, .total, [
                "raised": .number(total), "currency": .text(goal.currency), "goal": .number(goal.goal_amount),
                "donors": .number(goal.donors ?? 0), "goalProgress": .number(progress),
            ]))
            if goal.goal_amount > 0, total >= goal.goal_amount { reached.append(goal.id) }
        }
        if !reached.isEmpty {
            // Once per fundraiser: a refund that dips below the goal and a gift that lifts it
            // back do not announce it again.
            struct Row: Decodable { let feed_id: UUID }
            let announced = Set(try await sql.select().column("feed_id").from("feed_events")
                .where("feed_id", .in, SQLBind.group(reached)).where("kind", .equal, SQLBind(FeedKind.goalReached.rawValue))
                .all(decoding: Row.self).map(\.feed_id))
            for goal in goals where reached.contains(goal.id) && !announced.contains(goal.id) {
                let total = -(goal.amount ?? 0)
                events.append((goal.id, .goalReached, ["raised": .number(total), "currency": .text(goal.currency), "goal": .number(goal.goal_amount)]))
            }
        }
        return events
    }
}
