import Foundation
import GoodcastCore
import Hummingbird

/// `/api/v1/campaigns`: create (platform admins), read by slug, add a live to the program, add
/// a participating nonprofit.
struct CampaignController: Sendable {
    let service: CampaignService
    let maxBodyBytes: Int

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.post(APIPath.campaigns, use: create)
        api.get(APIPath.campaign, use: show)
        api.post(APIPath.campaignLives, use: addLive)
        api.post(APIPath.campaignNonprofits, use: addNonprofit)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<CampaignOutput> {
        let admin = try context.requireAdmin()
        let input = try await request.decodeJSON(CampaignInput.self, maxBytes: maxBodyBytes)
        let campaign = try await service.create(input, by: admin)
        return EditedResponse(status: .created, headers: [.location: "/api/v1/campaigns/\(campaign.slug)"], response: try await service.output(campaign))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> CampaignOutput {
        try await service.output(try await service.require(slug: context.parameters.get("slug") ?? ""))
    }

    @Sendable func addLive(_ request: Request, context: AppRequestContext) async throws -> CampaignOutput {
        let account = try context.requireAccount()
        let input = try await request.decodeJSON(CampaignLiveInput.self, maxBytes: maxBodyBytes)
        guard let liveID = input.liveId.flatMap(UUID.init(uuidString:)) else {
            throw Problem.validation(ValidationIssue(field: "liveId", message: "must be a live's id"))
        }
        let campaign = try await service.require(slug: context.parameters.get("slug") ?? "")
        try await service.addLive(liveID, to: campaign, by: account)
        return try await service.output(campaign)
    }

    @Sendable func addNonprofit(_ request: Request, context: AppRequestContext) async throws -> CampaignOutput {
        _ = try context.requireAdmin()
        let input = try await request.decodeJSON(CampaignNonprofitInput.self, maxBytes: maxBodyBytes)
        guard let nonprofitID = input.nonprofitId.flatMap(UUID.init(uuidString:)) else {
            throw Problem.validation(ValidationIssue(field: "nonprofitId", message: "must be a nonprofit's id"))
        }
        let campaign = try await service.require(slug: context.parameters.get("slug") ?? "")
        try await service.addNonprofit(nonprofitID, to: campaign)
        return try await service.output(campaign)
    }
}
