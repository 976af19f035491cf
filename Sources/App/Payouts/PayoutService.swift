import Foundation
import GoodcastCore
import SQLKit

/// Moves each nonprofit's payable balance (above a minimum) into a payout, once per period
/// however many times it runs, with a CSV statement per nonprofit.
struct PayoutService: Sendable {
    let db: AppDatabase
    let clock: AppClock
    /// Smallest payout, in hundredths of a major unit (1000 = 10.00).
    let minimumHundredths: Int64

    struct Payout: Sendable, Decodable {
        let id: UUID
        let nonprofit_id: UUID
        let currency: String
        let amount: Int64
        let period: String
        let created_at: Date

        var money: Money { Money(amount, Currency.supported[currency] ?? .usd) }
        var createdAt: Date { created_at }
    }

    static func period(of date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day())
    }

    /// Pays out every nonprofit with enough owed; returns the payouts made by this run.
    func run(period: String? = nil) async throws -> [Payout] {
        let period = period ?? Self.period(of: clock.now())
        struct Owed: Decodable { let account: String; let currency: String; let total: Int64 }
        let owed = try await db.sql.select().column("account").column("currency").column(sqlSum("amount"), as: "total")
            .from("ledger_entries").where("account", .like, SQLBind("nonprofit:%:payable"))
            .groupBy("account").groupBy("currency").all(decoding: Owed.self)
        var made: [Payout] = []
        for row in owed {
            guard let currency = Currency.supported[row.currency] else { continue }
            let amount = -row.total
            let minimum = (try? Money(minimumHundredths, currency).scaled(by: currency.minorPerMajor, over: 100).amount) ?? minimumHundredths
            guard amount >= max(1, minimum) else { continue }
            let nonprofit = String(row.account.dropFirst("nonprofit:".count).dropLast(":payable".count))
            guard let nonprofitID = UUID(uuidString: nonprofit) else { continue }
            let id = UUID()
            let now = clock.now()
            do {
                try await db.transaction { sql in
                    try await sql.insert(into: "payouts").columns("id", "nonprofit_id", "currency", "amount", "period", "created_at")
                        .values(SQLBind(id), SQLBind(nonprofitID), SQLBind(currency.code), SQLBind(amount), SQLBind(period), SQLBind(now)).run()
                    // Re-read inside the transaction: what is owed now, not when the run began.
                    let current = try await sql.select().column(sqlSum("amount"), as: "total").column("account").column("currency")
                        .from("ledger_entries").where("account", .equal, SQLBind(row.account)).where("currency", .equal, SQLBind(currency.code))
                        .groupBy("account").groupBy("currency").first(decoding: Owed.self)
                    guard let current, -current.total == amount else { throw PayoutRace() }
                    try await LedgerStore.write([PostingRules.payout(reference: "payout:\(id.lowercasedString)", amount: Money(amount, currency), nonprofit: nonprofit)], on: sql, at: now)
                }
                made.append(Payout(id: id, nonprofit_id: nonprofitID, currency: currency.code, amount: amount, period: period, created_at: now))
            } catch where error.isConstraintViolation || error is PayoutRace {
                continue // Already paid this period, or the balance moved: the next run takes it.
            }
        }
        return made
    }

    private struct PayoutRace: Error {}

    func payouts(of nonprofit: UUID) async throws -> [Payout] {
        try await db.sql.select().columns("id", "nonprofit_id", "currency", "amount", "period", "created_at").from("payouts")
            .where("nonprofit_id", .equal, SQLBind(nonprofit)).orderBy("created_at", .descending).all(decoding: Payout.self)
    }

    /// The nonprofit's statement: every movement of its payable account, oldest first, with payouts.
    func statementCSV(of nonprofit: UUID) async throws -> String {
        struct Line: Decodable { let created_at: Date; let kind: String; let reference: String; let currency: String; let amount: Int64 }
        let lines = try await db.sql.select()
            .columns(SQLColumn("created_at", table: "t"), SQLColumn("kind", table: "t"), SQLColumn("reference", table: "t"),
                     SQLColumn("currency", table: "e"), SQLColumn("amount", table: "e"))
            .from(SQLAlias(SQLIdentifier("ledger_entries"), as: SQLIdentifier("e")))
            .join(SQLAlias(SQLIdentifier("ledger_transactions"), as: SQLIdentifier("t")), on: SQLColumn("id", table: "t"), .equal, SQLColumn("transaction_id", table: "e"))
            .where(SQLColumn("account", table: "e"), .equal, SQLBind(LedgerAccount.nonprofitPayable(nonprofit.lowercasedString).name))
            .orderBy(SQLColumn("created_at", table: "t")).all(decoding: Line.self)
        var csv = "date,kind,reference,currency,amount_minor,amount\n"
        for line in lines {
            let currency = Currency.supported[line.currency] ?? .usd
            // Credits to the payable are money in for the nonprofit: shown positive.
            let money = Money(-line.amount, currency)
            let amount = MoneyFormat.plain(money)
            csv += "\(line.created_at.formatted(.iso8601)),\(line.kind),\(line.reference),\(line.currency),\(-line.amount),\(amount)\n"
        }
        return csv
    }
}
