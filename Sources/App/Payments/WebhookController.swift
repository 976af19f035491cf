import Foundation
import HTTPTypes
import Hummingbird

/// `POST /api/v1/payments/webhooks/{processor}`: the processor's signed events.
struct WebhookController: Sendable {
    let service: WebhookService

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.post(APIPath.webhooks, use: receive)
    }

    struct Received: ResponseCodable { let received: Bool }

    @Sendable func receive(_ request: Request, context: AppRequestContext) async throws -> Received {
        guard context.parameters.get("processor") == service.processorName else { throw Problem.notFound("webhook endpoint") }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: 1 << 20)
        } catch {
            throw Problem(.bodyTooLarge, detail: "webhook payloads are at most 1 MiB")
        }
        try await service.handle(payload: Data(buffer.readableBytesView), signature: request.headers[.stripeSignature])
        return Received(received: true)
    }
}
