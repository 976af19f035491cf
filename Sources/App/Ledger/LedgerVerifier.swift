import Foundation
import GoodcastCore
import SQLKit

/// `goodcast ledger verify`: recomputes every invariant of the money from the stored rows and
/// names each violation.
struct LedgerVerifier: Sendable {
    let db: AppDatabase
    let processor: (any PaymentProcessor)?
    /// How long a charge may go without its donation, and a donation without its charge in the
    /// processor's list, before either is a violation: run beside a server taking gifts, a charge
    /// made a moment ago may still be committing its donation (or wait for reconciliation), and
    /// the list may have been read before a donation just written. Zero by default: strict.
    var settling: TimeInterval = 0
    var now = Date()

    struct Report: Sendable {
        var checked: [String] = []
        var violations: [String] = []
        var isClean: Bool { violations.isEmpty }
    }

    /// Whether something of `date` may still be settling (see `settling`).
    private func isSettling(_ date: Date) -> Bool {
        settling > 0 && date > now.addingTimeInterval(-settling)
    }

    func run() async throws -> Report {
        var report = Report()
        let sql = db.sql

        // 1. Every transaction balances per currency, and has no zero lines.
        struct Unbalanced: Decodable { let transaction_id: UUID; let currency: String; let total: Int64 }
        let unbalanced = try await sql.select().column("transaction_id").column("currency")
            .column(sqlSum("amount"), as: "total").from("ledger_entries")
            .groupBy("transaction_id").groupBy("currency")
            .having(sqlSum("amount"), .notEqual, SQLLiteral.numeric("0"))
            .all(decoding: Unbalanced.self)
        for row in unbalanced { report.violations.append("transaction \(row.transaction_id) does not balance in \(row.currency): off by \(row.total)") }
        struct Count: Decodable { let n: Int }
        let zero = try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("ledger_entries")
            .where("amount", .equal, SQLLiteral.numeric("0")).first(decoding: Count.self)?.n ?? 0
        if zero > 0 { report.violations.append("\(zero) ledger entries have a zero amount") }
        let small = try await sql.raw("SELECT COUNT(*) AS n FROM ledger_transactions t WHERE (SELECT COUNT(*) FROM ledger_entries e WHERE e.transaction_id = t.id) < 2")
            .first(decoding: Count.self)?.n ?? 0
        if small > 0 { report.violations.append("\(small) ledger transactions have fewer than two entries") }
        report.checked.append("every transaction balances per currency")

        // 2. Account balances: recomputed in memory from the entries, compared with SQL's sums.
        struct Entry: Decodable { let account: String; let currency: String; let amount: Int64 }
        struct Balance: Decodable { let account: String; let currency: String; let total: Int64 }
        var recomputed: [String: Int64] = [:]
        for entry in try await sql.select().columns("account", "currency", "amount").from("ledger_entries").all(decoding: Entry.self) {
            recomputed["\(entry.account)|\(entry.currency)", default: 0] += entry.amount
        }
        let sums = try await sql.select().column("account").column("currency").column(sqlSum("amount"), as: "total")
            .from("ledger_entries").groupBy("account").groupBy("currency").all(decoding: Balance.self)
        for sum in sums where recomputed["\(sum.account)|\(sum.currency)"] != sum.total {
            report.violations.append("account \(sum.account) \(sum.currency): balance \(sum.total) differs from its entries")
        }
        var perCurrency: [String: Int64] = [:]
        for sum in sums { perCurrency[sum.currency, default: 0] += sum.total }
        for (currency, total) in perCurrency where total != 0 { report.violations.append("the ledger does not balance in \(currency): off by \(total)") }
        report.checked.append("every account balance equals the sum of its entries")

        // 3. Donations and their postings.
        struct DonationRow: Decodable {
            let id: UUID; let status: String; let charge_id: String?; let amount: Int64; let fee: Int64; let dispute: String; let fundraiser_id: UUID; let currency: String
            let processor: String; let completed_at: Date?
        }
        let donations = try await sql.select().columns("id", "status", "charge_id", "amount", "fee", "dispute", "fundraiser_id", "currency", "processor", "completed_at")
            .from("donations").all(decoding: DonationRow.self)
        struct Posting: Decodable { let reference: String; let n: Int }
        let postings = try await sql.select().column("reference").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("ledger_transactions").where("kind", .equal, SQLBind(LedgerKind.donation.rawValue)).groupBy("reference")
            .all(decoding: Posting.self)
        let postingCount = Dictionary(uniqueKeysWithValues: postings.map { ($0.reference, $0.n) })
        struct RefundSum: Decodable { let donation_id: UUID; let total: Int64 }
        let refunds = try await sql.select().column("donation_id").column(sqlSum("amount"), as: "total")
            .from("refunds").where("status", .equal, SQLBind("succeeded")).groupBy("donation_id").all(decoding: RefundSum.self)
        let refunded = Dictionary(uniqueKeysWithValues: refunds.map { ($0.donation_id, $0.total) })
        var expectedRaised: [UUID: [String: Int64]] = [:]
        for donation in donations {
            let count = postingCount["donation:\(donation.id.lowercasedString)"] ?? 0
            if donation.status == DonationStatus.succeeded.rawValue {
                if count != 1 { report.violations.append("succeeded donation \(donation.id) has \(count) donation postings (expected 1)") }
                let kept = donation.dispute == "open" || donation.dispute == "lost" ? 0 : donation.amount - (refunded[donation.id] ?? 0)
                expectedRaised[donation.fundraiser_id, default: [:]][donation.currency, default: 0] += kept - donation.fee
            } else if count != 0 {
                report.violations.append("\(donation.status) donation \(donation.id) has \(count) donation postings (expected none)")
            }
        }
        report.checked.append("every succeeded donation has exactly one donation posting")

        // 3b. A refund left pending may be money the processor returned without the ledger knowing.
        struct PendingRefund: Decodable { let id: UUID; let donation_id: UUID; let amount: Int64; let currency: String; let created_at: Date }
        let pendingRefunds = try await sql.select().columns("id", "donation_id", "amount", "currency", "created_at").from("refunds")
            .where("status", .equal, SQLBind("pending")).all(decoding: PendingRefund.self)
        var refundsSettling = 0
        for refund in pendingRefunds {
            if isSettling(refund.created_at) {
                refundsSettling += 1
                continue
            }
            report.violations.append(
                "refund \(refund.id) of donation \(refund.donation_id) (\(refund.amount) \(refund.currency)) has been pending since \(refund.created_at): the processor may have returned the money without the ledger knowing (a running server settles it with the processor within a minute)"
            )
        }
        report.checked.append("no refund is left pending" + (refundsSettling > 0 ? " (\(refundsSettling) of the last \(Int(settling)) s left to settle)" : ""))

        // 4. Fundraiser totals: the ledger's tagged entries against the donations they come from.
        struct Raised: Decodable { let fundraiser_id: UUID; let currency: String; let total: Int64 }
        let raised = try await sql.select().column("fundraiser_id").column("currency").column(sqlSum("amount"), as: "total")
            .from("ledger_entries").where("fundraiser_id", .isNot, SQLLiteral.null).groupBy("fundraiser_id").groupBy("currency")
            .all(decoding: Raised.self)
        var ledgerRaised: [UUID: [String: Int64]] = [:]
        for row in raised { ledgerRaised[row.fundraiser_id, default: [:]][row.currency] = -row.total }
        for fundraiser in Set(ledgerRaised.keys).union(expectedRaised.keys) {
            let fromLedger = ledgerRaised[fundraiser] ?? [:], fromDonations = expectedRaised[fundraiser] ?? [:]
            for currency in Set(fromLedger.keys).union(fromDonations.keys) where (fromLedger[currency] ?? 0) != (fromDonations[currency] ?? 0) {
                report.violations.append("fundraiser \(fundraiser) \(currency): ledger total \(fromLedger[currency] ?? 0) but its donations net \(fromDonations[currency] ?? 0)")
            }
        }
        // The running totals that pages and the feed read must equal the history they sum.
        let running = try await FundraiserTotals.raised(fundraisers: Array(Set(ledgerRaised.keys).union(expectedRaised.keys)), on: sql)
        for fundraiser in Set(ledgerRaised.keys).union(running.keys) {
            let fromLedger = ledgerRaised[fundraiser] ?? [:], kept = running[fundraiser] ?? [:]
            for currency in Set(fromLedger.keys).union(kept.keys) where (fromLedger[currency] ?? 0) != (kept[currency] ?? 0) {
                report.violations.append("fundraiser \(fundraiser) \(currency): running total \(kept[currency] ?? 0) but its ledger entries sum to \(fromLedger[currency] ?? 0)")
            }
        }
        struct DonorCount: Decodable { let fundraiser_id: UUID; let n: Int64 }
        let counted = try await sql.select().column("fundraiser_id")
            .column(SQLFunction("COUNT", args: SQLDistinct(SQLColumn("donor_id"))), as: "n").from("donations")
            .where("status", .equal, SQLBind(DonationStatus.succeeded.rawValue)).groupBy("fundraiser_id").all(decoding: DonorCount.self)
        let donorsFromDonations = Dictionary(uniqueKeysWithValues: counted.map { ($0.fundraiser_id, $0.n) })
        let donorsKept = try await FundraiserTotals.donors(fundraisers: Array(donorsFromDonations.keys), on: sql)
        struct Listed: Decodable { let fundraiser_id: UUID; let n: Int64 }
        let listed = try await sql.select().column("fundraiser_id").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("fundraiser_donors").groupBy("fundraiser_id").all(decoding: Listed.self)
        let donorsListed = Dictionary(uniqueKeysWithValues: listed.map { ($0.fundraiser_id, $0.n) })
        for fundraiser in Set(donorsFromDonations.keys).union(donorsListed.keys) {
            let expected = donorsFromDonations[fundraiser] ?? 0
            if (donorsKept[fundraiser] ?? 0) != expected || (donorsListed[fundraiser] ?? 0) != expected {
                report.violations.append("fundraiser \(fundraiser): \(expected) donors gave, but the running count says \(donorsKept[fundraiser] ?? 0) and the list holds \(donorsListed[fundraiser] ?? 0)")
            }
        }
        report.checked.append("every fundraiser total equals its ledger sum, and its running totals (net raised, donors) equal its history")

        // 4b. Tickets: a paid ticket has one sale posting, and one refund posting once refunded.
        struct TicketRow: Decodable { let id: UUID; let status: String }
        let tickets = try await sql.select().columns("id", "status").from("live_tickets").all(decoding: TicketRow.self)
        let sales = try await sql.select().column("reference").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("ledger_transactions").where("kind", .equal, SQLBind(LedgerKind.ticket.rawValue)).groupBy("reference")
            .all(decoding: Posting.self)
        let saleCount = Dictionary(uniqueKeysWithValues: sales.map { ($0.reference, $0.n) })
        struct Reference: Decodable { let reference: String }
        let ticketRefunds = try await sql.select().column("reference").from("ledger_transactions")
            .where("reference", .like, SQLBind("ticket-refund:%")).all(decoding: Reference.self)
        var refundCount: [String: Int] = [:]
        for row in ticketRefunds { refundCount[String(row.reference.split(separator: ":")[1]), default: 0] += 1 }
        for ticket in tickets {
            let id = ticket.id.lowercasedString
            let paid = ["active", "refunded", "revoked"].contains(ticket.status)
            let sold = saleCount["ticket:\(id)"] ?? 0
            if sold != (paid ? 1 : 0) { report.violations.append("\(ticket.status) ticket \(id) has \(sold) sale postings (expected \(paid ? 1 : 0))") }
            let returned = refundCount[id] ?? 0
            let expected = ticket.status == "refunded" || ticket.status == "revoked" ? 1 : 0
            if returned != expected { report.violations.append("\(ticket.status) ticket \(id) has \(returned) refund postings (expected \(expected))") }
        }
        report.checked.append("every paid ticket has one sale posting, every refunded one a refund posting")

        // 4c. Pledges: funded once; the budget account holds exactly what is neither accrued nor
        // released, never less than nothing; accruals add up to the pledge's running total.
        struct PledgeRow: Decodable { let id: UUID; let status: String; let currency: String; let budget: Int64; let accrued: Int64; let released: Int64 }
        let pledges = try await sql.select().columns("id", "status", "currency", "budget", "accrued", "released").from("pledges").all(decoding: PledgeRow.self)
        let fundings = try await sql.select().column("reference").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("ledger_transactions").where("kind", .equal, SQLBind(LedgerKind.pledgeFunding.rawValue)).groupBy("reference")
            .all(decoding: Posting.self)
        let fundingCount = Dictionary(uniqueKeysWithValues: fundings.map { ($0.reference, $0.n) })
        struct Accrued: Decodable { let pledge_id: UUID; let total: Int64 }
        let accrualSums = try await sql.select().column("pledge_id").column(sqlSum("amount"), as: "total").from("pledge_accruals")
            .where("status", .equal, SQLBind("accrued")).groupBy("pledge_id").all(decoding: Accrued.self)
        let accruedRows = Dictionary(uniqueKeysWithValues: accrualSums.map { ($0.pledge_id, $0.total) })
        for pledge in pledges {
            let id = pledge.id.lowercasedString
            let funded = ["active", "settling", "settled"].contains(pledge.status)
            let count = fundingCount["pledge:\(id)"] ?? 0
            if count != (funded ? 1 : 0) { report.violations.append("\(pledge.status) pledge \(id) has \(count) funding postings (expected \(funded ? 1 : 0))") }
            if pledge.accrued < 0 || pledge.accrued + pledge.released > pledge.budget {
                report.violations.append("pledge \(id) accrued \(pledge.accrued) and released \(pledge.released) of a budget of \(pledge.budget)")
            }
            if (accruedRows[pledge.id] ?? 0) != pledge.accrued {
                report.violations.append("pledge \(id): its accruals add up to \(accruedRows[pledge.id] ?? 0) but it records \(pledge.accrued)")
            }
            let left = -(recomputed["pledge:\(id):budget|\(pledge.currency)"] ?? 0)
            let expected = funded ? pledge.budget - pledge.accrued - pledge.released : 0
            if left != expected { report.violations.append("pledge \(id): its budget account holds \(left) but \(expected) is left of it") }
        }
        // What nonprofits have earned from pledges not yet settled is held apart from what is payable.
        struct Pledged: Decodable { let nonprofit_id: UUID; let currency: String; let total: Int64 }
        let pledged = try await sql.raw("""
            SELECT c.nonprofit_id, p.currency, CAST(SUM(p.accrued) AS BIGINT) AS total FROM pledges p JOIN challenges c ON c.id = p.challenge_id
            WHERE p.status IN ('active', 'settling') AND c.nonprofit_id IS NOT NULL GROUP BY c.nonprofit_id, p.currency
            """).all(decoding: Pledged.self)
        var expectedPledged: [String: Int64] = [:]
        for row in pledged { expectedPledged["nonprofit:\(row.nonprofit_id.lowercasedString):pledged|\(row.currency)"] = row.total }
        for key in Set(expectedPledged.keys).union(recomputed.keys.filter { $0.hasSuffix("|XCR") == false && $0.contains(":pledged|") }) {
            let held = -(recomputed[key] ?? 0)
            if held != (expectedPledged[key] ?? 0) { report.violations.append("\(key): holds \(held) of unsettled pledge accruals, \(expectedPledged[key] ?? 0) expected") }
        }
        report.checked.append("every pledge is funded once, never accrues past its budget, and its budget account matches")

        // 4d. Ad credits: each nonprofit's balance matches its ledger account and is never
        // negative; each promotion's budget account holds what it has not spent (nothing once closed).
        struct CreditRow: Decodable { let nonprofit_id: UUID; let balance: Int64 }
        for row in try await sql.select().columns("nonprofit_id", "balance").from("nonprofit_ad_credits").all(decoding: CreditRow.self) {
            let id = row.nonprofit_id.lowercasedString
            let ledger = -(recomputed["ad-credits:\(id)|XCR"] ?? 0)
            if row.balance < 0 { report.violations.append("nonprofit \(id) has a negative ad credit balance: \(row.balance)") }
            if ledger != row.balance { report.violations.append("nonprofit \(id): \(row.balance) ad credits, but its ledger account holds \(ledger)") }
        }
        struct PromotionRow: Decodable { let id: UUID; let status: String; let budget: Int64; let spent: Int64 }
        for row in try await sql.select().columns("id", "status", "budget", "spent").from("promotions").all(decoding: PromotionRow.self) {
            let id = row.id.lowercasedString
            let left = -(recomputed["promotion:\(id):budget|XCR"] ?? 0)
            let expected = row.status == "active" ? row.budget - row.spent : 0
            if row.spent < 0 || row.spent > row.budget { report.violations.append("promotion \(id) spent \(row.spent) of a budget of \(row.budget)") }
            if left != expected { report.violations.append("promotion \(id): its budget account holds \(left) credits, \(expected) expected") }
        }
        report.checked.append("ad credit balances and promotion budgets match the ledger and never go below zero")

        // 4e. Giving programs: the budget account holds what is unassigned plus what is offered
        // to creators and not yet given; grants add up to what the ledger granted.
        struct ProgramRow: Decodable { let id: UUID; let currency: String; let budget: Int64; let unassigned: Int64 }
        for row in try await sql.select().columns("id", "currency", "budget", "unassigned").from("programs").all(decoding: ProgramRow.self) {
            let id = row.id.lowercasedString
            struct Sum: Decodable { let total: Int64? }
            let granted = try await sql.select().column(sqlSum("amount"), as: "total").from("program_grants").where("program_id", .equal, SQLBind(row.id))
                .first(decoding: Sum.self)?.total ?? 0
            let offered = try await sql.select().column(sqlSum("amount"), as: "total").from("program_invitations").where("program_id", .equal, SQLBind(row.id))
                .where("status", .equal, SQLBind("invited")).first(decoding: Sum.self)?.total ?? 0
            let left = -(recomputed["program:\(id):budget|\(row.currency)"] ?? 0)
            if row.unassigned < 0 || granted > row.budget { report.violations.append("program \(id) gave \(granted) of a budget of \(row.budget) (unassigned \(row.unassigned))") }
            if left != row.unassigned + offered { report.violations.append("program \(id): its budget account holds \(left), but \(row.unassigned + offered) is unassigned or offered") }
        }
        report.checked.append("every program's budget account matches what it has not given, and it never gives more than its budget")

        // 5. The processor's side: every charge it made has exactly one succeeded donation.
        if let processor {
            do {
                let byCharge = Dictionary(grouping: donations.filter { $0.charge_id != nil }, by: { $0.charge_id! })
                struct Fundraiser: Decodable { let id: UUID }
                let fundraisers = Set(try await sql.select().column("id").from("fundraisers").all(decoding: Fundraiser.self).map(\.id))
                let charges = try await processor.allCharges()
                var settlingCount = 0
                // Tickets and pledges: each charge made for one is the one it was paid with.
                struct Paid: Decodable { let id: UUID; let status: String; let charge_id: String? }
                var payments: [(metadataKey: String, what: String, rows: [String: Paid])] = []
                for (key, table, what) in [("ticket_id", "live_tickets", "ticket"), ("pledge_id", "pledges", "pledge")] {
                    let rows = try await sql.select().columns("id", "status", "charge_id").from(table).all(decoding: Paid.self)
                    payments.append((key, what, Dictionary(uniqueKeysWithValues: rows.map { ($0.id.lowercasedString, $0) })))
                }
                var paymentsChecked = false
                for charge in charges {
                    if let payment = payments.first(where: { charge.metadata[$0.metadataKey] != nil }), let id = charge.metadata[payment.metadataKey] {
                        paymentsChecked = true
                        let what = payment.what
                        guard let row = payment.rows[id.lowercased()] else { continue } // another environment's, on a shared account
                        if row.charge_id == charge.id && !["pending", "failed"].contains(row.status) { continue }
                        if isSettling(charge.created.addingTimeInterval(1)) {
                            settlingCount += 1
                            continue
                        }
                        report.violations.append("charge \(charge.id) at the processor paid for \(what) \(id), which is \(row.status) and names \(row.charge_id.map { "charge \($0)" } ?? "no charge")")
                        continue
                    }
                    guard let donationID = DonationCharge.donationID(for: charge)?.lowercasedString else { continue }
                    // A charge for a fundraiser that is not here is another environment's, on a
                    // shared processor account (charges of older versions name none).
                    if let named = charge.metadata["fundraiser_id"].flatMap(UUID.init(uuidString:)), !fundraisers.contains(named) { continue }
                    let matches = byCharge[charge.id] ?? []
                    // Charges are dated to the second.
                    if matches.isEmpty, isSettling(charge.created.addingTimeInterval(1)) {
                        settlingCount += 1
                        continue
                    }
                    if matches.count != 1 || matches.first?.status != DonationStatus.succeeded.rawValue
                        || matches.first?.id.lowercasedString != donationID.lowercased() {
                        report.violations.append("charge \(charge.id) at the processor (donation \(donationID)) has \(matches.filter { $0.status == "succeeded" }.count) succeeded donations (expected 1)")
                    }
                }
                report.checked.append("every charge at the processor has exactly one donation" + (paymentsChecked ? ", ticket or pledge" : ""))
                // And the other way: a processor that lost its charges (the in-process sandbox's
                // books deleted or elsewhere) must not pass the check above with nothing to check.
                let known = Set(charges.map(\.id))
                for donation in donations where donation.status == DonationStatus.succeeded.rawValue && donation.processor == processor.name {
                    if let charge = donation.charge_id, !known.contains(charge) {
                        if let completed = donation.completed_at, isSettling(completed) {
                            settlingCount += 1
                            continue
                        }
                        report.violations.append("donation \(donation.id.lowercasedString) was paid by charge \(charge), which \(processor.name) does not have")
                    }
                }
                report.checked.append("every succeeded donation's charge is at the processor")
                if settlingCount > 0 {
                    report.checked.append("\(settlingCount) charges or donations of the last \(Int(settling)) s left to settle, not checked")
                }
            } catch {
                report.violations.append("the processor could not be asked for its charges: \(error)")
            }
        } else {
            report.checked.append("processor charges not checked (the in-process sandbox keeps no books: GOODCAST_SANDBOX_BOOKS=memory)")
        }
        return report
    }
}
