import AsyncHTTPClient
import Foundation
import GoodcastCore
import NIOCore
import NIOHTTP1

/// Stripe's PaymentIntents and refunds over HTTPS. The same wire format as the sandbox
/// processor, against which it is tested (the live Stripe API cannot be reached here).
struct StripeProcessor: PaymentProcessor {
    let name: String
    let baseURL: String
    let secretKey: String
    var timeout: TimeAmount = .seconds(20)

    func charge(_ request: ChargeRequest) async throws(PaymentFailure) -> ProcessorCharge {
        var form: [(String, String)] = [
            ("amount", String(request.amount.amount)), ("currency", request.amount.currency.code.lowercased()),
            ("payment_method", request.token), ("confirm", "true"), ("description", request.description),
            ("expand[]", "latest_charge.balance_transaction"),
        ]
        form += request.metadata.sorted { $0.key < $1.key }.map { ("metadata[\($0.key)]", $0.value) }
        let (status, object) = try await send(.POST, "/v1/payment_intents", form: form, idempotencyKey: request.idempotencyKey)
        if status == 402, let error = object["error"] as? [String: Any] {
            throw .declined(code: error["decline_code"] as? String ?? error["code"] as? String ?? "card_declined",
                            message: error["message"] as? String ?? "The card was declined.")
        }
        guard status == 200 else { throw Self.failure(status, object) }
        return try Self.confirmed(object)
    }

    /// A confirmed intent's answer: a charge only once it has succeeded. An intent that wants
    /// the card holder's authentication (3-D Secure) or another card took no money: nothing
    /// here can ask the donor for it, so it is a decline. One still processing has not
    /// decided yet: its outcome is unknown, and a retry with the same key, or its webhook, learns it.
    static func confirmed(_ object: [String: Any]) throws(PaymentFailure) -> ProcessorCharge {
        guard let charge = Self.charge(object) else { throw .outcomeUnknown("unreadable answer from the processor") }
        if charge.succeeded { return charge }
        switch object["status"] as? String {
        case "processing":
            throw .outcomeUnknown("the payment is still processing")
        case "requires_action":
            throw .declined(code: "authentication_required", message: "The card needs its holder's authentication (3-D Secure), which this payment cannot ask for; use another card.")
        case let other:
            let error = (object["last_payment_error"] as? [String: Any])
            throw .declined(code: error?["decline_code"] as? String ?? error?["code"] as? String ?? other ?? "card_declined",
                            message: error?["message"] as? String ?? "The payment did not succeed (\(other ?? "no status")).")
        }
    }

    func refund(chargeID: String, amount: Money, idempotencyKey: String) async throws(PaymentFailure) -> ProcessorRefund {
        let (status, object) = try await send(.POST, "/v1/refunds", form: [("payment_intent", chargeID), ("amount", String(amount.amount))], idempotencyKey: idempotencyKey)
        guard status == 200 else { throw Self.failure(status, object) }
        guard let id = object["id"] as? String else { throw .outcomeUnknown("unreadable refund answer") }
        return ProcessorRefund(id: id, chargeID: chargeID, amount: amount)
    }

    func findCharge(metadata key: String, value: String) async throws(PaymentFailure) -> ProcessorCharge? {
        let query = "metadata['\(key)']:'\(value)'".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let (status, object) = try await send(.GET, "/v1/payment_intents/search?query=\(query)&expand[]=data.latest_charge.balance_transaction")
        guard status == 200 else { throw Self.failure(status, object) }
        return (object["data"] as? [[String: Any]] ?? []).compactMap(Self.charge).first { $0.succeeded }
    }

