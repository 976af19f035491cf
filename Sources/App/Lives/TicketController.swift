import Foundation
import Hummingbird

/// `/api/v1/lives/{id}/tickets`: buy (idempotent), the host's list, revoke; and cancelling a
/// paid-entry live, which refunds every ticket.
struct TicketController: Sendable {
    let tickets: TicketService
    let host: LiveHostService
    let maxBodyBytes: Int

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.post(APIPath.liveTickets, use: buy)
        api.get(APIPath.liveTickets, use: list)
        api.post(APIPath.liveTicketRevoke, use: revoke)
        api.post(APIPath.liveCancel, use: cancel)
    }

    @Sendable func buy(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try context.requireAccount()
        let live = try context.parameters.requireUUID("liveId")
        let key = try IdempotencyStore.key(from: request.headers[.idempotencyKey])
        let (input, body) = try await request.readJSON(TicketInput.self, maxBytes: maxBodyBytes)
        return DonationController.response(try await tickets.buy(liveID: live, by: account, key: key, body: body, input: input))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> TicketListOutput {
        let live = try await host.requireHost(try context.parameters.requireUUID("liveId"), try context.requireAccount())
        return TicketListOutput(items: try await tickets.tickets(of: live).map { TicketOutput($0.ticket, holder: $0.holder) })
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> TicketOutput {
        let live = try await host.requireHost(try context.parameters.requireUUID("liveId"), try context.requireAccount())
        return TicketOutput(try await tickets.revoke(try context.parameters.requireUUID("ticketId"), live: live), holder: nil)
    }

    @Sendable func cancel(_ request: Request, context: AppRequestContext) async throws -> CancelOutput {
        let live = try await host.requireHost(try context.parameters.requireUUID("liveId"), try context.requireAccount())
        let result = try await tickets.cancel(live)
        return CancelOutput(status: LiveStatus.cancelled.rawValue, refunded: result.refunded, notYetRefunded: result.failed)
    }
}
