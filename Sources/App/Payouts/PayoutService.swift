import Foundation
import GoodcastCore
import Logging
import SQLKit

/// Moves each nonprofit's payable balance (above a minimum) into a payout, once per period
/// however many times it runs, with a CSV statement per nonprofit.
struct PayoutService: Sendable {
    let db: AppDatabase
    let clock: AppClock
    /// Smallest payout, in hundredths of a major unit (1000 = 10.00).
    let minimumHundredths: Int64
    let logger: Logger

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

    /// The period a run names (a date), checked: a day to come would pay today what belongs to
    /// it, and its own run would then find it paid.
    func period(named text: String, field: String) throws(ValidationIssue) -> String {
        let period = Self.period(of: try DateParameter.parse(text, field: field))
        let today = Self.period(of: clock.now())
        guard period <= today else { throw ValidationIssue(field: field, message: "must not be after today (\(today), UTC)") }
        return period
    }

    /// Pays out every verified nonprofit with payout details and enough owed; returns the payouts
    /// made by this run.
    /// A period is paid once per nonprofit and currency, and never after a later one: a run
    /// for an earlier day must not pay a second time in one week.
    /// Money a pending refund may still return to the donor stays behind for the next run.
    func run(period: String? = nil) async throws -> [Payout] {
        let period = period ?? Self.period(of: clock.now())
        struct Owed: Decodable { let account: String; let currency: String; let total: Int64 }
        // Who may be owed: the amounts themselves are read again under the nonprofit's lock.
        let owed = try await db.sql.select().column("account").column("currency").column(sqlSum("amount"), as: "total")
            .from("ledger_entries").where("account", .like, SQLBind("nonprofit:%:payable"))
            .groupBy("account").groupBy("currency").all(decoding: Owed.self)
        var made: [Payout] = []
        for row in owed where row.total < 0 {
            guard let currency = Currency.supported[row.currency] else { continue }
            let nonprofit = String(row.account.dropFirst("nonprofit:".count).dropLast(":payable".count))
            guard let nonprofitID = UUID(uuidString: nonprofit) else { continue }
            do {
                if let payout = try await pay(nonprofitID, nonprofit, account: row.account, currency: currency, period: period) { made.append(payout) }
            } catch where error.isConstraintViolation {
                continue // Another run paid this period at the same moment.
            }
        }
        return made
    }

    /// One nonprofit's payout in one currency, or nil when nothing is to be paid.
    private func pay(_ nonprofitID: UUID, _ nonprofit: String, account: String, currency: Currency, period: String) async throws -> Payout? {
        let minimum = (try? Money(minimumHundredths, currency).scaled(by: currency.minorPerMajor, over: 100).amount) ?? minimumHundredths
        let id = UUID()
        let now = clock.now()
        return try await db.transaction { sql -> Payout? in
            // One payout of a nonprofit at a time: two runs for different periods would each read
            // the same balance and pay it twice. (SQLite's one writer runs them one after the other.)
            // NO KEY: a gift's insert takes a key-share lock on its nonprofit (the foreign key),
            // and must not wait for a payout.
            if sql.dialect.name == "postgresql" {
                try await sql.raw("SELECT id FROM nonprofits WHERE id = \(bind: nonprofitID) FOR NO KEY UPDATE").run()
            }
            // A verified nonprofit that has said where its money goes; others' money waits.
            struct Status: Decodable { let status: String; let payout_account: String? }
            guard let nonprofitRow = try await sql.select().column("status").column("payout_account").from("nonprofits")
                .where("id", .equal, SQLBind(nonprofitID)).first(decoding: Status.self),
                nonprofitRow.status == NonprofitStatus.verified.rawValue else { return nil }
            guard nonprofitRow.payout_account != nil else {
                logger.notice("payout held: the nonprofit has no payout details", metadata: ["nonprofit": "\(nonprofit)", "currency": "\(currency.code)"])
                return nil
            }
            struct Paid: Decodable { let period: String }
            let paidSince = try await sql.select().column("period").from("payouts").where("nonprofit_id", .equal, SQLBind(nonprofitID))
                .where("currency", .equal, SQLBind(currency.code)).where("period", .greaterThanOrEqual, SQLBind(period)).first(decoding: Paid.self)
            guard paidSince == nil else { return nil }
            // One statement, so one snapshot on PostgreSQL: a refund that succeeds between two
            // reads would leave the balance and the hold each missing it, and be paid out.
            struct Owed: Decodable { let balance: Int64?; let held: Int64? }
            let owed = try await sql.raw("""
                SELECT
                  (SELECT CAST(SUM(amount) AS BIGINT) FROM ledger_entries
                   WHERE account = \(bind: account) AND currency = \(bind: currency.code)) AS balance,
                  (SELECT CAST(SUM(r.amount) AS BIGINT) FROM refunds r JOIN donations d ON d.id = r.donation_id
                   WHERE d.nonprofit_id = \(bind: nonprofitID) AND r.currency = \(bind: currency.code) AND r.status = 'pending') AS held
                """).first(decoding: Owed.self)
            // Refunds asked for and not yet answered by the processor: their money is still in the
            // payable balance, and leaves it if they succeed.
            let (balance, held) = (owed?.balance ?? 0, owed?.held ?? 0)
            let (amount, overflow) = (-balance).subtractingReportingOverflow(held)
            guard !overflow, amount >= max(1, minimum) else { return nil }
            try await sql.insert(into: "payouts").columns("id", "nonprofit_id", "currency", "amount", "period", "created_at")
                .values(SQLBind(id), SQLBind(nonprofitID), SQLBind(currency.code), SQLBind(amount), SQLBind(period), SQLBind(now)).run()
            try await LedgerStore.write([PostingRules.payout(reference: "payout:\(id.lowercasedString)", amount: Money(amount, currency), nonprofit: nonprofit)], on: sql, at: now)
            return Payout(id: id, nonprofit_id: nonprofitID, currency: currency.code, amount: amount, period: period, created_at: now)
        }
    }

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
