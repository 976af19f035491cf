import Foundation
import GoodcastCore
import Hummingbird

/// The nonprofit console: the getting-started checklist, analytics with charts, ad credits.
extension SitePages {
    func addConsoleRoutes(to router: Router<AppRequestContext>) {
        router.get("/nonprofits/:nonprofitId/console", use: consolePage)
        router.get("/nonprofits/:nonprofitId/console/analytics.csv", use: consoleCSV)
        router.post("/nonprofits/:nonprofitId/console/promotions", use: promoteFromConsole)
        router.post("/nonprofits/:nonprofitId/console/promotions/:promotionId/stop", use: stopPromotionFromConsole)
    }

    @Sendable func consolePage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderConsole(request, context, promotionErrors: nil)
    }

    func renderConsole(_ request: Request, _ context: AppRequestContext, promotionErrors: Problem?, promotionForm: FormData? = nil) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        let id = try context.parameters.requireUUID("nonprofitId")
        let record = try await services.nonprofits.requireMember(id, account: account)
        let language = context.language
        let strings = Strings.table(for: language)
        // A bad range on a page is shown beside the form, with the default range's figures.
        var rangeErrors: Problem?
        var query: (AnalyticsPeriod, (AnalyticsScopeKind, UUID)?, csv: Bool)
        let today = UTCDay(services.clock.now())
        do {
            query = try AnalyticsController.query(request, today: today)
        } catch let problem as Problem {
            rangeErrors = problem
            query = (try AnalyticsPeriod(from: nil, to: nil, today: today), nil, false)
        }
        let report = try await services.analytics.report(nonprofit: id, scope: query.1, period: query.0, by: account)
        let items = try await services.analytics.items(of: id)
        let credits = try await services.promotions.credits(of: id, by: account)
        let payout = try await services.nonprofits.store.payoutDetails(of: id)
        let fundraisers = try await services.fundraisers.store.list(nonprofit: id)
        let model = ConsolePage(
            record: record, report: report, items: items, credits: credits, hasPayoutDetails: payout != nil,
            hasFundraiser: !fundraisers.isEmpty, language: language, strings: strings, rangeErrors: rangeErrors,
            promotionErrors: promotionErrors, promotionForm: promotionForm, now: services.clock.now()
        )
        return pages.render("nonprofits/console", title: "\(strings["console"]!) · \(record.name)", page: model, request: request, context: context,
                            status: promotionErrors?.status ?? rangeErrors?.status ?? .ok)
    }

    /// The CSV download for the range on screen: a page route, so that the session cookie counts.
    @Sendable func consoleCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        let id = try context.parameters.requireUUID("nonprofitId")
        let (period, scope, _) = try AnalyticsController.query(request, today: UTCDay(services.clock.now()))
        return AnalyticsController.csvResponse(try await services.analytics.report(nonprofit: id, scope: scope, period: period, by: account))
    }

    @Sendable func promoteFromConsole(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        let id = try context.parameters.requireUUID("nonprofitId")
        let form = try await FormData.read(request, maxBytes: maxBodyBytes)
        do {
            let target = form["target"] ?? ""
            var budget: Int64?
            if let text = form["budget"], !text.isEmpty {
                guard let parsed = Int64(text.trimmingCharacters(in: .whitespaces)) else {
                    throw Problem.validation(ValidationIssue(field: "budget", message: "must be a whole number of credits"))
                }
                budget = parsed
            }
            // The end is a day picked on the form: the promotion runs to the end of it (UTC).
            var endsAt: String?
            if let text = form["endsOn"], !text.isEmpty {
                guard let day = UTCDay(iso: text) else { throw Problem.validation(ValidationIssue(field: "endsAt", message: "must be a day such as 2026-12-31")) }
                endsAt = day.end.formatted(.iso8601)
            }
            let input = PromotionInput(
                challenge: target.hasPrefix("challenge:") ? String(target.dropFirst("challenge:".count)) : nil,
                liveId: target.hasPrefix("live:") ? String(target.dropFirst("live:".count)) : nil,
                budget: budget, startsAt: nil, endsAt: endsAt
            )
            _ = try await services.promotions.promote(id, input: input, by: account)
        } catch let problem as Problem where problem.status.code < 500 && problem.kind != .forbidden && problem.kind != .notFound {
            return try await renderConsole(request, context, promotionErrors: problem, promotionForm: form)
        }
        return PageRenderer.redirect(PagePath.console(id.lowercasedString) + "#credits")
    }

    @Sendable func stopPromotionFromConsole(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        let id = try context.parameters.requireUUID("nonprofitId")
        let promotion = try context.parameters.requireUUID("promotionId")
        guard let record = try await services.promotions.find(promotion), record.nonprofitId == id else { throw Problem.notFound("promotion \(promotion)") }
        _ = try await services.promotions.stop(promotion, by: account)
        return PageRenderer.redirect(PagePath.console(id.lowercasedString) + "#credits")
    }
}

extension PagePath {
    static func console(_ nonprofit: String) -> String { "/nonprofits/\(nonprofit)/console" }
}
