import Foundation
import GoodcastCore
import Hummingbird

/// `PATCH /nonprofits/{id}` and `/nonprofits/{id}/payout-details`: what owners complete after applying.
extension NonprofitController {
    @Sendable func updateProfile(_ request: Request, context: AppRequestContext) async throws -> NonprofitOutput {
        let account = try context.requireAccount()
        let id = try context.parameters.requireUUID("nonprofitId")
        let input = try await request.decodeJSON(NonprofitProfileInput.self, maxBytes: maxBodyBytes)
        let record = try await service.updateProfile(id, description: input.description, website: input.website, causes: input.causes, by: account)
        context.logger.info("nonprofit profile edited", metadata: ["nonprofit": "\(id)"])
        return NonprofitOutput(record, showPrivate: true)
    }

    @Sendable func setPayoutDetails(_ request: Request, context: AppRequestContext) async throws -> PayoutDetailsOutput {
        let account = try context.requireAccount()
        let id = try context.parameters.requireUUID("nonprofitId")
        let input = try await request.decodeJSON(PayoutDetailsInput.self, maxBytes: maxBodyBytes)
        let summary = try await service.setPayoutDetails(
            id, accountHolder: input.accountHolder, iban: input.iban, routingNumber: input.routingNumber,
            accountNumber: input.accountNumber, by: account
        )
        // The method only: the account, even masked, stays out of the logs.
        context.logger.info("nonprofit payout details set", metadata: ["nonprofit": "\(id)", "method": "\(summary.method.rawValue)"])
        return PayoutDetailsOutput(summary)
    }

    @Sendable func payoutDetails(_ request: Request, context: AppRequestContext) async throws -> PayoutDetailsOutput {
        let account = try context.requireAccount()
        let id = try context.parameters.requireUUID("nonprofitId")
        return PayoutDetailsOutput(try await service.payoutDetails(of: id, for: account))
    }
}
