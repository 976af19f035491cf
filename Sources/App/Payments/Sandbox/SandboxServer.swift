import Foundation
import GoodcastCore
import Hummingbird
import Logging
import ServiceLifecycle

/// `goodcast sandbox-processor`: the sandbox bank behind the subset of Stripe's HTTP API that
/// Goodcast uses (form-encoded requests, JSON answers, `Idempotency-Key`, Stripe's error
/// shapes), plus `POST /v1/test_helpers/disputes` to open or close a dispute.
public enum SandboxServer {
    public struct Options: Sendable {
        public var hostname = "127.0.0.1"
        public var port = 12111
        public var webhookURL: String?
        public var webhookSecret = "whsec_sandbox"
        public var fees = FeeSchedule.standard
        public var behaviour = WebhookDeliverer.Behaviour.standard

        public init(hostname: String = "127.0.0.1", port: Int = 12111, webhookURL: String? = nil, webhookSecret: String = "whsec_sandbox",
                    fees: FeeSchedule = .standard, duplicateRate: Double = 0.2) {
            self.hostname = hostname
            self.port = port
            self.webhookURL = webhookURL
            self.webhookSecret = webhookSecret
            self.fees = fees
            self.behaviour.duplicateRate = duplicateRate
        }
    }

    public static func build(_ options: Options, logger: Logger, onStarted: (@Sendable (Int) async -> Void)? = nil) -> some ApplicationProtocol {
        let events = SandboxEvents()
        let bank = SandboxBank(fees: options.fees, events: events)
        let router = Router()
        router.post("v1/payment_intents") { request, context in try await createIntent(request, context, bank) }
        router.get("v1/payment_intents/search") { request, _ in try await search(request, bank) }
        router.get("v1/payment_intents/:id") { _, context in
            guard let intent = await bank.intent(context.parameters.get("id") ?? "") else { return stripeError(404, "invalid_request_error", "No such payment_intent") }
            return json(200, SandboxBank.wire(intent))
        }
        router.get("v1/payment_intents") { request, _ in
            let limit = min(100, max(1, Int(request.uri.queryParameters.get("limit") ?? "10") ?? 10))
            let since = request.uri.queryParameters.get("created[gte]").flatMap { Int($0) } ?? 0
            let page = await bank.list(after: request.uri.queryParameters.get("starting_after"), createdSince: since, limit: limit)
            return json(200, IntentList(object: "list", data: page.items.map(SandboxBank.wire), hasMore: page.hasMore))
        }
        router.post("v1/refunds") { request, _ in
            let form = try await FormData.read(request, maxBytes: 1 << 16)
            do {
                let refund = try await bank.refund(intentID: form["payment_intent"] ?? "", amount: form["amount"].flatMap { Int64($0) }, idempotencyKey: request.headers[.init("Idempotency-Key")!])
                return json(200, ["id": refund.id, "object": "refund", "amount": refund.amount.amount, "currency": refund.amount.currency.code.lowercased(),
                                  "payment_intent": refund.chargeID, "status": "succeeded"])
            } catch {
                return failure(error)
            }
        }
        router.post("v1/test_helpers/disputes") { request, _ in
            let form = try await FormData.read(request, maxBytes: 1 << 16)
            let close = form["close"].map { $0 == "won" }
            do {
                try await bank.dispute(intentID: form["payment_intent"] ?? "", closeAs: close)
                return json(200, ["object": "dispute_request", "payment_intent": form["payment_intent"] ?? ""])
            } catch {
                return failure(error)
            }
        }
        let target = WebhookTarget(options.webhookURL)
        let deliverer = WebhookDeliverer(events: events, destination: .http(target), secret: options.webhookSecret, behaviour: options.behaviour, logger: logger)
        return Application(
            router: router,
            configuration: .init(address: .hostname(options.hostname, port: options.port), serverName: "Goodcast-Sandbox"),
            services: options.webhookURL == nil ? [] : [deliverer],
            onServerRunning: { channel in await onStarted?(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    private static func createIntent(_ request: Request, _ context: BasicRequestContext, _ bank: SandboxBank) async throws -> Response {
        let form = try await FormData.read(request, maxBytes: 1 << 16)
        guard let amount = form["amount"].flatMap({ Int64($0) }) else { return stripeError(400, "invalid_request_error", "Missing required param: amount.") }
        guard let currency = try? Currency.parse(form["currency"]) else { return stripeError(400, "invalid_request_error", "Invalid currency.") }
        var metadata: [String: String] = [:]
        for (name, values) in form.values where name.hasPrefix("metadata[") && name.hasSuffix("]") {
            metadata[String(name.dropFirst(9).dropLast())] = values.first
        }
        let token = form["payment_method"] ?? ""
        do {
            switch try await bank.createIntent(amount: Money(amount, currency), token: token, idempotencyKey: request.headers[.init("Idempotency-Key")!], metadata: metadata) {
            case .succeeded(let intent):
                return json(200, SandboxBank.wire(intent))
            case .declined(let intent, let code, let message):
                return json(402, Decline(error: .init(declineCode: code, message: message, paymentIntent: SandboxBank.wire(intent))))
            case .noAnswer:
                // The charge is made; the answer never comes: the client gives up first. Bounded,
                // and cut short by shutdown, so that the server can always stop.
                await cancelWhenGracefulShutdown { try? await Task.sleep(for: .seconds(120)) }
                return stripeError(500, "api_error", "the processor did not answer in time")
            }
        } catch {
            return failure(error)
        }
    }

    private static func search(_ request: Request, _ bank: SandboxBank) async throws -> Response {
        // Supports the one query Goodcast sends: metadata['key']:'value'.
        let query = request.uri.queryParameters.get("query") ?? ""
        let pattern = /metadata\['([^']+)'\]:'([^']*)'/
        guard let match = query.firstMatch(of: pattern) else { return stripeError(400, "invalid_request_error", "Unsupported search query.") }
        let found = await bank.search(metadataKey: String(match.1), value: String(match.2))
        return json(200, IntentList(object: "search_result", data: found.map(SandboxBank.wire), hasMore: false))
    }

    static func failure(_ error: any Error) -> Response {
        switch error as? SandboxBank.Failure {
        case .idempotencyMismatch: stripeError(400, "idempotency_error", "Keys for idempotent requests can only be used with the same parameters they were first used with.")
        case .invalid(let message): stripeError(400, "invalid_request_error", message)
        case .notFound(let message): stripeError(404, "invalid_request_error", message)
        case nil: stripeError(500, "api_error", "internal error")
        }
    }

    static func stripeError(_ status: Int, _ type: String, _ message: String) -> Response {
        json(status, ["error": ["type": type, "message": message] as [String: any Sendable]])
    }

    static func json(_ status: Int, _ object: [String: any Sendable]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func json(_ status: Int, _ value: some Encodable) -> Response {
        let data = (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
        return Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A page of intents (`list`) or a search's answer (`search_result`).
    struct IntentList: Encodable {
        let object: String
        let data: [SandboxBank.IntentWire]
        let hasMore: Bool

        enum CodingKeys: String, CodingKey { case object, data, hasMore = "has_more" }
    }

    /// A card error, with the declined intent.
    struct Decline: Encodable {
        struct Body: Encodable {
            var type = "card_error"
            var code = "card_declined"
            let declineCode: String
            let message: String
            let paymentIntent: SandboxBank.IntentWire

            enum CodingKeys: String, CodingKey { case type, code, declineCode = "decline_code", message, paymentIntent = "payment_intent" }
        }

        let error: Body
    }
}
