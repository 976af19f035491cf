import Foundation
import GoodcastCore
import Hummingbird

struct FundraiserController: Sendable {
    let service: FundraiserService
    let maxBodyBytes: Int

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.post(APIPath.fundraisers, use: create)
        api.get(APIPath.fundraiser, use: show)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<FundraiserOutput> {
        let account = try context.requireAccount()
        let input = try await request.decodeJSON(FundraiserInput.self, maxBytes: maxBodyBytes)
        let record = try await service.create(input, by: account)
        return EditedResponse(status: .created, headers: [.location: "/api/v1/fundraisers/\(record.id)"], response: try await service.output(record))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> FundraiserOutput {
        let id = try context.parameters.requireUUID("fundraiserId")
        guard let record = try await service.store.find(id) else { throw Problem.notFound("fundraiser \(id)") }
        return try await service.output(record)
    }
}
