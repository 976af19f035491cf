import Foundation
import GoodcastCore
import Hummingbird

/// `GET /nonprofits/{id}/analytics`: JSON, or CSV with `Accept: text/csv` (or `format=csv`).
struct AnalyticsController: Sendable {
    let analytics: AnalyticsService

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.get(APIPath.nonprofitAnalytics, use: show)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try context.requireAccount()
        let id = try context.parameters.requireUUID("nonprofitId")
        let (period, scope, csv) = try Self.query(request, today: UTCDay(analytics.clock.now()))
        let report = try await analytics.report(nonprofit: id, scope: scope, period: period, by: account)
        if csv { return Self.csvResponse(report) }
        return try context.responseEncoder.encode(report, from: request, context: context)
    }

    static func query(_ request: Request, today: UTCDay) throws -> (AnalyticsPeriod, (AnalyticsScopeKind, UUID)?, csv: Bool) {
        var query = QueryReader(request)
        let scope = query.parse("scope", AnalyticsService.parseScope) ?? nil
        let format = query.string("format")
        if let format, format != "csv", format != "json" { query.issues.add("format", "must be 'json' or 'csv'") }
        var period: AnalyticsPeriod?
        do {
            period = try AnalyticsPeriod(from: query.string("from"), to: query.string("to"), today: today)
        } catch {
            for issue in error.issues { query.issues.add(issue.field, issue.message) }
        }
        try query.finish()
        let csv = format == "csv" || (format == nil && request.headers[.accept]?.contains("text/csv") == true)
        return (period!, scope, csv)
    }

    static func csvResponse(_ report: AnalyticsOutput) -> Response {
        Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                        .contentDisposition: "attachment; filename=\"\(AnalyticsCSV.filename(report))\""],
                 body: .init(byteBuffer: ByteBuffer(string: AnalyticsCSV.render(report))))
    }
}
