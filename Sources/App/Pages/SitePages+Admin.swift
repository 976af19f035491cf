import Foundation
import GoodcastCore
import Hummingbird

extension SitePages {
    func addAdminRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(PagePath.adminQueue), use: reviewQueue)
        router.post("/admin/nonprofits/:nonprofitId/verify", use: verify)
        router.post("/admin/nonprofits/:nonprofitId/reject", use: reject)
    }

    struct QueuePage {
        let items: [QueueItem]
        let empty: Bool

        struct QueueItem {
            let card: NonprofitCard
            let applicant: String
            let appliedAt: String
            let verifyHref: String
            let rejectHref: String
        }
    }

    private func requireAdminPage(_ request: Request, _ context: AppRequestContext) throws -> PageGate {
        switch requireAccount(request, context) {
        case .failure(let redirect): return .failure(redirect)
        case .success(let account):
            guard account.role == .platformAdmin else { throw Problem.forbidden("only platform admins can review nonprofits") }
            return .success(account)
        }
    }

    @Sendable func reviewQueue(_ request: Request, context: AppRequestContext) async throws -> Response {
        if case .failure(let redirect) = try requireAdminPage(request, context) { return redirect }
        var query = NonprofitStore.DirectoryQuery()
        query.status = .pending
        query.perPage = 100
        let result = try await services.nonprofits.store.search(query)
        var items: [QueuePage.QueueItem] = []
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: context.language)
        formatter.dateStyle = .medium
        formatter.timeStyle = .short
        for record in result.items {
            let applicant = try await services.accounts.find(id: record.applicantId)
            let id = record.id.lowercasedString
            items.append(.init(
                card: NonprofitCard(record, language: context.language), applicant: applicant.map { "@\($0.handle)" } ?? "",
                appliedAt: formatter.string(from: record.createdAt),
                verifyHref: PagePath.adminVerify(id), rejectHref: PagePath.adminReject(id)
            ))
        }
        return pages.render("admin/queue", title: Strings.table(for: context.language)["review"]!, page: QueuePage(items: items, empty: items.isEmpty), request: request, context: context)
    }

    @Sendable func verify(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin: AccountRecord
        switch try requireAdminPage(request, context) {
        case .failure(let redirect): return redirect
        case .success(let found): admin = found
        }
        _ = try await services.nonprofits.review(try context.parameters.requireUUID("nonprofitId"), verify: true, reason: nil, by: admin)
        return PageRenderer.redirect(PagePath.adminQueue)
    }

    @Sendable func reject(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin: AccountRecord
        switch try requireAdminPage(request, context) {
        case .failure(let redirect): return redirect
        case .success(let found): admin = found
        }
        let form = try await FormData.read(request, maxBytes: maxBodyBytes)
        _ = try await services.nonprofits.review(try context.parameters.requireUUID("nonprofitId"), verify: false, reason: form["reason"], by: admin)
        return PageRenderer.redirect(PagePath.adminQueue)
    }
}
