import Foundation
import GoodcastCore
import SQLKit

/// Ad credits and promotions. Credits are granted by platform admins and spent by a nonprofit's
/// team on promoting a challenge or a live. Every change of a balance is one conditional
/// UPDATE (`balance >= spend`, `spent + charge <= budget`) inside the transaction that posts it
/// to the ledger: neither can go below zero, whatever runs at the same time.
struct PromotionService: Sendable {
    let db: AppDatabase
    let clock: AppClock
    let nonprofits: NonprofitService
    let challenges: ChallengeService
    let lives: LiveService
    let idempotency: IdempotencyStore
    /// Credits each impression shown costs.
    let rate: Int64

    static let maxGrant: Int64 = 1_000_000_000

    func grant(to nonprofitID: UUID, input: CreditGrantInput, key: String, body: Data, by admin: AccountRecord) async throws -> IdempotencyStore.StoredResponse {
        let scope = "credits:\(admin.id.lowercasedString)"
        let fingerprint = DonationService.fingerprint("POST /admin/nonprofits/\(nonprofitID.lowercasedString)/ad-credits", body)
        if let existing = try await idempotency.find(scope: scope, key: key) {
            if case .replay(let response) = try IdempotencyStore.prior(existing, fingerprint: fingerprint, what: "grant") { return response }
        }
        guard let credits = input.credits, credits > 0, credits <= Self.maxGrant else {
            throw Problem.validation(ValidationIssue(field: "credits", message: "must be a whole number of credits from 1 to \(Self.maxGrant)"))
        }
        guard let nonprofit = try await nonprofits.store.find(id: nonprofitID), nonprofit.status == .verified else {
            throw Problem.notFound("verified nonprofit \(nonprofitID)")
        }
        let grantID = UUID()
        let now = clock.now()
        do {
            return try await db.transaction { sql in
                try await IdempotencyStore.insert(scope: scope, key: key, fingerprint: fingerprint, resource: grantID, at: now, on: sql)
                try await sql.insert(into: "nonprofit_ad_credits").columns("nonprofit_id", "balance", "updated_at")
                    .values(SQLBind(nonprofitID), SQLBind(Int64(0)), SQLBind(now)).ignoringConflicts().run()
                try await sql.update("nonprofit_ad_credits").set("balance", to: SQLBinaryExpression(SQLColumn("balance"), .add, SQLBind(credits)))
                    .set("updated_at", to: SQLBind(now)).where("nonprofit_id", .equal, SQLBind(nonprofitID)).run()
                try await LedgerStore.write([try PostingRules.creditGrant(
                    reference: "credit-grant:\(grantID.lowercasedString)", credits: Money(credits, .adCredits), nonprofit: nonprofitID.lowercasedString
                )], on: sql, at: now)
                let balance = try await Self.balance(nonprofitID, on: sql)
                let response = IdempotencyStore.StoredResponse(status: 201, body: try APIJSON.string(AdCreditsOutput(nonprofitId: nonprofitID, balance: balance, promotions: [])))
                try await IdempotencyStore.complete(scope: scope, key: key, response: response, on: sql)
                return response
            }
        } catch where error.isConstraintViolation {
            throw Problem(.requestInProgress, detail: "a grant with this Idempotency-Key is being processed; retry in a moment", headers: [.retryAfter: "1"])
        }
    }

    static func balance(_ nonprofit: UUID, on sql: any SQLDatabase) async throws -> Int64 {
        struct Row: Decodable { let balance: Int64 }
        return try await sql.select().column("balance").from("nonprofit_ad_credits").where("nonprofit_id", .equal, SQLBind(nonprofit))
            .first(decoding: Row.self)?.balance ?? 0
    }

    func credits(of nonprofitID: UUID, by account: AccountRecord) async throws -> AdCreditsOutput {
        _ = try await nonprofits.requireMember(nonprofitID, account: account)
        let promotions = try await db.reader.select().columns(PromotionRecord.columns.map { SQLColumn($0) }).from("promotions")
            .where("nonprofit_id", .equal, SQLBind(nonprofitID)).orderBy("created_at", .descending).limit(200).all(decoding: PromotionRecord.self)
        var outputs: [PromotionOutput] = []
        for promotion in promotions { outputs.append(try await output(promotion)) }
        return AdCreditsOutput(nonprofitId: nonprofitID, balance: try await Self.balance(nonprofitID, on: db.sql), promotions: outputs)
    }

