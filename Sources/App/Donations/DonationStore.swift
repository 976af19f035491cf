import Foundation
import GoodcastCore
import SQLKit

/// Donations and refunds in the database. Every change of money state happens in one
/// transaction with its ledger postings.
struct DonationStore: Sendable {
    let db: AppDatabase
    let clock: AppClock

    /// Donations as they are once their processor answered, in one insert (`SQLRowsInsert`).
    static func insert(_ records: [DonationRecord], on sql: any SQLDatabase) async throws {
        try await SQLRowsInsert(into: "donations", columns: DonationRecord.columns, rows: records.map { record -> [any Encodable & Sendable] in [
            record.id, record.fundraiserId, record.nonprofitId, record.donorId, record.amount, record.giftAmount, record.fee, record.currencyCode,
            record.coverFees, record.message, record.visibilityName, record.statusName, record.failureCode, record.failureMessage, record.processor,
            record.chargeId, record.paymentToken, record.refunded, record.disputeName, record.receiptNumber, record.createdAt, record.completedAt,
        ] }).run(on: sql)
    }

    /// One UPDATE for a batch of donations that succeeded (values from `DonationRecord.succeeded`).
    static func markSucceeded(_ records: [DonationRecord], on sql: any SQLDatabase) async throws {
        guard let first = records.first else { return }
        var query: SQLQueryString = "UPDATE \(ident: "donations") SET \(ident: "status") = \(bind: DonationStatus.succeeded.rawValue), \(ident: "failure_code") = NULL, \(ident: "failure_message") = NULL, \(ident: "completed_at") = \(bind: first.completedAt)"
        for column in ["fee", "charge_id", "receipt_number"] {
            query += ", \(ident: column) = CASE \(ident: "id")"
            for record in records {
                let value: any Encodable & Sendable = switch column {
                case "fee": record.fee
                case "charge_id": record.chargeId
                default: record.receiptNumber
                }
                query += " WHEN \(bind: record.id) THEN \(bind: value)"
            }
            query += " END"
        }
        query += " WHERE \(ident: "id") IN (\(binds: records.map(\.id)))"
        try await sql.raw(query).run()
    }

