import Foundation
import GoodcastCore
import SQLKit

/// What the host does while live: thank a donor or everyone, hide a donor's message, set up the
/// stream overlay. Every action the viewers see is a feed event written with its change.
struct LiveHostService: Sendable {
    let db: AppDatabase
    let clock: AppClock
    let lives: LiveService

    static let thanksMax = 280

    func requireHost(_ id: UUID, _ account: AccountRecord) async throws -> LiveRecord {
        guard let live = try await lives.find(id) else { throw Problem.notFound("live \(id)") }
        guard live.hostId == account.id else { throw Problem.forbidden("only the host of this live can do this") }
        return live
    }

    /// Thanks one donor (`donationId`) or, without one, everyone.
    func thank(_ id: UUID, input: ThanksInput, by account: AccountRecord) async throws -> FeedEvent {
        let live = try await requireHost(id, account)
        var issues = ValidationIssues()
        let message = issues.check { () throws(ValidationIssue) in try TextSanitizer.optional(input.message, field: "message", max: Self.thanksMax) }
        var donationID: UUID?
        if let raw = input.donationId {
            donationID = UUID(uuidString: raw)
            if donationID == nil { issues.add("donationId", "must be a donation id") }
        }
        if !issues.isEmpty { throw Problem.validation(issues) }
        var data: [String: FeedValue] = [:]
        if let message = message ?? nil { data["message"] = .text(message) }
        if let donationID {
            let donation = try await supporter(donationID, of: live)
            data["donationId"] = .text(donationID.lowercasedString)
            data["donor"] = .text(donation.publicName)
        } else {
            data["everyone"] = .text("true")
        }
        let now = clock.now()
        let feed = live.feedId
        let event = data
        return try await db.transaction { sql in
            try await FeedLog.append([(feed, .thanks, event)], on: sql, at: now)
            let seq = try await FeedLog.lastSeq(feed: feed, on: sql)
            return FeedEvent(seq: seq, kind: FeedKind.thanks.rawValue, at: now, data: event)
        }
    }

    /// Hides a donor's message everywhere: on the fundraiser, in the log (the donation's event
    /// loses its message) and on every viewer's screen (a `message_hidden` event). Idempotent.
    func hideMessage(_ id: UUID, donation donationID: UUID, by account: AccountRecord) async throws {
        let live = try await requireHost(id, account)
        let donation = try await supporter(donationID, of: live)
        guard !donation.hidden else { return }
        let now = clock.now()
        let feed = live.feedId
        let idText = donationID.lowercasedString
        try await db.transaction { sql in
            try await sql.update("donations").set("message_hidden", to: SQLBind(true)).where("id", .equal, SQLBind(donationID)).run()
            struct Row: Decodable { let seq: Int64; let payload: String }
            let events = try await sql.select().columns("seq", "payload").from("feed_events")
                .where("feed_id", .equal, SQLBind(feed)).where("kind", .equal, SQLBind(FeedKind.donation.rawValue))
                .where("payload", .like, SQLBind("%\(idText)%")).all(decoding: Row.self)
            for event in events {
                guard var data = try? JSONDecoder().decode([String: FeedValue].self, from: Data(event.payload.utf8)) else { continue }
                data["message"] = nil
                try await sql.update("feed_events").set("payload", to: SQLBind(try APIJSON.string(data)))
                    .where("feed_id", .equal, SQLBind(feed)).where("seq", .equal, SQLBind(event.seq)).run()
            }
            try await FeedLog.append([(feed, .messageHidden, ["donationId": .text(idText)])], on: sql, at: now)
        }
    }

    struct Supporter: Decodable, Sendable {
        let id: UUID
        let amount: Int64
        let currency: String
        let message: String?
        let visibility: String
        let display_name: String
        let message_hidden: Bool?
        let completed_at: Date?

        var hidden: Bool { message_hidden ?? false }
        var publicName: String { visibility == DonationVisibility.anonymous.rawValue ? "Anonymous" : display_name }
    }

    /// The live's supporters in the order they gave, as the host's dashboard lists them.
    func supporters(_ id: UUID, by account: AccountRecord, limit: Int = 500) async throws -> [Supporter] {
        let live = try await requireHost(id, account)
        guard let fundraiser = live.fundraiserId else { return [] }
        return try await supporterQuery().where(SQLColumn("fundraiser_id", table: "d"), .equal, SQLBind(fundraiser))
            .orderBy(SQLColumn("completed_at", table: "d")).limit(limit).all(decoding: Supporter.self)
    }

    private func supporter(_ donationID: UUID, of live: LiveRecord) async throws -> Supporter {
        guard let fundraiser = live.fundraiserId,
              let found = try await supporterQuery().where(SQLColumn("id", table: "d"), .equal, SQLBind(donationID))
                .where(SQLColumn("fundraiser_id", table: "d"), .equal, SQLBind(fundraiser)).first(decoding: Supporter.self)
        else { throw Problem.notFound("donation \(donationID) to this live") }
        return found
    }

    private func supporterQuery() -> SQLSelectBuilder {
        db.reader.select()
            .columns(SQLColumn("id", table: "d"), SQLColumn("amount", table: "d"), SQLColumn("currency", table: "d"),
                     SQLColumn("message", table: "d"), SQLColumn("visibility", table: "d"), SQLColumn("display_name", table: "a"),
                     SQLColumn("message_hidden", table: "d"), SQLColumn("completed_at", table: "d"))
            .from(SQLAlias(SQLIdentifier("donations"), as: SQLIdentifier("d")))
            .join(SQLAlias(SQLIdentifier("accounts"), as: SQLIdentifier("a")), on: SQLColumn("id", table: "a"), .equal, SQLColumn("donor_id", table: "d"))
            .where(SQLColumn("status", table: "d"), .equal, SQLBind(DonationStatus.succeeded.rawValue))
    }

    /// The overlay's settings; a new key cuts off the old address.
    func updateOverlay(_ id: UUID, input: OverlayInput, by account: AccountRecord) async throws -> LiveRecord {
        let live = try await requireHost(id, account)
        var issues = ValidationIssues()
        if let min = input.minAmount, min < 0 || min > 100_000_000_00 { issues.add("minAmount", "must be between 0 and 10,000,000,000 minor units") }
        if !issues.isEmpty { throw Problem.validation(issues) }
        var update = db.sql.update("lives")
        update = update.set("overlay_min_amount", to: SQLBind(input.minAmount ?? live.overlayMinAmount ?? 0))
        update = update.set("overlay_show_amounts", to: SQLBind(input.showAmounts ?? live.overlayShowAmounts ?? true))
        if input.rotateKey == true || live.overlayKey == nil { update = update.set("overlay_key", to: SQLBind(Secrets.token())) }
        try await update.where("id", .equal, SQLBind(id)).run()
        return try await lives.find(id)!
    }
}
