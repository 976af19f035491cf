import Foundation
import GoodcastCore
import SQLKit

/// Campaigns: a platform admin creates one (#GivingSzn) with its dates and participating
/// nonprofits; hosts put their lives on its program; the campaign shows what is on now and its
/// total across the program's fundraisers.
struct CampaignService: Sendable {
    let db: AppDatabase
    let clock: AppClock
    let lives: LiveService
    let accounts: AccountStore
    let nonprofits: NonprofitStore

    struct CampaignRecord: Decodable, Sendable {
        let id: UUID
        let slug: String
        let title: String
        let description: String?
        let starts_at: Date
        let ends_at: Date
        static let columns = ["id", "slug", "title", "description", "starts_at", "ends_at"]
    }

    func create(_ input: CampaignInput, by account: AccountRecord) async throws -> CampaignRecord {
        var issues = ValidationIssues()
        let slug = issues.check { () throws(ValidationIssue) in try CampaignSlug.parse(input.slug) }
        let title = issues.check { () throws(ValidationIssue) in try TextSanitizer.required(input.title, field: "title", max: 120) }
        let description = issues.check { () throws(ValidationIssue) in
            try TextSanitizer.optional(input.description, field: "description", max: 5000, allowNewlines: true)
        }
        let startsAt = issues.check { () throws(ValidationIssue) in
            guard let raw = input.startsAt else { throw ValidationIssue(field: "startsAt", message: "is required") }
            return try DateParameter.parse(raw, field: "startsAt")
        }
        let endsAt = issues.check { () throws(ValidationIssue) in
            guard let raw = input.endsAt else { throw ValidationIssue(field: "endsAt", message: "is required") }
            return try DateParameter.parse(raw, field: "endsAt")
        }
        if let startsAt, let endsAt, endsAt <= startsAt { issues.add("endsAt", "must be after startsAt") }
        let ids = (input.nonprofitIds ?? []).map { UUID(uuidString: $0) }
        if ids.contains(nil) { issues.add("nonprofitIds", "must be ids of verified nonprofits") }
        if ids.count > 500 { issues.add("nonprofitIds", "at most 500") }
        if !issues.isEmpty { throw Problem.validation(issues) }
        let participants = Array(Set(ids.compactMap { $0 }))
        for id in participants {
            guard try await nonprofits.find(id: id)?.status == .verified else {
                throw Problem.validation(ValidationIssue(field: "nonprofitIds", message: "\(id) is not a verified nonprofit"))
            }
        }
        let id = UUID()
        let now = clock.now()
        do {
            try await db.transaction { sql in
                try await sql.insert(into: "campaigns").columns("id", "slug", "title", "description", "starts_at", "ends_at", "created_by", "created_at")
                    .values(SQLBind(id), SQLBind(slug!), SQLBind(title!), SQLBind(description ?? nil), SQLBind(startsAt!), SQLBind(endsAt!),
                            SQLBind(account.id), SQLBind(now)).run()
                if !participants.isEmpty {
                    try await sql.insert(into: "campaign_nonprofits").columns("campaign_id", "nonprofit_id")
                        .rows(participants.map { [SQLBind(id), SQLBind($0)] }).run()
                }
            }
        } catch where error.isConstraintViolation {
            throw Problem.conflict("a campaign with the slug \(slug!) exists already")
        }
        return try await find(slug: slug!)!
    }

    func find(slug: String) async throws -> CampaignRecord? {
        guard let slug = try? CampaignSlug.parse(slug) else { return nil }
        return try await db.reader.select().columns(CampaignRecord.columns.map { SQLColumn($0) }).from("campaigns")
            .where("slug", .equal, SQLBind(slug)).first(decoding: CampaignRecord.self)
    }

    func require(slug: String) async throws -> CampaignRecord {
        guard let campaign = try await find(slug: slug) else { throw Problem.notFound("campaign \(slug.prefix(60))") }
        return campaign
    }

