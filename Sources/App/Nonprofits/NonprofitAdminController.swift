import Foundation
import GoodcastCore
import Hummingbird

/// `/api/v1/admin/nonprofits...`: the platform admins' review queue.
struct NonprofitAdminController: Sendable {
    let service: NonprofitService
    let maxBodyBytes: Int

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.get(APIPath.adminNonprofits, use: queue)
        api.post(APIPath.adminVerify, use: verify)
        api.post(APIPath.adminReject, use: reject)
    }

    @Sendable func queue(_ request: Request, context: AppRequestContext) async throws -> NonprofitPageOutput {
        _ = try context.requireAdmin()
        var reader = QueryReader(request)
        var query = NonprofitStore.DirectoryQuery()
        query.status = reader.parse("status") { (text: String) throws(ValidationIssue) in
            guard let status = NonprofitStatus(rawValue: text) else {
                throw ValidationIssue(field: "status", message: "must be pending, verified or rejected")
            }
            return status
        } ?? .pending
        query.page = reader.int("page", default: 1, range: 1...10_000)
        query.perPage = reader.int("perPage", default: 20, range: 1...100)
        try reader.finish()
        let page = try await service.store.search(query)
        return NonprofitPageOutput(items: page.items.map { NonprofitOutput($0, showPrivate: true) }, page: page.page, perPage: page.perPage, total: page.total)
    }

    @Sendable func verify(_ request: Request, context: AppRequestContext) async throws -> NonprofitOutput {
        let admin = try context.requireAdmin()
        let id = try context.parameters.requireUUID("nonprofitId")
        let record = try await service.review(id, verify: true, reason: nil, by: admin)
        context.logger.info("nonprofit verified", metadata: ["nonprofit": "\(id)"])
        return NonprofitOutput(record, showPrivate: true)
    }

    @Sendable func reject(_ request: Request, context: AppRequestContext) async throws -> NonprofitOutput {
        let admin = try context.requireAdmin()
        let id = try context.parameters.requireUUID("nonprofitId")
        let input = try await request.decodeJSON(RejectInput.self, maxBytes: maxBodyBytes)
        let record = try await service.review(id, verify: false, reason: input.reason, by: admin)
        context.logger.info("nonprofit rejected", metadata: ["nonprofit": "\(id)"])
        return NonprofitOutput(record, showPrivate: true)
    }
}
