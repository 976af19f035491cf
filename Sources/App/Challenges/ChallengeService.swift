import Foundation
import GoodcastCore
import SQLKit

/// Hashtag challenges: created by a verified nonprofit's team (branded) or a platform admin
/// (unbranded), found by their hashtag in any case or form, listed for discovery, with their stats.
struct ChallengeService: Sendable {
    let db: AppDatabase
    let clock: AppClock
    let nonprofits: NonprofitStore
    let accounts: AccountStore
    /// Counts the impressions of promoted challenges that listings show.
    let impressions: ImpressionCounter

    static let titleMax = 120

    func create(_ input: ChallengeInput, by account: AccountRecord) async throws -> ChallengeRecord {
        var issues = ValidationIssues()
        let tag = issues.check { () throws(ValidationIssue) in try Self.hashtag(input.hashtag) }
        let title = issues.check { () throws(ValidationIssue) in try TextSanitizer.required(input.title, field: "title", max: Self.titleMax) }
        let description = issues.check { () throws(ValidationIssue) in try TextSanitizer.optional(input.description, field: "description", max: 5000, allowNewlines: true) }
        let rules = issues.check { () throws(ValidationIssue) in try TextSanitizer.optional(input.rules, field: "rules", max: 5000, allowNewlines: true) }
        let effect = issues.check { () throws(ValidationIssue) in try TextSanitizer.optional(input.effect, field: "effect", max: 60) }
        var startsAt: Date?, endsAt: Date?
        if let raw = input.startsAt { startsAt = issues.check { () throws(ValidationIssue) in try DateParameter.parse(raw, field: "startsAt") } } else { issues.add("startsAt", "is required") }
        if let raw = input.endsAt { endsAt = issues.check { () throws(ValidationIssue) in try DateParameter.parse(raw, field: "endsAt") } } else { issues.add("endsAt", "is required") }
        if let startsAt, let endsAt {
            if endsAt <= startsAt { issues.add("endsAt", "must be after startsAt") }
            else if endsAt.timeIntervalSince(startsAt) > 366 * 86_400 { issues.add("endsAt", "must be at most a year after startsAt") }
            if endsAt <= clock.now() { issues.add("endsAt", "must be in the future") }
        }
        guard let branded = input.branded else {
            issues.add("branded", "is required: true for a nonprofit's own challenge, false for an unbranded one")
            throw Problem.validation(issues)
        }
        var nonprofitID: UUID?
        if let raw = input.nonprofitId {
            nonprofitID = UUID(uuidString: raw)
            if nonprofitID == nil { issues.add("nonprofitId", "must be the id of a verified nonprofit") }
        } else if branded {
            issues.add("nonprofitId", "is required for a branded challenge")
        }
        if !issues.isEmpty { throw Problem.validation(issues) }
        if let nonprofitID {
            guard let nonprofit = try await nonprofits.find(id: nonprofitID), nonprofit.status == .verified else {
                throw Problem.validation(ValidationIssue(field: "nonprofitId", message: "is not a verified nonprofit"))
            }
        }
        if branded {
            let role = try await nonprofits.role(of: account.id, in: nonprofitID!)
            guard role != nil || account.role == .platformAdmin else {
                throw Problem.forbidden("only the nonprofit's members can launch a challenge in its name")
            }
        } else {
            guard account.role == .platformAdmin else { throw Problem.forbidden("only platform admins launch unbranded challenges") }
        }
        let id = UUID()
        let now = clock.now()
        let (start, end) = (startsAt!, endsAt!)
        let beneficiary = nonprofitID
        try await db.transaction { sql in
            if sql.dialect.name == "postgresql" {
                try await sql.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: "challenge:" + tag!.key)))").run()
            }
            struct Row: Decodable { let hashtag: String }
            if let clash = try await sql.select().column("hashtag").from("challenges").where("tag_key", .equal, SQLBind(tag!.key))
                .where("starts_at", .lessThanOrEqual, SQLBind(end)).where("ends_at", .greaterThanOrEqual, SQLBind(start))
                .first(decoding: Row.self) {
                throw Problem(.conflict, detail: "#\(clash.hashtag) is already a challenge at that time; pick other dates or another hashtag",
                              issues: [.init(field: "hashtag", message: "is taken while the other challenge runs")])
            }
            try await sql.insert(into: "challenges").columns(ChallengeRecord.columns)
                .values(SQLBind(id), SQLBind(tag!.display), SQLBind(tag!.key), SQLBind(title!), SQLBind(description ?? nil), SQLBind(rules ?? nil),
                        SQLBind(beneficiary), SQLBind(branded), SQLBind(effect ?? nil), SQLBind(start), SQLBind(end), SQLBind(account.id),
                        SQLBind(now), SQLBind(Date?.none), SQLBind(Date?.none))
                .run()
        }
        return try await find(id: id)!
    }

    /// A hashtag as someone types it, with or without `#`: one tag and nothing else.
    static func hashtag(_ raw: String?) throws(ValidationIssue) -> Hashtag {
        let text = TextSanitizer.clean(raw ?? "")
        let body = text.hasPrefix("#") || text.hasPrefix("＃") ? String(text.dropFirst()) : text
        let tags = CaptionTags(caption: "#" + body)
        guard !body.isEmpty, tags.hashtags.count == 1, let tag = tags.hashtags.first,
              tag.display.unicodeScalars.count == body.precomposedStringWithCanonicalMapping.unicodeScalars.count else {
            throw ValidationIssue(field: "hashtag", message: "must be one hashtag: letters, digits, marks and underscores (not digits alone), at most \(CaptionTags.maxHashtagLength) characters, like #DanceForChange")
        }
        return tag
    }

    func find(id: UUID) async throws -> ChallengeRecord? {
        try await db.reader.select().columns(ChallengeRecord.columns.map { SQLColumn($0) }).from("challenges")
            .where("id", .equal, SQLBind(id)).first(decoding: ChallengeRecord.self)
    }

    /// The challenge with this hashtag: the one running now, else the next, else the latest.
    func find(hashtag encoded: String) async throws -> ChallengeRecord {
        let raw = encoded.removingPercentEncoding ?? encoded
        let key = CaptionTags.matchKey(raw.hasPrefix("#") ? String(raw.dropFirst()) : raw)
        let all = try await db.reader.select().columns(ChallengeRecord.columns.map { SQLColumn($0) }).from("challenges")
            .where("tag_key", .equal, SQLBind(key)).orderBy("starts_at").all(decoding: ChallengeRecord.self)
        let now = clock.now()
        guard let found = all.first(where: { $0.status(at: now) == .active }) ?? all.first(where: { $0.status(at: now) == .upcoming }) ?? all.last else {
            throw Problem.notFound("challenge #\(raw.prefix(100))")
        }
        return found
    }

    struct ListQuery: Sendable {
        var status: ChallengeRecord.Status?
        var cause: String?
        var page = 1
        var perPage = 20
        /// Who is looking (an account id or a client address), to count each promotion they see once an hour.
        var viewer = "anonymous"
    }

    /// Discovery: promoted challenges first, then the newest start first.
    func list(_ query: ListQuery) async throws -> Page<ChallengeRecord> {
        let now = clock.now()
        func filtered(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
            var select = select
            switch query.status {
            case .active?: select = select.where("starts_at", .lessThanOrEqual, SQLBind(now)).where("ends_at", .greaterThanOrEqual, SQLBind(now))
            case .upcoming?: select = select.where("starts_at", .greaterThan, SQLBind(now))
            case .ended?: select = select.where("ends_at", .lessThan, SQLBind(now))
            case nil: break
            }
            if let cause = query.cause {
                select = select.where("nonprofit_id", .in, SQLSubquery.select { sub in
                    sub.column("nonprofit_id").from("nonprofit_causes").where("cause", .equal, SQLBind(cause))
                })
            }
            return select
        }
        struct Count: Decodable { let n: Int }
        let total = try await filtered(db.reader.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("challenges"))
            .first(decoding: Count.self)?.n ?? 0
        let items = try await filtered(db.reader.select().columns(ChallengeRecord.columns.map { SQLColumn($0) }).from("challenges"))
            .orderBy(SQLOrderBy(expression: Self.promotedFirst(now), direction: SQLDirection.ascending)).orderBy("starts_at", .descending)
            .limit(query.perPage).offset((query.page - 1) * query.perPage)
            .all(decoding: ChallengeRecord.self)
        // Each promoted challenge this page shows is an impression its promotion pays for.
        await impressions.shown(try await promotions(showing: items.map(\.id)).values, viewer: query.viewer)
        return Page(items: items, page: query.page, perPage: query.perPage, total: total)
    }

    static func promotedFirst(_ now: Date) -> SQLQueryString {
        PromotionService.promotedFirst("challenges", target: "challenge_id", at: now)
    }

    /// The promotion showing now for each of these challenges that has one.
    func promotions(showing ids: [UUID]) async throws -> [UUID: UUID] {
        try await PromotionService.showing("challenge_id", ids: ids, on: db.reader, at: clock.now())
    }
}
