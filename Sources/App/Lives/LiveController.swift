import Foundation
import Hummingbird

/// `/api/v1/lives`: create, read, start, end, and the host's tools.
struct LiveController: Sendable {
    let service: LiveService
    let host: LiveHostService
    let maxBodyBytes: Int

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.post(APIPath.lives, use: create)
        api.get(APIPath.live, use: show)
        api.post(APIPath.liveStart, use: start)
        api.post(APIPath.liveEnd, use: end)
        api.post(APIPath.liveThanks, use: thank)
        api.post(APIPath.liveHideMessage, use: hideMessage)
        api.get(APIPath.liveSupporters, use: supporters)
        api.get(APIPath.liveOverlay, use: overlay)
        api.put(APIPath.liveOverlay, use: updateOverlay)
    }

    @Sendable func thank(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<FeedEvent> {
        let account = try context.requireAccount()
        let input = try await request.decodeJSON(ThanksInput.self, maxBytes: maxBodyBytes)
        return EditedResponse(status: .created, response: try await host.thank(try context.parameters.requireUUID("liveId"), input: input, by: account))
    }

    @Sendable func hideMessage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try context.requireAccount()
        try await host.hideMessage(try context.parameters.requireUUID("liveId"), donation: try context.parameters.requireUUID("donationId"), by: account)
        return Response(status: .noContent)
    }

    @Sendable func supporters(_ request: Request, context: AppRequestContext) async throws -> SupportersOutput {
        let account = try context.requireAccount()
        return SupportersOutput(items: try await host.supporters(try context.parameters.requireUUID("liveId"), by: account).map(SupporterOutput.init))
    }

    @Sendable func overlay(_ request: Request, context: AppRequestContext) async throws -> OverlayOutput {
        let account = try context.requireAccount()
        var live = try await host.requireHost(try context.parameters.requireUUID("liveId"), account)
        if live.overlayKey == nil {
            live = try await host.updateOverlay(live.id, input: OverlayInput(minAmount: nil, showAmounts: nil, rotateKey: nil), by: account)
        }
        return OverlayOutput(live)
    }

    @Sendable func updateOverlay(_ request: Request, context: AppRequestContext) async throws -> OverlayOutput {
        let account = try context.requireAccount()
        let input = try await request.decodeJSON(OverlayInput.self, maxBytes: maxBodyBytes)
        return OverlayOutput(try await host.updateOverlay(try context.parameters.requireUUID("liveId"), input: input, by: account))
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
