import Foundation
import SQLKit

/// The `total` event that follows every change of a fundraiser's money, and `goal_reached` the
/// first time the total reaches the goal: read from the ledger inside the transaction that
/// changed it, so the total viewers see is always the ledger's.
enum FeedTotals {
    static func events(for fundraisers: Set<UUID>, on sql: any SQLDatabase) async throws -> [FeedLog.NewEvent] {
        guard !fundraisers.isEmpty else { return [] }
        let ids = Array(fundraisers)
        struct Goal: Decodable { let id: UUID; let goal_amount: Int64; let currency: String }
        let goals = try await sql.select().columns("id", "goal_amount", "currency").from("fundraisers")
            .where("id", .in, SQLBind.group(ids)).all(decoding: Goal.self)
        let raised = try await LedgerStore.raised(fundraisers: ids, on: sql)
        let donorsByID = try await FundraiserTotals.donors(fundraisers: ids, on: sql)
        var events: [FeedLog.NewEvent] = []
        var reached: [UUID] = []
        for goal in goals.sorted(by: { $0.id.uuidString < $1.id.uuidString }) {
            let total = raised[goal.id]?[goal.currency] ?? 0
            let progress = goal.goal_amount > 0 ? max(0, total) * 100 / goal.goal_amount : 0
            events.append((goal.id, .total, [
                "raised": .number(total), "currency": .text(goal.currency), "goal": .number(goal.goal_amount),
                "donors": .number(donorsByID[goal.id] ?? 0), "goalProgress": .number(progress),
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
                let total = raised[goal.id]?[goal.currency] ?? 0
                events.append((goal.id, .goalReached, ["raised": .number(total), "currency": .text(goal.currency), "goal": .number(goal.goal_amount)]))
            }
        }
        return events
    }
}
