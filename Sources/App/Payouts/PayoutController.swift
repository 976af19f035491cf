import Foundation
import GoodcastCore
import Hummingbird

/// `POST /api/v1/admin/payouts/run` and a nonprofit's payouts (JSON, or its CSV statement).
struct PayoutController: Sendable {
    let payouts: PayoutService
    let nonprofits: NonprofitService
    let maxBodyBytes: Int

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.post(APIPath.adminPayoutsRun, use: run)
        api.get(APIPath.nonprofitPayouts, use: list)
    }

    struct RunInput: JSONInput {
        enum Field: String, CodingKey, CaseIterable { case period }
        typealias CodingKeys = Field
        let period: String?
    }

    struct PayoutOutput: Codable, Sendable {
        let id: UUID
        let nonprofitId: UUID
        let amount: MoneyOutput
        let period: String
        let createdAt: Date

        init(_ payout: PayoutService.Payout) {
            id = payout.id
            nonprofitId = payout.nonprofit_id
            amount = MoneyOutput(payout.money)
            period = payout.period
            createdAt = payout.created_at
        }
    }

    struct PayoutListOutput: ResponseCodable { let items: [PayoutOutput] }

    @Sendable func run(_ request: Request, context: AppRequestContext) async throws -> PayoutListOutput {
        _ = try context.requireAdmin()
        var period: String?
        if request.headers[.contentLength].map({ $0 != "0" }) ?? false || request.headers[.contentType] != nil {
            let input = try await request.decodeJSON(RunInput.self, maxBytes: maxBodyBytes)
            if let raw = input.period {
                do {
                    period = try payouts.period(named: raw, field: "period")
                } catch {
                    throw Problem.validation(error)
                }
            }
        }
        return PayoutListOutput(items: try await payouts.run(period: period).map(PayoutOutput.init))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try context.requireAccount()
        let id = try context.parameters.requireUUID("nonprofitId")
        _ = try await nonprofits.requireOwner(id, account: account)
        if request.headers[.accept]?.contains("text/csv") == true {
            let csv = try await payouts.statementCSV(of: id)
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"statement-\(id.lowercasedString).csv\""],
                            body: .init(byteBuffer: ByteBuffer(string: csv)))
        }
        return try context.responseEncoder.encode(PayoutListOutput(items: try await payouts.payouts(of: id).map(PayoutOutput.init)), from: request, context: context)
    }
}
