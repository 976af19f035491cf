import Foundation
import Hummingbird

/// `/api/v1/lives`: create, read, start, end.
struct LiveController: Sendable {
    let service: LiveService
    let maxBodyBytes: Int

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.post(APIPath.lives, use: create)
        api.get(APIPath.live, use: show)
        api.post(APIPath.liveStart, use: start)
        api.post(APIPath.liveEnd, use: end)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<LiveOutput> {
        let host = try context.requireAccount()
        let input = try await request.decodeJSON(LiveInput.self, maxBytes: maxBodyBytes)
        let live = try await service.create(input, by: host)
        return EditedResponse(status: .created, headers: [.location: "/api/v1/lives/\(live.id)"], response: try await service.output(live, viewer: host))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> LiveOutput {
        let id = try context.parameters.requireUUID("liveId")
        guard let live = try await service.find(id) else { throw Problem.notFound("live \(id)") }
        return try await service.output(live, viewer: context.identity?.account)
    }

    @Sendable func start(_ request: Request, context: AppRequestContext) async throws -> LiveOutput {
        let account = try context.requireAccount()
        let live = try await service.transition(try context.parameters.requireUUID("liveId"), to: .live, by: account)
        return try await service.output(live, viewer: account)
    }

    @Sendable func end(_ request: Request, context: AppRequestContext) async throws -> LiveOutput {
        let account = try context.requireAccount()
        let live = try await service.transition(try context.parameters.requireUUID("liveId"), to: .ended, by: account)
        return try await service.output(live, viewer: account)
    }
}
