import Foundation
import GoodcastCore
import SQLKit

/// Lives: a creator or a nonprofit's team goes live, optionally raising money for a verified
/// nonprofit (which creates the fundraiser the live's donations go to) or selling tickets.
struct LiveService: Sendable {
    let db: AppDatabase
    let clock: AppClock
    let fundraisers: FundraiserService
    let accounts: AccountStore

    static let titleMax = 120
    static let languages: Set<String> = ["en", "fr", "it", "es", "de", "pt", "ja", "ko", "zh", "ar", "hi", "nl", "sv", "pl", "tr"]

    func create(_ input: LiveInput, by host: AccountRecord) async throws -> LiveRecord {
        var issues = ValidationIssues()
        let title = issues.check { () throws(ValidationIssue) in try TextSanitizer.required(input.title, field: "title", max: Self.titleMax) }
        let description = issues.check { () throws(ValidationIssue) in
            try TextSanitizer.optional(input.description, field: "description", max: 5000, allowNewlines: true)
        }
        let language = (input.language ?? "en").lowercased()
        if !Self.languages.contains(language) { issues.add("language", "must be one of \(Self.languages.sorted().joined(separator: ", "))") }
        var scheduledAt: Date?
        if let raw = input.scheduledAt {
            scheduledAt = issues.check { () throws(ValidationIssue) in try DateParameter.parse(raw, field: "scheduledAt") }
        }
        var playback: String?
        if let raw = input.playbackUrl {
            playback = issues.check { () throws(ValidationIssue) in
                let url = try WebAddress.parse(raw, field: "playbackUrl")
                guard url.lowercased().hasPrefix("https://") else { throw ValidationIssue(field: "playbackUrl", message: "must be an https address (an HLS stream or a YouTube, Twitch or other embed)") }
                return url
            }
        }
        var ticket: Money?
        if let part = input.ticket {
            ticket = issues.check { () throws(ValidationIssue) in
                guard let price = part.price else { throw ValidationIssue(field: "ticket.price", message: "is required") }
                let money = try price.parse(field: "ticket.price")
                try DonationLimits.standard.check(money, field: "ticket.price.amount")
                return money
            }
        }
        var ticketPayee: UUID?
        if let raw = input.ticket?.nonprofitId {
            ticketPayee = UUID(uuidString: raw)
            if ticketPayee == nil { issues.add("ticket.nonprofitId", "must be the id of a verified nonprofit") }
        }
        if !issues.isEmpty { throw Problem.validation(issues) }
        if let ticketPayee {
            guard try await fundraisers.nonprofits.find(id: ticketPayee)?.status == .verified else {
                throw Problem.validation(ValidationIssue(field: "ticket.nonprofitId", message: "is not a verified nonprofit"))
            }
        }
        var fundraiserID: UUID?
        if let part = input.fundraiser {
            let fundraiser = try await fundraisers.create(
                FundraiserInput(nonprofitId: part.nonprofitId, title: title!, description: description ?? nil, goal: part.goal, endsAt: nil), by: host
            )
            fundraiserID = fundraiser.id
        }
        let id = UUID()
        try await db.sql.insert(into: "lives").columns(LiveRecord.columns)
            .values(SQLBind(id), SQLBind(host.id), SQLBind(title!), SQLBind(description ?? nil), SQLBind(language), SQLBind(scheduledAt),
                    SQLBind(playback), SQLBind(LiveStatus.scheduled.rawValue), SQLBind(fundraiserID), SQLBind(ticket?.amount),
                    SQLBind(ticket?.currency.code), SQLBind(Date?.none), SQLBind(Date?.none), SQLBind(clock.now()),
                    SQLBind(Secrets.token()), SQLBind(Int64(0)), SQLBind(true), SQLBind(ticketPayee))
            .run()
        return try await find(id)!
    }