    /// Puts a live on the program: its host or an admin; a live that raises money must raise it
    /// for a participating nonprofit.
    func addLive(_ liveID: UUID, to campaign: CampaignRecord, by account: AccountRecord) async throws {
        guard let live = try await lives.find(liveID) else { throw Problem.notFound("live \(liveID)") }
        guard live.hostId == account.id || account.role == .platformAdmin else { throw Problem.forbidden("only the live's host or an admin can add it to a campaign") }
        guard live.scheduledAt != nil || live.status != .scheduled else {
            throw Problem.validation(ValidationIssue(field: "liveId", message: "the live needs a scheduled start to be on a program"))
        }
        if let fundraiserID = live.fundraiserId {
            struct Row: Decodable { let nonprofit_id: UUID }
            let fundraiser = try await db.reader.select().column("nonprofit_id").from("fundraisers").where("id", .equal, SQLBind(fundraiserID)).first(decoding: Row.self)
            let participating = try await participants(campaign.id).contains { $0.id == fundraiser?.nonprofit_id }
            guard participating else { throw Problem.validation(ValidationIssue(field: "liveId", message: "the live raises money for a nonprofit that is not in this campaign")) }
        }
        do {
            try await db.sql.insert(into: "campaign_lives").columns("campaign_id", "live_id").values(SQLBind(campaign.id), SQLBind(liveID)).run()
        } catch where error.isConstraintViolation {
            return // Already on the program.
        }
    }

    func addNonprofit(_ nonprofitID: UUID, to campaign: CampaignRecord) async throws {
        guard try await nonprofits.find(id: nonprofitID)?.status == .verified else {
            throw Problem.validation(ValidationIssue(field: "nonprofitId", message: "is not a verified nonprofit"))
        }
        do {
            try await db.sql.insert(into: "campaign_nonprofits").columns("campaign_id", "nonprofit_id").values(SQLBind(campaign.id), SQLBind(nonprofitID)).run()
        } catch where error.isConstraintViolation {
            return
        }
    }

    func participants(_ campaignID: UUID) async throws -> [CampaignOutput.Nonprofit] {
        struct Row: Decodable { let id: UUID; let name: String }
        return try await db.reader.select().column(SQLColumn("id", table: "n")).column(SQLColumn("name", table: "n"))
            .from(SQLAlias(SQLIdentifier("campaign_nonprofits"), as: SQLIdentifier("c")))
            .join(SQLAlias(SQLIdentifier("nonprofits"), as: SQLIdentifier("n")), on: SQLColumn("id", table: "n"), .equal, SQLColumn("nonprofit_id", table: "c"))
            .where(SQLColumn("campaign_id", table: "c"), .equal, SQLBind(campaignID)).orderBy(SQLColumn("name", table: "n"))
            .all(decoding: Row.self).map { .init(id: $0.id, name: $0.name) }
    }

    func output(_ campaign: CampaignRecord) async throws -> CampaignOutput {
        let liveIDs = try await db.reader.select().column("live_id").from("campaign_lives").where("campaign_id", .equal, SQLBind(campaign.id))
            .all(decoding: LiveID.self).map(\.live_id)
        var program: [CampaignOutput.ProgramLive] = []
        var fundraisers: [UUID] = []
        if !liveIDs.isEmpty {
            let records = try await db.reader.select().columns(LiveRecord.columns.map { SQLColumn($0) }).from("lives")
                .where("id", .in, SQLBind.group(liveIDs)).all(decoding: LiveRecord.self)
            for live in records {
                let host = try await accounts.find(id: live.hostId)
                program.append(.init(id: live.id, title: live.title, host: host?.handle ?? "", status: live.statusName,
                                     scheduledAt: live.scheduledAt, startedAt: live.startedAt, fundraiserId: live.fundraiserId))
                if let fundraiser = live.fundraiserId { fundraisers.append(fundraiser) }
            }
        }
        program.sort { ($0.scheduledAt ?? $0.startedAt ?? .distantFuture) < ($1.scheduledAt ?? $1.startedAt ?? .distantFuture) }
        var totals: [String: Int64] = [:]
        if !fundraisers.isEmpty {
            for perCurrency in try await LedgerStore.raised(fundraisers: fundraisers, on: db.reader).values {
                for (currency, amount) in perCurrency { totals[currency, default: 0] += amount }
            }
        }
        return CampaignOutput(
            id: campaign.id, slug: campaign.slug, title: campaign.title, description: campaign.description,
            startsAt: campaign.starts_at, endsAt: campaign.ends_at, nonprofits: try await participants(campaign.id),
            program: program, onNow: program.filter { $0.status == LiveStatus.live.rawValue },
            raised: totals.sorted { $0.key < $1.key }.compactMap { code, amount in Currency.supported[code].map { MoneyOutput(Money(amount, $0)) } }
        )
    }

    private struct LiveID: Decodable { let live_id: UUID }
}
