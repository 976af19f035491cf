import Foundation
import GoodcastCore
import Hummingbird
import SQLKit

/// Discovery of lives: on now, then coming up; lives promoted with ad credits first, each
/// listing that shows one counting an impression its promotion pays for.
struct LiveDiscovery: Sendable {
    let db: AppDatabase
    let clock: AppClock
    let lives: LiveService
    let impressions: ImpressionCounter

    func list(page: Int, perPage: Int, viewer: String) async throws -> Page<LiveRecord> {
        let now = clock.now()
        func filtered(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
            select.where("status", .in, SQLBind.group([LiveStatus.live.rawValue, LiveStatus.scheduled.rawValue]))
        }
        struct Count: Decodable { let n: Int }
        let total = try await filtered(db.reader.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("lives"))
            .first(decoding: Count.self)?.n ?? 0
        let items = try await filtered(db.reader.select().columns(LiveRecord.columns.map { SQLColumn($0) }).from("lives"))
            .orderBy(SQLOrderBy(expression: Self.promotedFirst(now), direction: SQLDirection.ascending))
            .orderBy(SQLOrderBy(expression: SQLRaw("CASE WHEN status = 'live' THEN 0 ELSE 1 END"), direction: SQLDirection.ascending))
            .orderBy("scheduled_at").orderBy("created_at", .descending)
            .limit(perPage).offset((page - 1) * perPage)
            .all(decoding: LiveRecord.self)
        await impressions.shown(try await promotions(showing: items.map(\.id)).values, viewer: viewer)
        return Page(items: items, page: page, perPage: perPage, total: total)
    }

    static func promotedFirst(_ now: Date) -> SQLQueryString {
        PromotionService.promotedFirst("lives", target: "live_id", at: now)
    }

    /// The promotion showing now for each of these lives that has one.
    func promotions(showing ids: [UUID]) async throws -> [UUID: UUID] {
        try await PromotionService.showing("live_id", ids: ids, on: db.reader, at: clock.now())
    }
}

struct LivePageOutput: ResponseCodable {
    struct Item: Codable, Sendable {
        let live: LiveOutput
        let promoted: Bool
    }
    let items: [Item]
    let page: Int
    let perPage: Int
    let total: Int
}

/// `GET /lives`: what is on now and coming up, promoted lives first.
struct LiveDiscoveryController: Sendable {
    let discovery: LiveDiscovery

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.get(APIPath.lives, use: list)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> LivePageOutput {
        var query = QueryReader(request)
        let page = query.int("page", default: 1, range: 1...10_000)
        let perPage = query.int("perPage", default: 20, range: 1...100)
        try query.finish()
        let viewer = context.identity?.account
        let found = try await discovery.list(page: page, perPage: perPage, viewer: viewer?.id.uuidString ?? context.remoteAddress)
        let promoted = try await discovery.promotions(showing: found.items.map(\.id))
        var items: [LivePageOutput.Item] = []
        for live in found.items {
            items.append(.init(live: try await discovery.lives.output(live, viewer: viewer), promoted: promoted[live.id] != nil))
        }
        return LivePageOutput(items: items, page: found.page, perPage: found.perPage, total: found.total)
    }
}
