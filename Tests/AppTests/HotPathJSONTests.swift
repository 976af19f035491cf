@testable import App
import Foundation
import GoodcastCore
import PropertyBased
import Testing

/// Documents written directly on the donation hot path (`JSONText`) say what `JSONEncoder` says.
@Suite("Hot-path JSON")
struct HotPathJSONTests {
    static let text = Gen.oneOf(
        Gen.character(in: "\u{0}"..."\u{1F}"), Gen.character(in: " "..."~"), Gen.character(in: "\u{A0}"..."\u{2FFF}"), Gen.character(in: "\u{1F300}"..."\u{1F6FF}")
    ).string(of: 0...30)

    @Test("a donation's stored answer is APIJSON's text, byte for byte, whatever its status, message and dates")
    func donationAnswer() async {
        let statuses = Gen.element(of: ["pending", "succeeded", "declined", "failed"])
        await propertyCheck(input: Self.text, statuses, Gen.int64(in: 0...10_000_000), Gen.int64(in: 1_500_000_000_000...4_000_000_000_000), Gen.bool) {
            message, status, amount, millis, flag in
            let date = Date(timeIntervalSince1970: Double(millis) / 1000)
            let record = DonationRecord(
                id: UUID(), fundraiserId: UUID(), nonprofitId: UUID(), donorId: UUID(), amount: amount, giftAmount: amount / 2, fee: amount / 30,
                currencyCode: flag ? "USD" : "JPY", coverFees: flag, message: flag ? message : nil, visibilityName: flag ? "public" : "hide-amount",
                statusName: status!, failureCode: flag ? nil : message, failureMessage: nil, processor: "sandbox", chargeId: nil, paymentToken: "tok_visa",
                refunded: flag ? 0 : amount / 3, disputeName: flag ? "none" : "open", receiptNumber: flag ? "GC-20261127-ABC" : nil,
                createdAt: date, completedAt: flag ? nil : date.addingTimeInterval(0.4)
            )
            let output = DonationOutput(record)
            #expect(output.jsonText == (try! APIJSON.string(output)))
        }
    }

    @Test("a feed event's stored fields are APIJSON's text, byte for byte")
    func feedPayload() async {
        await propertyCheck(input: Self.text.array(of: 0...6), Gen.int64(in: .min ... .max)) { texts, number in
            var data: [String: FeedValue] = [:]
            for (index, text) in texts.enumerated() { data[text] = index % 2 == 0 ? .text(text) : .number(number &+ Int64(index)) }
            #expect(FeedLog.payload(data) == (try! APIJSON.string(data)))
        }
    }

    @Test("the webhook's glance names the donation the full reading of the same payment event names")
    func webhookGlance() async throws {
        let donor = UUID()
        await propertyCheck(input: Self.text, Self.text) { message, key in
            let events = SandboxEvents()
            let bank = SandboxBank(events: events)
            var metadata = ["message": message, "goodcast": DonationCharge.kind, "donor_id": donor.lowercasedString, "idempotency_key": key,
                            "fundraiser_id": UUID().uuidString]
            if key.count % 3 == 0 { metadata["donation_id"] = UUID().uuidString }
            guard case .succeeded(let intent) = try await bank.createIntent(amount: Money(1_234, .eur), token: "tok_visa", idempotencyKey: "charge-\(key)", metadata: metadata) else {
                Issue.record("the charge did not succeed")
                return
            }
            var iterator = events.stream.makeAsyncIterator()
            let event = try #require(await iterator.next())
            // The full reading, as the webhook does it when the glance says nothing.
            let envelope = try #require(try JSONSerialization.jsonObject(with: event.payload) as? [String: Any])
            let object = try #require((envelope["data"] as? [String: Any])?["object"] as? [String: Any])
            let named = try #require(StripeProcessor.charge(object).flatMap(DonationCharge.donationID(for:)))
            #expect(named == DonationCharge.donationID(for: SandboxProcessor.charge(intent)))
            #expect(WebhookService.recordedPaymentGlance(event.payload) == named)
        }
        // Other events, and payloads that are not one JSON document, are left to the full reading;
        // the same event, whole and of the right type, names its donation.
        let id = UUID().uuidString
        let event = #"{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"created":1,"metadata":{"donation_id":"\#(id)"}}}}"#
        #expect(WebhookService.recordedPaymentGlance(Data(event.utf8)) == UUID(uuidString: id))
        #expect(WebhookService.recordedPaymentGlance(Data(event.replacingOccurrences(of: "payment_intent.succeeded", with: "charge.refunded").utf8)) == nil)
        #expect(WebhookService.recordedPaymentGlance(Data(event.dropLast().utf8)) == nil)
        #expect(WebhookService.recordedPaymentGlance(Data(event.replacingOccurrences(of: #""data":{"#, with: #""data":{"metadata":{},"#).utf8)) == UUID(uuidString: id))
        #expect(WebhookService.recordedPaymentGlance(Data(event.replacingOccurrences(of: #""created":1,"#, with: #""created":1,"created":2,"#).utf8)) == nil)
    }

    @Test("the sandbox's payment event, written directly, reads as JSONEncoder's envelope of the same intent")
    func sandboxEvent() async throws {
        let events = SandboxEvents()
        let bank = SandboxBank(events: events)
        let metadata = ["message": "Merci \"à\" vous\n\u{1}/\\ 🎉", "goodcast": "1", "fundraiser_id": UUID().uuidString]
        guard case .succeeded(let intent) = try await bank.createIntent(amount: Money(1_234, .eur), token: "tok_visa", idempotencyKey: "k", metadata: metadata) else {
            Issue.record("the charge did not succeed")
            return
        }
        var iterator = events.stream.makeAsyncIterator()
        let event = try #require(await iterator.next())
        let envelope = try #require(try JSONSerialization.jsonObject(with: event.payload) as? [String: Any])
        #expect(envelope["id"] as? String == event.id)
        #expect(envelope["object"] as? String == "event")
        #expect(envelope["type"] as? String == "payment_intent.succeeded")
        #expect(envelope["livemode"] as? Bool == false)
        #expect((envelope["created"] as? Int).map { abs($0 - Int(Date().timeIntervalSince1970)) < 60 } == true)
        let object = try #require(((envelope["data"] as? [String: Any])?["object"]) as? NSDictionary)
        let expected = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(SandboxBank.wire(intent))) as? NSDictionary)
        #expect(object == expected)
        #expect((object["metadata"] as? [String: String]) == metadata)
    }

    @Test("a dispute, written directly, reads as its JSONEncoder form")
    func disputeWire() throws {
        let intent = SandboxBank.Intent(id: "pi_1", amount: Money(900, .usd), fee: Money(56, .usd), token: "tok_dispute",
                                        metadata: ["message": "\"quoted\" / ✨\n", "goodcast": "1"], created: 1_790_000_000, status: .succeeded)
        let wire = SandboxBank.disputeWire(intent, status: "needs_response")
        var json = JSONText()
        json.object { wire.write(&$0) }
        let written = try #require(try JSONSerialization.jsonObject(with: json.data) as? NSDictionary)
        let expected = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(wire)) as? NSDictionary)
        #expect(written == expected)
    }
}
