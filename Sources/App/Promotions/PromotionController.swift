import Foundation
import GoodcastCore
import Hummingbird

/// Ad credits (granted by platform admins) and the promotions a nonprofit's team pays with them.
struct PromotionController: Sendable {
    let promotions: PromotionService
    let maxBodyBytes: Int

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.post(APIPath.adminAdCredits, use: grant)
        api.get(APIPath.nonprofitAdCredits, use: credits)
        api.post(APIPath.nonprofitPromotions, use: promote)
        api.get(APIPath.promotion, use: show)
        api.post(APIPath.promotionStop, use: stop)
    }

    @Sendable func grant(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin = try context.requireAdmin()
        let nonprofit = try context.parameters.requireUUID("nonprofitId")
        let key = try IdempotencyStore.key(from: request.headers[.idempotencyKey])
        let (input, body) = try await request.readJSON(CreditGrantInput.self, maxBytes: maxBodyBytes)
        return DonationController.response(try await promotions.grant(to: nonprofit, input: input, key: key, body: body, by: admin))
    }

    @Sendable func credits(_ request: Request, context: AppRequestContext) async throws -> AdCreditsOutput {
        try await promotions.credits(of: try context.parameters.requireUUID("nonprofitId"), by: try context.requireAccount())
    }

    @Sendable func promote(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<PromotionOutput> {
        let account = try context.requireAccount()
        let input = try await request.decodeJSON(PromotionInput.self, maxBytes: maxBodyBytes)
        let promotion = try await promotions.promote(try context.parameters.requireUUID("nonprofitId"), input: input, by: account)
        return EditedResponse(status: .created, response: try await promotions.output(promotion))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> PromotionOutput {
        let account = try context.requireAccount()
        let id = try context.parameters.requireUUID("promotionId")
        guard let promotion = try await promotions.find(id) else { throw Problem.notFound("promotion \(id)") }
        _ = try await promotions.nonprofits.requireMember(promotion.nonprofitId, account: account)
        return try await promotions.output(promotion)
    }

    @Sendable func stop(_ request: Request, context: AppRequestContext) async throws -> PromotionOutput {
        let promotion = try await promotions.stop(try context.parameters.requireUUID("promotionId"), by: try context.requireAccount())
        return try await promotions.output(promotion)
    }
}