    func charge(id: String) async throws(PaymentFailure) -> ProcessorCharge? {
        let escaped = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "_"))) ?? ""
        let (status, object) = try await send(.GET, "/v1/payment_intents/\(escaped)?expand[]=latest_charge.balance_transaction")
        if status == 404 { return nil }
        guard status == 200 else { throw Self.failure(status, object) }
        return Self.charge(object)
    }

    /// Whether an intent as sent carries its fee (its latest charge expanded with the balance
    /// transaction), as the API's answers do here and Stripe's events do not.
    static func carriesFee(_ object: [String: Any]) -> Bool {
        ((object["latest_charge"] as? [String: Any])?["balance_transaction"] as? [String: Any])?["fee"] != nil
    }

    func allCharges() async throws(PaymentFailure) -> [ProcessorCharge] {
        try await list("")
    }

    func charges(createdSince since: Date) async throws(PaymentFailure) -> [ProcessorCharge] {
        try await list("&created[gte]=\(Int(since.timeIntervalSince1970))")
    }

    private func list(_ filter: String) async throws(PaymentFailure) -> [ProcessorCharge] {
        var result: [ProcessorCharge] = []
        var after = ""
        while true {
            let (status, object) = try await send(.GET, "/v1/payment_intents?limit=100\(filter)\(after)&expand[]=data.latest_charge.balance_transaction")
            guard status == 200 else { throw Self.failure(status, object) }
            let intents = object["data"] as? [[String: Any]] ?? []
            result += intents.compactMap(Self.charge).filter(\.succeeded)
            // The next page starts after the last intent Stripe sent, readable here or not (a
            // page of another currency's intents must not end the listing).
            guard object["has_more"] as? Bool == true, let last = intents.last?["id"] as? String else { return result }
            after = "&starting_after=\(last.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "_"))) ?? last)"
        }
    }

    private func send(_ method: HTTPMethod, _ path: String, form: [(String, String)]? = nil, idempotencyKey: String? = nil) async throws(PaymentFailure) -> (Int, [String: Any]) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(secretKey)")
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")))
        }
        do {
            let response = try await HTTPClient.payments.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 4 << 20)
            let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
            return (Int(response.status.code), object)
        } catch {
            // A timeout or a dropped connection says nothing about whether the charge happened.
            throw .outcomeUnknown("no answer from the processor: \(error)")
        }
    }

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    private static func failure(_ status: Int, _ object: [String: Any]) -> PaymentFailure {
        let message = (object["error"] as? [String: Any])?["message"] as? String ?? "HTTP \(status)"
        // 409: another request with the same idempotency key is still running at the processor
        // (a client's retry while the first attempt charges); its outcome is not known yet.
        if status == 400, (object["error"] as? [String: Any])?["type"] as? String == "idempotency_error" { return .idempotencyConflict }
        return status >= 500 || status == 429 || status == 409 ? .outcomeUnknown(message) : .rejected(message)
    }

    static func charge(_ object: [String: Any]) -> ProcessorCharge? {
        guard let id = object["id"] as? String, let amount = wholeNumber(object["amount"]),
              let code = object["currency"] as? String, let currency = Currency.supported[code.uppercased()] else { return nil }
        let latest = object["latest_charge"] as? [String: Any]
        let feeValue = (latest?["balance_transaction"] as? [String: Any])?["fee"]
        guard let fee = feeValue == nil ? 0 : wholeNumber(feeValue) else { return nil }
        return ProcessorCharge(
            id: id, amount: Money(amount, currency), fee: Money(fee, currency),
            succeeded: object["status"] as? String == "succeeded", metadata: object["metadata"] as? [String: String] ?? [:],
            created: Date(timeIntervalSince1970: TimeInterval(wholeNumber(object["created"]) ?? 0))
        )
    }

    /// A JSON number that is exactly a whole `Int64`, else nil. `NSNumber.int64Value` wraps and
    /// truncates: 1.5 was 1, 1e30 and 2^63 were Int64.min, 2^64 - 1 was -1, and `true` was 1.
    static func wholeNumber(_ value: Any?) -> Int64? {
        // JSON's true and false are the only numbers of type "c" (char) that JSONSerialization makes.
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
        // Integers, and big ones kept as decimals, print exactly.
        if let exact = Int64(number.stringValue) { return exact }
        // `1e2` and `100.0` are doubles: whole and below 2^53, they are taken as written.
        let double = number.doubleValue
        guard double.magnitude < 9_007_199_254_740_992, let whole = Int64(exactly: double) else { return nil }
        return whole
    }
}