    /// Which of `ids` are written already.
    func existing(_ ids: [UUID]) async throws -> Set<UUID> {
        struct Row: Decodable { let id: UUID }
        var found: Set<UUID> = []
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(ids.count, start + 500)])
            for row in try await db.reader.select().column("id").from("donations").where("id", .in, SQLBind.group(chunk)).all(decoding: Row.self) {
                found.insert(row.id)
            }
        }
        return found
    }

    func find(_ id: UUID, on sql: (any SQLDatabase)? = nil, forUpdate: Bool = false) async throws -> DonationRecord? {
        var select = (sql ?? db.reader).select().columns(DonationRecord.columns.map { SQLColumn($0) }).from("donations")
            .where("id", .equal, SQLBind(id))
        if forUpdate { select = select.for(.update) }
        return try await select.first(decoding: DonationRecord.self)
    }

    func find(chargeID: String, on sql: any SQLDatabase) async throws -> DonationRecord? {
        try await sql.select().columns(DonationRecord.columns.map { SQLColumn($0) }).from("donations")
            .where("charge_id", .equal, SQLBind(chargeID)).for(.update).first(decoding: DonationRecord.self)
    }

    /// Marks a donation succeeded and posts it to the ledger, once: a second call (the webhook
    /// after the API, or the other way round) finds it succeeded and does nothing. A charge the
    /// processor made always wins over a failure recorded earlier: never a charge without a donation.
    @discardableResult
    func markSucceeded(_ id: UUID, charge: ProcessorCharge, processor: String) async throws -> Bool {
        let now = clock.now()
        return try await db.transaction { sql in
            try await markSucceeded(id, charge: charge, processor: processor, on: sql, at: now)
        }
    }

    /// As above, inside the caller's transaction.
    func markSucceeded(_ id: UUID, charge: ProcessorCharge, processor: String, on sql: any SQLDatabase, at now: Date) async throws -> Bool {
        guard let donation = try await find(id, on: sql, forUpdate: true), donation.status != .succeeded else { return false }
        try await Self.recordSuccesses([(donation.succeeded(charge: charge, at: now), processor)], on: sql, at: now)
        return true
    }

    /// The one place a success is written, for one donation or a batch: the rows, their ledger
    /// postings and their feed events, in the caller's transaction. `records` are the donations
    /// as `DonationRecord.succeeded` makes them.
    static func recordSuccesses(_ records: [(record: DonationRecord, processor: String)], on sql: any SQLDatabase, at now: Date,
                                donorNames: [UUID: String] = [:]) async throws {
        guard !records.isEmpty else { return }
        try await markSucceeded(records.map(\.record), on: sql)
        try await postSuccesses(records, on: sql, at: now, donorNames: donorNames)
    }

    /// What follows a success once its row says so: ledger postings, totals and feed events.
    static func postSuccesses(_ records: [(record: DonationRecord, processor: String)], on sql: any SQLDatabase, at now: Date,
                              donorNames: [UUID: String] = [:]) async throws {
        guard !records.isEmpty else { return }
        // Donation rows first, then the feeds: the order every writer takes its locks in.
        try await FeedLog.lock(Set(records.map(\.record.fundraiserId)), on: sql)
        var postings: [LedgerTransaction] = []
        for (record, processor) in records {
            postings += try PostingRules.donation(
                reference: "donation:\(record.id.lowercasedString)", gross: record.gross, fee: Money(record.fee, record.currency),
                processor: processor, nonprofit: record.nonprofitId.lowercasedString, fundraiser: record.fundraiserId.uppercasedString
            )
        }
        try await LedgerStore.write(postings, on: sql, at: now)
        try await FundraiserTotals.addDonors(records.map { ($0.record.fundraiserId, $0.record.donorId) }, on: sql)
        struct Donor: Decodable { let id: UUID; let display_name: String }
        var nameByID = donorNames
        let unknown = Set(records.map(\.record.donorId)).subtracting(donorNames.keys)
        if !unknown.isEmpty {
            for donor in try await sql.select().columns("id", "display_name").from("accounts")
                .where("id", .in, SQLBind.group(Array(unknown))).all(decoding: Donor.self) { nameByID[donor.id] = donor.display_name }
        }
        let gifts: [FeedLog.NewEvent] = records.map { record, _ in
            (record.fundraiserId, .donation, FeedLog.donation(record, donorName: nameByID[record.donorId] ?? ""))
        }
        let totals = try await FeedTotals.events(for: Set(records.map(\.record.fundraiserId)), on: sql)
        try await FeedLog.append(gifts + totals, on: sql, at: now)
    }

    func markUnpaid(_ id: UUID, status: DonationStatus, code: String, message: String) async throws {
        let now = clock.now()
        try await db.transaction { sql in
            guard let donation = try await find(id, on: sql, forUpdate: true), donation.status == .pending else { return }
            try await sql.update("donations")
                .set("status", to: SQLBind(status.rawValue)).set("failure_code", to: SQLBind(code))
                .set("failure_message", to: SQLBind(message)).set("completed_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(id)).run()
        }
    }

    /// Pending donations older than `age`: a crash or a lost answer left them; the processor knows.
    func stalePending(olderThan age: TimeInterval) async throws -> [DonationRecord] {
        try await db.sql.select().columns(DonationRecord.columns.map { SQLColumn($0) }).from("donations")
            .where("status", .equal, SQLBind(DonationStatus.pending.rawValue))
            .where("created_at", .lessThan, SQLBind(clock.now().addingTimeInterval(-age)))
            .limit(1000).all(decoding: DonationRecord.self)
    }

    struct PublicDonation: Decodable, Sendable {
        let id: UUID
        let amount: Int64
        let fee: Int64
        let refunded: Int64
        let currency: String
        let message: String?
        let visibility: String
        let handle: String
        let display_name: String
        let completed_at: Date?
        /// The host of the live hid the message.
        let message_hidden: Bool?
    }

    func recent(fundraiser: UUID, limit: Int) async throws -> [PublicDonation] {
        try await db.reader.select()
            .columns(SQLColumn("id", table: "d"), SQLColumn("amount", table: "d"), SQLColumn("fee", table: "d"), SQLColumn("refunded", table: "d"),
                     SQLColumn("currency", table: "d"), SQLColumn("message", table: "d"), SQLColumn("visibility", table: "d"),
                     SQLColumn("handle", table: "a"), SQLColumn("display_name", table: "a"), SQLColumn("completed_at", table: "d"),
                     SQLColumn("message_hidden", table: "d"))
            .from(SQLAlias(SQLIdentifier("donations"), as: SQLIdentifier("d")))
            .join(SQLAlias(SQLIdentifier("accounts"), as: SQLIdentifier("a")), on: SQLColumn("id", table: "a"), .equal, SQLColumn("donor_id", table: "d"))
            .where(SQLColumn("fundraiser_id", table: "d"), .equal, SQLBind(fundraiser))
            .where(SQLColumn("status", table: "d"), .equal, SQLBind(DonationStatus.succeeded.rawValue))
            .orderBy(SQLColumn("completed_at", table: "d"), SQLDirection.descending)
            .limit(limit).all(decoding: PublicDonation.self)
    }

    func donorCount(fundraiser: UUID) async throws -> Int {
        Int(try await FundraiserTotals.donors(fundraisers: [fundraiser], on: db.reader)[fundraiser] ?? 0)
    }

    /// What a succeeded donation's receipt says of it: the refunds the processor has made (those
    /// still pending excluded) and what the nonprofit keeps (`ReceiptAmounts.kept`).
    func receiptAmounts(of donation: DonationRecord) async throws -> (refundsMade: Int64, kept: Int64) {
        struct Total: Decodable { let total: Int64? }
        let refundsMade = try await db.reader.select().column(sqlSum("amount"), as: "total").from("refunds")
            .where("donation_id", .equal, SQLBind(donation.id)).where("status", .equal, SQLBind("succeeded"))
            .first(decoding: Total.self)?.total ?? 0
        return (refundsMade, ReceiptAmounts.kept(gross: donation.amount, refundsMade: refundsMade, dispute: donation.dispute))
    }

    /// A nonprofit's donations for its team, newest first, of one fundraiser or status if asked.
    func donations(toNonprofit nonprofit: UUID, fundraiser: UUID? = nil, status: DonationStatus? = nil,
                   page: Int = 1, perPage: Int = 50) async throws -> Page<DonationRecord> {
        func filtered(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
            var select = select.where("nonprofit_id", .equal, SQLBind(nonprofit))
            if let fundraiser { select = select.where("fundraiser_id", .equal, SQLBind(fundraiser)) }
            if let status { select = select.where("status", .equal, SQLBind(status.rawValue)) }
            return select
        }
        struct Count: Decodable { let n: Int }
        let total = try await filtered(db.reader.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("donations"))
            .first(decoding: Count.self)?.n ?? 0
        let items = try await filtered(db.reader.select().columns(DonationRecord.columns.map { SQLColumn($0) }).from("donations"))
            .orderBy("created_at", .descending).orderBy("id").limit(perPage).offset((page - 1) * perPage)
            .all(decoding: DonationRecord.self)
        return Page(items: items, page: page, perPage: perPage, total: total)
    }

    func donations(of donor: UUID, page: Int = 1, perPage: Int = 100) async throws -> Page<DonationRecord> {
        struct Count: Decodable { let n: Int }
        let total = try await db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("donations")
            .where("donor_id", .equal, SQLBind(donor)).first(decoding: Count.self)?.n ?? 0
        let items = try await db.sql.select().columns(DonationRecord.columns.map { SQLColumn($0) }).from("donations")
            .where("donor_id", .equal, SQLBind(donor)).orderBy("created_at", .descending).orderBy("id")
            .limit(perPage).offset((page - 1) * perPage)
            .all(decoding: DonationRecord.self)
        return Page(items: items, page: page, perPage: perPage, total: total)
    }
}

/// A donation about to be written, already validated.
struct NewDonation: Sendable {
    /// Known once the processor has answered (see `DonationCharge.id`).
    var id: UUID
    let fundraiserId: UUID
    let nonprofitId: UUID
    let donor: UUID
    let gift: Money
    let gross: Money
    let estimatedFee: Money
    let coverFees: Bool
    let message: String?
    let visibility: DonationVisibility
    let paymentToken: String
    let processor: String
}