    func find(_ id: UUID) async throws -> LiveRecord? {
        try await db.reader.select().columns(LiveRecord.columns.map { SQLColumn($0) }).from("lives")
            .where("id", .equal, SQLBind(id)).first(decoding: LiveRecord.self)
    }

    /// scheduled → live → ended; only the host moves it.
    func transition(_ id: UUID, to status: LiveStatus, by account: AccountRecord) async throws -> LiveRecord {
        guard let live = try await find(id) else { throw Problem.notFound("live \(id)") }
        guard live.hostId == account.id else { throw Problem.forbidden("only the host can start or end this live") }
        let now = clock.now()
        // The change and its feed event commit together.
        func move(_ column: String, _ kind: FeedKind) async throws {
            try await db.transaction { sql in
                // Two concurrent starts: the second finds it started and writes no second event.
                struct Row: Decodable { let status: String }
                let current = try await sql.select().column("status").from("lives").where("id", .equal, SQLBind(id)).for(.update).first(decoding: Row.self)
                guard current?.status == live.statusName else { return }
                try await sql.update("lives").set("status", to: SQLBind(status.rawValue)).set(SQLIdentifier(column), to: SQLBind(now))
                    .where("id", .equal, SQLBind(id)).run()
                try await FeedLog.append([(live.feedId, kind, ["liveId": .text(id.lowercasedString), "title": .text(live.title)])], on: sql, at: now)
            }
        }
        switch (live.status, status) {
        case (.scheduled, .live):
            try await move("started_at", .liveStarted)
        case (.live, .ended), (.scheduled, .ended):
            try await move("ended_at", .liveEnded)
        case (let from, let to) where from == to:
            break // A repeated start or end changes nothing.
        default:
            throw Problem.conflict("a live that is \(live.statusName) cannot become \(status.rawValue)")
        }
        return try await find(id)!
    }

    func output(_ live: LiveRecord, viewer: AccountRecord?) async throws -> LiveOutput {
        let host = try await accounts.find(id: live.hostId)
        // Paid-entry lives show where the video plays to the host and ticket holders only.
        let showPlayback = try await mayWatch(live, account: viewer, key: nil)
        return LiveOutput(
            id: live.id, host: host?.handle ?? "", title: live.title, description: live.description, language: live.language,
            status: live.statusName, scheduledAt: live.scheduledAt, startedAt: live.startedAt, endedAt: live.endedAt,
            playbackUrl: showPlayback ? live.playbackUrl : nil, fundraiserId: live.fundraiserId,
            ticketPrice: live.ticketPrice.map(MoneyOutput.init), canWatch: showPlayback, createdAt: live.createdAt
        )
    }
}

extension LiveService {
    /// Who may follow a live's feed and see its video: anyone on a free live; on a paid-entry
    /// live the host, a holder of a valid ticket, or the host's overlay (by its key).
    func mayWatch(_ live: LiveRecord, account: AccountRecord?, key: String?) async throws -> Bool {
        if let key, let overlayKey = live.overlayKey, Secrets.constantTimeEquals(key, overlayKey) { return true }
        guard live.ticketPrice != nil else { return true }
        guard let account else { return false }
        if account.id == live.hostId { return true }
        return try await hasTicket(live.id, account: account.id)
    }

    func requireWatch(_ live: LiveRecord, account: AccountRecord?, key: String?) async throws {
        guard try await mayWatch(live, account: account, key: key) else {
            if account == nil { throw Problem(.unauthenticated, detail: "this is a paid-entry live: sign in with a ticket to watch it") }
            throw Problem(.ticketRequired, detail: "this is a paid-entry live: buy a ticket to watch it")
        }
    }
}

extension LiveService {
    func hasTicket(_ live: UUID, account: UUID) async throws -> Bool {
        struct Row: Decodable { let id: UUID }
        return try await db.reader.select().column("id").from("live_tickets")
            .where("live_id", .equal, SQLBind(live)).where("account_id", .equal, SQLBind(account))
            .where("status", .equal, SQLBind("active")).first(decoding: Row.self) != nil
    }
}
