@testable import App
import Foundation
import GoodcastCore
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// Builds the application with `buildApplication`, exactly as `goodcast serve` does, on a fresh
/// database of the given kind, and runs `body` against it.
func withTestApp<T: Sendable>(
    _ kind: DatabaseKind,
    _ setup: TestingSetup = .router,
    clock: AppClock = .system,
    configure: (inout AppConfig) -> Void = { _ in },
    processor wrap: (SandboxProcessor) -> any PaymentProcessor = { $0 },
    _ body: @Sendable (TestHarness) async throws -> T
) async throws -> T {
    let database = try await TestDatabase.make(kind)
    var config = AppConfig()
    config.database = database.config
    config.port = 0
    config.bcryptCost = 4
    config.logLevel = ProcessInfo.processInfo.environment["GOODCAST_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
    config.sandboxNoAnswerSeconds = 0
    // Webhooks over HTTP, as from Stripe: a test on the router alone (no listening server) gets
    // none unless it sends them, and one on a live server gets them as a real processor sends
    // them. The in-process delivery, `serve`'s default, is tested where a test asks for it.
    config.sandboxWebhooks = .http
    // Every test client signs up from the same address, many times a test; `RateLimitTests` sets its own limit.
    config.signUpLimitPerAddress = 100_000
    // Uploaded media in a folder of the test's own, never the developer's data directory.
    let mediaFolder = FileManager.default.temporaryDirectory.appendingPathComponent("goodcast-test-media-\(UUID().uuidString)").path
    config.mediaDirectory = mediaFolder
    defer { try? FileManager.default.removeItem(atPath: mediaFolder) }
    configure(&config)
    let finalConfig = config
    // The test keeps the sandbox it charges, to ask it what it charged.
    let events = SandboxEvents()
    let bank = SandboxBank(fees: config.sandboxFee, events: events)
    let processor = SandboxProcessor(bank: bank, noAnswerWait: .zero)
    let payments = config.processor == .inProcessSandbox ? PaymentsOverride(processor: wrap(processor), sandboxEvents: events) : nil
    do {
        nonisolated(unsafe) var built: AppServices?
        let app = try await buildApplication(finalConfig, clock: clock, payments: payments, inspect: { built = $0 })
        let services = built!
        let result = try await app.test(setup) { client in
            let harness = TestHarness(client: client, config: finalConfig, bank: bank, services: services)
            let value = try await body(harness)
            // Every test leaves a clean ledger, whatever it did.
            try await harness.verifyLedger()
            return value
        }
        await database.drop()
        return result
    } catch {
        await database.drop()
        throw error
    }
}

/// A test's view of the running application: its HTTP client and its settings.
struct TestHarness: Sendable {
    let client: any TestClientProtocol
    let config: AppConfig
    let bank: SandboxBank
    /// The running application's own services (to look inside, never to act in its place).
    let services: AppServices

    /// `goodcast ledger verify`'s checks, with the processor's charges from this test's sandbox.
    func verifyLedger(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await withCommands { commands in
            let processor: any PaymentProcessor = config.processor == .inProcessSandbox ? SandboxProcessor(bank: bank) : commands.services.processor
            let report = try await LedgerVerifier(db: commands.services.db, processor: processor).run()
            #expect(report.violations == [], sourceLocation: sourceLocation)
        }
    }

    /// The application's services on the same database, as the command line opens them.
    func withCommands<T: Sendable>(_ body: (AppCommands) async throws -> T) async throws -> T {
        var logger = Logger(label: "test-commands")
        logger.logLevel = .error
        return try await AppCommands.with(config, logger: logger, body)
    }

    struct Reply: Sendable {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: ByteBuffer

        var text: String { String(buffer: body) }

        func json() throws -> [String: Any] {
            let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView))
            guard let dictionary = object as? [String: Any] else { throw TestFailure("not a JSON object: \(text)") }
            return dictionary
        }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(T.self, from: Data(body.readableBytesView))
        }

        func cookie(_ name: String) -> String? {
            for field in headers where field.name == .setCookie {
                let pair = field.value.split(separator: ";").first ?? ""
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == name { return String(parts[1]) }
            }
            return nil
        }
    }

    @discardableResult
    func request(_ method: HTTPRequest.Method, _ path: String, json: String? = nil, token: String? = nil, headers: HTTPFields = [:]) async throws -> Reply {
        var headers = headers
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        if let token { headers[.authorization] = "Bearer \(token)" }
        let response = try await client.executeRequest(uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        return Reply(status: response.status, headers: response.headers, body: response.body)
    }

    /// Delivers a processor event to the sandbox's webhook endpoint, signed with `secret`, with
    /// `wire` (an intent or a dispute as the sandbox sends them) as its object, changed by `edit`.
    func postWebhook(_ type: String, _ wire: some Encodable, id: String, secret: String = "whsec_sandbox",
                     edit: (inout [String: Any]) -> Void = { _ in }) async throws -> Reply {
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(wire)) as! [String: Any]
        edit(&object)
        let payload = try JSONSerialization.data(withJSONObject: ["id": id, "type": type, "data": ["object": object]] as [String: Any])
        let signature = WebhookSignature.header(payload: payload, secret: secret, timestamp: Int(Date().timeIntervalSince1970))
        let response = try await client.executeRequest(uri: "/api/v1/payments/webhooks/sandbox", method: .post,
                                                       headers: [.contentType: "application/json", .init("Stripe-Signature")!: signature],
                                                       body: ByteBuffer(data: payload))
        return Reply(status: response.status, headers: response.headers, body: response.body)
    }

    /// Uploads a video as `POST /api/v1/videos` (multipart: `file`, `caption`).
    @discardableResult
    func upload(_ bytes: [UInt8], caption: String?, token: String?, filename: String = "clip.mp4", type: String = "video/mp4") async throws -> Reply {
        var form = Multipart()
        if let caption { form.field("caption", caption) }
        form.file("file", filename: filename, type: type, bytes)
        var headers: HTTPFields = [.contentType: form.contentType]
        if let token { headers[.authorization] = "Bearer \(token)" }
        let response = try await client.executeRequest(uri: "/api/v1/videos", method: .post, headers: headers, body: form.finished())
        return Reply(status: response.status, headers: response.headers, body: response.body)
    }

    /// Posts a story as `POST /api/v1/stories` (multipart: `media`, `stickers`, `highlight`, `shared`).
    @discardableResult
    func postStory(_ bytes: [UInt8], stickers: String? = nil, highlight: String? = nil, shared: String? = nil, token: String?,
                   type: String = "image/jpeg") async throws -> Reply {
        var form = Multipart()
        if let stickers { form.field("stickers", stickers) }
        if let highlight { form.field("highlight", highlight) }
        if let shared { form.field("shared", shared) }
        form.file("media", filename: "story", type: type, bytes)
        var headers: HTTPFields = [.contentType: form.contentType]
        if let token { headers[.authorization] = "Bearer \(token)" }
        let response = try await client.executeRequest(uri: "/api/v1/stories", method: .post, headers: headers, body: form.finished())
        return Reply(status: response.status, headers: response.headers, body: response.body)
    }

    /// Signs up and signs in; returns the account id and a bearer token.
    func signUp(_ handle: String, password: String = "correct horse battery") async throws -> (id: String, token: String) {
        let created = try await request(.post, "/api/v1/accounts", json: #"{"handle":"\#(handle)","email":"\#(handle)@example.org","password":"\#(password)"}"#)
        guard created.status == .created else { throw TestFailure("sign-up failed: \(created.status) \(created.text)") }
        let session = try await request(.post, "/api/v1/sessions", json: #"{"handle":"\#(handle)","password":"\#(password)"}"#)
        guard session.status == .created else { throw TestFailure("sign-in failed: \(session.status) \(session.text)") }
        let json = try session.json()
        return ((try created.json())["id"] as! String, json["token"] as! String)
    }

    /// A platform admin made the way `goodcast admin create` makes one, then signed in.
    func admin(_ handle: String = "root") async throws -> String {
        try await withCommands { commands in
            _ = try await commands.createAdmin(handle: handle, email: "\(handle)@example.org", password: "admin password 1")
        }
        let session = try await request(.post, "/api/v1/sessions", json: #"{"handle":"\#(handle)","password":"admin password 1"}"#)
        return try session.json()["token"] as! String
    }

    /// Applies as a nonprofit; returns its id.
    func applyNonprofit(_ token: String, name: String = "Red Nose Day", country: String = "GB", number: String = "326568",
                        causes: String = #"["humanitarian-relief"]"#) async throws -> String {
        let reply = try await request(.post, "/api/v1/nonprofits", json: """
            {"name":"\(name)","country":"\(country)","registrationNumber":"\(number)","causes":\(causes),"website":"https://example.org"}
            """, token: token)
        guard reply.status == .created else { throw TestFailure("apply failed: \(reply.status) \(reply.text)") }
        return try reply.json()["id"] as! String
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension TestHarness {
    /// A verified nonprofit (owned by a new account) with a fundraiser in `currency`.
    struct Cause: Sendable {
        let nonprofit: String
        let fundraiser: String
        let ownerToken: String
        let adminToken: String
    }

    func verifiedFundraiser(currency: String = "USD", goal: Int64 = 100_000, owner: String = "rednoseday", country: String = "GB") async throws -> Cause {
        let admin = try await admin()
        let (_, ownerToken) = try await signUp(owner)
        let nonprofit = try await applyNonprofit(ownerToken, country: country)
        let verified = try await request(.post, "/api/v1/admin/nonprofits/\(nonprofit)/verify", token: admin)
        guard verified.status == .ok else { throw TestFailure("verify: \(verified.text)") }
        let created = try await request(.post, "/api/v1/fundraisers", json: #"{"nonprofitId":"\#(nonprofit)","title":"Red Nose Day 2026","goal":{"amount":\#(goal),"currency":"\#(currency)"}}"#, token: ownerToken)
        guard created.status == .created else { throw TestFailure("fundraiser: \(created.status) \(created.text)") }
        return Cause(nonprofit: nonprofit, fundraiser: try created.json()["id"] as! String, ownerToken: ownerToken, adminToken: admin)
    }

    /// The nonprofit's owner says where payouts go (a valid example IBAN): payouts wait for it.
    func addPayoutDetails(_ cause: Cause) async throws {
        let reply = try await request(.put, "/api/v1/nonprofits/\(cause.nonprofit)/payout-details",
                                      json: #"{"accountHolder":"Red Nose Day","iban":"GB82 WEST 1234 5698 7654 32"}"#, token: cause.ownerToken)
        guard reply.status == .ok else { throw TestFailure("payout details: \(reply.status) \(reply.text)") }
    }

    @discardableResult
    func donate(_ fundraiser: String, token: String, amount: Int64 = 1_000, currency: String = "USD", paymentToken: String = "tok_visa",
                key: String = UUID().uuidString, extra: String = "") async throws -> Reply {
        try await request(.post, "/api/v1/fundraisers/\(fundraiser)/donations",
                          json: #"{"amount":{"amount":\#(amount),"currency":"\#(currency)"},"paymentToken":"\#(paymentToken)"\#(extra)}"#,
                          token: token, headers: [.init("Idempotency-Key")!: key])
    }

    func fundraiser(_ id: String) async throws -> [String: Any] {
        try await request(.get, "/api/v1/fundraisers/\(id)").json()
    }

    /// Polls until `condition` holds (webhooks arrive on their own time), for at most `seconds`.
    func eventually(_ seconds: Double = 10, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }
}

func money(_ value: Any?) -> Int64? { ((value as? [String: Any])?["amount"] as? NSNumber)?.int64Value }