    /// Sets credits aside to promote one of the nonprofit's challenges or lives for a period.
    func promote(_ nonprofitID: UUID, input: PromotionInput, by account: AccountRecord) async throws -> PromotionRecord {
        _ = try await nonprofits.requireMember(nonprofitID, account: account)
        var issues = ValidationIssues()
        let budget = input.budget ?? 0
        if budget < rate || budget > Self.maxGrant { issues.add("budget", "must be a whole number of credits from \(rate) (one impression) to \(Self.maxGrant)") }
        let now = clock.now()
        var startsAt = now
        if let raw = input.startsAt { startsAt = issues.check { () throws(ValidationIssue) in try DateParameter.parse(raw, field: "startsAt") } ?? now }
        var endsAt: Date?
        if let raw = input.endsAt { endsAt = issues.check { () throws(ValidationIssue) in try DateParameter.parse(raw, field: "endsAt") } } else { issues.add("endsAt", "is required") }
        if let endsAt, endsAt <= max(now, startsAt) { issues.add("endsAt", "must be in the future and after startsAt") }
        if (input.challenge == nil) == (input.liveId == nil) { issues.add("challenge", "give either a challenge's hashtag or a liveId") }
        if !issues.isEmpty { throw Problem.validation(issues) }
        var challengeID: UUID?, liveID: UUID?
        if let hashtag = input.challenge {
            let challenge = try await challenges.find(hashtag: hashtag)
            guard challenge.nonprofitId == nonprofitID, challenge.branded else { throw Problem.forbidden("a nonprofit promotes only its own branded challenges") }
            guard challenge.status(at: now) != .ended else { throw Problem.conflict("#\(challenge.hashtag) has ended") }
            challengeID = challenge.id
        } else if let raw = input.liveId {
            guard let id = UUID(uuidString: raw), let live = try await lives.find(id) else { throw Problem.validation(ValidationIssue(field: "liveId", message: "is not a live")) }
            var beneficiary: UUID?
            if let fundraiser = live.fundraiserId {
                beneficiary = try await db.reader.select().column("nonprofit_id").from("fundraisers").where("id", .equal, SQLBind(fundraiser))
                    .first(decoding: NonprofitColumn.self)?.nonprofit_id
            }
            guard beneficiary == nonprofitID || live.ticketNonprofitId == nonprofitID else { throw Problem.forbidden("a nonprofit promotes only lives that raise money for it") }
            guard live.status == .scheduled || live.status == .live else { throw Problem.conflict("this live is \(live.statusName)") }
            liveID = id
        }
        let id = UUID()
        let (start, end, rate) = (startsAt, endsAt!, self.rate)
        let (challenge, live) = (challengeID, liveID)
        try await db.transaction { sql in
            struct Row: Decodable { let balance: Int64 }
            // The spend and its check are one statement: two promotions at once cannot both use the last credits.
            let spent = try await sql.update("nonprofit_ad_credits").set("balance", to: SQLBinaryExpression(SQLColumn("balance"), .subtract, SQLBind(budget)))
                .set("updated_at", to: SQLBind(now))
                .where("nonprofit_id", .equal, SQLBind(nonprofitID)).where("balance", .greaterThanOrEqual, SQLBind(budget))
                .returning("balance").all(decoding: Row.self)
            guard spent.count == 1 else {
                throw Problem.conflict("not enough ad credits: \(try await Self.balance(nonprofitID, on: sql)) left, \(budget) asked")
            }
            try await sql.insert(into: "promotions").columns(PromotionRecord.columns)
                .values(SQLBind(id), SQLBind(nonprofitID), SQLBind(challenge), SQLBind(live), SQLBind(budget), SQLBind(Int64(0)), SQLBind(rate), SQLBind(Int64(0)),
                        SQLBind("active"), SQLBind(start), SQLBind(end), SQLBind(account.id), SQLBind(now), SQLBind(Date?.none))
                .run()
            try await LedgerStore.write([try PostingRules.promotionFunding(
                reference: "promotion:\(id.lowercasedString)", credits: Money(budget, .adCredits),
                nonprofit: nonprofitID.lowercasedString, promotion: id.lowercasedString
            )], on: sql, at: now)
        }
        return try await find(id)!
    }

    struct NonprofitColumn: Decodable { let nonprofit_id: UUID }

    func find(_ id: UUID) async throws -> PromotionRecord? {
        try await db.sql.select().columns(PromotionRecord.columns.map { SQLColumn($0) }).from("promotions").where("id", .equal, SQLBind(id))
            .first(decoding: PromotionRecord.self)
    }

    func output(_ promotion: PromotionRecord) async throws -> PromotionOutput {
        var target = PromotionOutput.Target(kind: "challenge", id: promotion.challengeId ?? promotion.liveId ?? promotion.id, name: "")
        if let id = promotion.challengeId, let challenge = try await challenges.find(id: id) {
            target = .init(kind: "challenge", id: id, name: "#\(challenge.hashtag)")
        } else if let id = promotion.liveId, let live = try await lives.find(id) {
            target = .init(kind: "live", id: id, name: live.title)
        }
        return PromotionOutput(id: promotion.id, nonprofitId: promotion.nonprofitId, target: target, budget: promotion.budget, spent: promotion.spent,
                               impressions: promotion.impressions, creditsPerImpression: promotion.rate, status: promotion.status,
                               startsAt: promotion.startsAt, endsAt: promotion.endsAt, createdAt: promotion.createdAt)
    }
}

