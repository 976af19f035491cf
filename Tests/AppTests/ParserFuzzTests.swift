@testable import App
import Foundation
import GoodcastCore
import HTTPTypes
import NIOCore
import PropertyBased
import Testing

/// Property-based fuzzing of the App's parsers of outside input: the webhook signature header
/// and event JSON, the streaming multipart reader, money in JSON bodies, query dates. Inputs
/// are random but biased toward separators, digits, CR/LF, boundary fragments and high bytes;
/// a failure prints the `.fixedSeed` that reproduces it. Each test has a fixed number of
/// iterations that keeps it within a few seconds in a debug build.
@Suite("Parser fuzzing (App)")
struct ParserFuzzTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)
    static let secret = "whsec_fuzz"

    // MARK: Webhook signatures

    @Test("Stripe-Signature: the scheme is Stripe's (HMAC-SHA256 of \"t.payload\", lowercase hex)")
    func signatureVector() throws {
        // Computed independently (Python's hmac module).
        let payload = Data(#"{"id":"evt_1"}"#.utf8)
        #expect(WebhookSignature.hmac(payload: payload, secret: "whsec_test", timestamp: 1_700_000_000)
                == "c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925")
        let header = "t=1700000000,v1=c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925"
        try WebhookSignature.verify(header: header, payload: payload, secret: "whsec_test", now: Self.now)
        // The hex digits themselves, for every byte, against Foundation's formatting.
        #expect(Secrets.hex((0...255).map(UInt8.init)) == (0...255).map { String(format: "%02x", $0) }.joined())
        #expect(Secrets.hex([UInt8]()) == "")
        // Random hex: the length asked for, hex digits only, and not the same twice.
        for count in [0, 1, 7, 8, 12, 33] {
            let text = Secrets.randomHex(byteCount: count)
            #expect(text.count == count * 2 && text.allSatisfy { "0123456789abcdef".contains($0) })
        }
        #expect(Set((0..<1000).map { _ in Secrets.randomHex(byteCount: 12) }).count == 1000)
    }

    @Test("UUID text: the fast lower-case form is Foundation's, for any id")
    func uuidText() {
        let extremes = [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                        UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))]
        for id in extremes + (0..<2000).map({ _ in UUID() }) {
            #expect(id.lowercasedString == id.uuidString.lowercased())
        }
    }

    @Test("Stripe-Signature: any header and payload are refused with the error the format says, never verified")
    func anySignatureHeader() async {
        await propertyCheck(count: 4000, input: Noise.signatureRecipe, Noise.payload) { recipe, payload in
            let timestamp = Int(Self.now.timeIntervalSince1970) - 1000
            // The recipe may hold a genuine signature, for another timestamp than the one it names.
            let header = recipe
                .replacingOccurrences(of: "<T>", with: String(timestamp))
                .replacingOccurrences(of: "<SIG>", with: WebhookSignature.hmac(payload: payload, secret: Self.secret, timestamp: timestamp + 1))
            let expected = ReferenceSignature.check(header: header, payload: payload, secret: Self.secret, now: Self.now)
            #expect(expected != .ok, "\(shown(header))")
            #expect(outcome(header: header, payload: payload, secret: Self.secret) == expected, "\(shown(header))")
        }
    }

    @Test("Stripe-Signature: a signed payload, mutated, is refused with the right error; untouched, it verifies")
    func mutatedSignatures() async {
        await propertyCheck(count: 3000, input: Noise.payload, Noise.signatureMutation, Gen.int(in: -400...400)) { payload, mutation, age in
            let timestamp = Int(Self.now.timeIntervalSince1970) - age
            let header = WebhookSignature.header(payload: payload, secret: Self.secret, timestamp: timestamp)
            let fresh: Outcome = abs(age) <= 300 ? .ok : .failure(.tooOld)
            #expect(outcome(header: header, payload: payload, secret: Self.secret) == fresh)
            let (mutatedHeader, mutatedPayload, secret) = mutation.apply(header: header, payload: payload, secret: Self.secret)
            let got = outcome(header: mutatedHeader, payload: mutatedPayload, secret: secret)
            let context = "\(mutation) \(shown(mutatedHeader))"
            #expect(got == ReferenceSignature.check(header: mutatedHeader, payload: mutatedPayload, secret: secret, now: Self.now), "\(context)")
            switch mutation {
            case .flipPayloadByte, .truncatePayload, .appendToPayload, .wrongSecret:
                #expect(got == .failure(.mismatch), "\(context)")
            case .neutralCommas, .spaces, .extraSignature, .unknownScheme:
                #expect(got == fresh, "\(context)")
            case .replaceTimestamp(let text):
                let expected: Outcome = Int(text) == nil ? .failure(.malformed) : Int(text) == timestamp ? fresh : .failure(.mismatch)
                #expect(got == expected, "\(context)")
            case .resign(let other):
                #expect(got == (abs(Self.now.timeIntervalSince1970 - Double(other)) <= 300 ? .ok : .failure(.tooOld)), "\(context)")
            case .truncateHeader(let length):
                let prefix = header.prefix(length % header.count)
                let expected: Outcome = prefix.isEmpty ? .failure(.missing) : prefix.contains("v1=") && !prefix.hasSuffix("v1=") ? .failure(.mismatch) : .failure(.malformed)
                #expect(got == expected, "\(context)")
            case .dropSignature, .dropTimestamp:
                #expect(got == .failure(.malformed), "\(context)")
            case .uppercaseSignature, .flipHeaderCharacter:
                #expect(got != .ok, "\(context)")
            }
        }
    }

    @Test("Stripe-Signature: regressions (extreme timestamps are refused, not trapped on)")
    func signatureExtremes() {
        let payload = Data("{}".utf8)
        for timestamp in [Int.max, Int.min, Int.max - 1, 0, -1] {
            let header = WebhookSignature.header(payload: payload, secret: Self.secret, timestamp: timestamp)
            #expect(outcome(header: header, payload: payload, secret: Self.secret) == .failure(.tooOld), "\(timestamp)")
        }
        let signature = WebhookSignature.hmac(payload: payload, secret: Self.secret, timestamp: 1_700_000_000)
        for t in ["99999999999999999999", "-99999999999999999999", "1e9", "0x65", "", "١٧٠٠٠٠٠٠٠٠", "1700000000.0"] {
            #expect(outcome(header: "t=\(t),v1=\(signature)", payload: payload, secret: Self.secret) == .failure(.malformed), "\(t)")
        }
        #expect(outcome(header: nil, payload: payload, secret: Self.secret) == .failure(.missing))
        #expect(outcome(header: ",,,", payload: payload, secret: Self.secret) == .failure(.malformed))
        // An empty key is no key: "=t=…" names no timestamp (found by `anySignatureHeader`).
        #expect(outcome(header: "v1=\(signature),=t=1700000000,", payload: payload, secret: Self.secret) == .failure(.malformed))
        #expect(outcome(header: "=t=1700000000,v1=\(signature)", payload: payload, secret: Self.secret) == .failure(.malformed))
        // An empty value does not replace an earlier one.
        #expect(outcome(header: "t=1700000000,t=,v1=\(signature)", payload: payload, secret: Self.secret) == .ok)
        // Spaces and tabs around keys and values, as HTTP allows; nothing else is trimmed.
        #expect(outcome(header: " t = 1700000000 ,\tv1=\t\(signature) ", payload: payload, secret: Self.secret) == .ok)
        #expect(outcome(header: "t=\u{00A0}1700000000,v1=\(signature)", payload: payload, secret: Self.secret) == .failure(.malformed))
    }

    private func outcome(header: String?, payload: Data, secret: String) -> Outcome {
        do {
            try WebhookSignature.verify(header: header, payload: payload, secret: secret, now: Self.now)
            return .ok
        } catch {
            return .failure(error)
        }
    }

    // MARK: Webhook events

    @Test("charges in processor JSON: amounts and fees are exact whole numbers or the charge is unreadable")
    func chargeObjects() async {
        await propertyCheck(count: 5000, input: Noise.numberLiteral, Noise.numberLiteral.optional, Noise.currencyLiteral) { amount, fee, currency in
            let feeJSON = fee.map { #","latest_charge":{"id":"ch_1","balance_transaction":{"fee":\#($0.text)}}"# } ?? ""
            let json = #"{"id":"pi_1","amount":\#(amount.text),"currency":\#(currency.text),"status":"succeeded","metadata":{"k":"v"}\#(feeJSON)}"#
            guard let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] else {
                // JSON that cannot hold the number at all (1E400): refused before any charge.
                #expect(amount.value == nil || fee?.value == nil, "\(json)")
                return
            }
            let charge = StripeProcessor.charge(object)
            // Currency codes are taken as the processor writes them: no spaces around.
            let code = currency.text.contains(" ") ? nil : currency.code
            let feeValue: Int64?? = fee.map(\.value) ?? .some(0)
            if let value = amount.value, let code, case .some(.some(let feeAmount)) = feeValue {
                #expect(charge?.amount == Money(value, Currency.supported[code]!), "\(json)")
                #expect(charge?.fee == Money(feeAmount, Currency.supported[code]!), "\(json)")
                #expect(charge?.succeeded == true && charge?.metadata == ["k": "v"])
            } else {
                #expect(charge == nil, "\(json) → \(String(describing: charge))")
            }
        }
    }

    @Test("charges in processor JSON: regressions (numbers NSNumber wrapped or truncated)")
    func chargeRegressions() throws {
        func amount(_ literal: String) throws -> Int64? {
            let object = try JSONSerialization.jsonObject(with: Data(#"{"id":"pi_1","amount":\#(literal),"currency":"usd"}"#.utf8)) as! [String: Any]
            return StripeProcessor.charge(object)?.amount.amount
        }
        // Each was read as a real amount: 1, Int64.min, Int64.min, -1, 1, and a wrapped value.
        for literal in ["1.5", "1e30", "9223372036854775808", "18446744073709551615", "true", "123456789012345678901234567890", "-9223372036854775809"] {
            #expect(try amount(literal) == nil, "\(literal)")
        }
        #expect(try amount("1250") == 1250)
        #expect(try amount("1e2") == 100)
        #expect(try amount("-9223372036854775808") == .min)
        #expect(try amount("9223372036854775807") == .max)
    }

    @Test("webhooks over HTTP: bad signatures are 400, signed garbage is never a 5xx but a dispute to retry")
    func webhookRequests() async throws {
        let requests = Noise.webhookRequests(count: 250)
        try await withTestApp(.sqlite) { app in
            let path = "/api/v1/payments/webhooks/\(app.services.processor.name)"
            for request in requests {
                let timestamp = Int(Date().timeIntervalSince1970)
                let signature = request.signed
                    ? WebhookSignature.header(payload: request.payload, secret: app.config.webhookSecret, timestamp: timestamp)
                    : request.header
                var headers: HTTPFields = [.contentType: "application/json"]
                if let signature { headers[.init("Stripe-Signature")!] = signature }
                let response = try await app.client.executeRequest(uri: path, method: .post, headers: headers, body: ByteBuffer(data: request.payload))
                let context = "\(response.status) \(shown(String(decoding: request.payload.prefix(200), as: UTF8.self))) \(shown(signature ?? "nil"))"
                if !request.signed {
                    #expect(response.status == .badRequest, "\(context)")
                } else if response.status == .serviceUnavailable {
                    // A dispute for a charge not recorded (yet): the processor is to deliver it again.
                    #expect(request.isDispute && response.headers[.retryAfter] != nil, "\(context)")
                } else {
                    #expect([.ok, .badRequest].contains(response.status), "\(context)")
                }
            }
        }
    }

    // MARK: Money in JSON bodies

    @Test("money in JSON: amounts are exact whole minor units, currencies any case, or a 4xx naming the field")
    func moneyInput() async {
        await propertyCheck(count: 5000, input: Noise.numberLiteral.optional, Noise.currencyLiteral.optional) { amount, currency in
            let members = [amount.map { #""amount":\#($0.text)"# }, currency.map { #""currency":\#($0.text)"# }].compactMap { $0 }
            let json = "{" + members.joined(separator: ",") + "}"
            guard let input = try? JSONDecoder().decode(MoneyInput.self, from: Data(json.utf8)) else {
                // A type error is a 422 (Problem.decoding): the amount was not a whole number, or not a number.
                #expect(amount != nil && amount?.value == nil || currency != nil && currency?.isString == false, "\(json)")
                return
            }
            #expect(input.amount == amount?.value, "\(json)")
            do throws(ValidationIssue) {
                let money = try input.parse(field: "amount")
                #expect(money.amount == amount?.value && money.currency.code == currency?.code, "\(json)")
            } catch {
                #expect(amount?.value == nil ? error.field == "amount.amount" : error.field == "amount.currency" && currency?.code == nil, "\(json) \(error)")
            }
        }
    }

    // MARK: Dates in queries

    @Test("query dates: any text is refused, or read exactly as RFC 3339 says")
    func queryDates() async {
        await propertyCheck(count: 3000, input: Noise.dateText) { text in
            let parsed = try? DateParameter.parse(text, field: "from")
            let expected = ReferenceDate.read(text)
            #expect((parsed == nil) == (expected == nil), "\(shown(text)) → \(String(describing: parsed?.timeIntervalSince1970))")
            // Within a tenth of a millisecond: a Date far from 2001 has no finer resolution.
            if let parsed, let expected { #expect(abs(parsed.timeIntervalSince(expected)) < 1e-4, "\(shown(text))") }
        }
    }

    @Test("query dates: every instant, formatted in any offset, reads back")
    func queryDateRoundTrip() async {
        // 1583 to 9999 (Foundation's formatter is Julian before the Gregorian reform; this parser is proleptic Gregorian).
        await propertyCheck(count: 3000, input: Gen.int64(in: -12_212_553_600...253_402_214_399), Gen.int(in: -1439...1439), Gen.int(in: 0...999)) { seconds, offsetMinutes, millis in
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            var text = ISO8601DateFormatter.string(from: date.addingTimeInterval(TimeInterval(offsetMinutes * 60)),
                                                   timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate, .withFullTime])
            guard text.hasSuffix("Z") else { return }
            let sign = offsetMinutes < 0 ? "-" : "+"
            text = String(text.dropLast()) + String(format: ".%03d%@%02d:%02d", millis, sign, abs(offsetMinutes) / 60, abs(offsetMinutes) % 60)
            let parsed = try? DateParameter.parse(text, field: "from")
            #expect(parsed.map { abs($0.timeIntervalSince(date) - Double(millis) / 1000) < 1e-4 } == true, "\(text)")
            // The day alone is its midnight in UTC.
            let day = UTCDay(date)
            #expect((try? DateParameter.parse(day.iso, field: "from")) == day.start)
        }
    }

    @Test("query dates: regressions (Foundation's lenient ISO 8601 reading)")
    func queryDateRegressions() throws {
        for text in ["2026-02-30", "2026-11-30T25:00:00Z", "2026-11-30T19:00:00Zjunk", "2026-11-30junk", "2026-11-30 19:00:00Z",
                     "2026-11-30T19:00:00", "2026-11-30T19:00Z", "2026-1-3", "02026-11-30", "2026-11-30T19:00:60Z", "2026-11-30T19:00:00+24:00"] {
            #expect(throws: ValidationIssue.self, "\(text)") { try DateParameter.parse(text, field: "from") }
        }
        #expect(try DateParameter.parse("2026-11-30", field: "from") == UTCDay(iso: "2026-11-30")!.start)
        #expect(try DateParameter.parse("2026-11-30T19:00:00Z", field: "from") == Date(timeIntervalSince1970: 1_796_065_200))
        #expect(try DateParameter.parse("2026-11-30T21:00:00+02:00", field: "from") == Date(timeIntervalSince1970: 1_796_065_200))
        #expect(try DateParameter.parse("2026-11-30t19:00:00.5z", field: "from") == Date(timeIntervalSince1970: 1_796_065_200.5))
    }

    // MARK: Multipart

    @Test("multipart: any well-formed body, split into any pieces, gives exactly its parts")
    func multipartBodies() async {
        await propertyCheck(count: 500, input: Noise.multipartBody, Noise.chunkSeed) { body, seed in
            let reference = MultipartReading.read(body.bytes, boundary: body.boundary, chunks: [body.bytes.count])
            #expect(reference == .init(parts: body.parts, complete: true, error: nil), "\(body.boundary)")
            for sizes in Noise.chunkings(body.bytes.count, seed: seed, delimiter: body.boundary.utf8.count + 4) {
                #expect(MultipartReading.read(body.bytes, boundary: body.boundary, chunks: sizes) == reference, "\(sizes.prefix(20))")
            }
        }
    }

    @Test("multipart: truncated, unterminated or corrupted bodies give a prefix of the parts or a clear error, the same in any pieces")
    func multipartDamage() async {
        await propertyCheck(count: 500, input: Noise.multipartBody, Noise.multipartDamage, Noise.chunkSeed) { body, damage, seed in
            let (bytes, kind) = damage.apply(to: body)
            let whole = MultipartReading.read(bytes, boundary: body.boundary, chunks: [bytes.count])
            for sizes in Noise.chunkings(bytes.count, seed: seed, delimiter: body.boundary.utf8.count + 4) {
                #expect(MultipartReading.read(bytes, boundary: body.boundary, chunks: sizes) == whole, "\(kind) \(sizes.prefix(20))")
            }
            switch kind {
            case .truncated(let length):
                // Whatever was read is the start of the real parts; complete only past the closing "--".
                #expect(whole.error == nil && whole.isPrefix(of: body.parts), "\(kind)")
                #expect(whole.complete == (length >= body.closingEnd), "\(kind) closing at \(body.closingEnd)")
                if whole.complete { #expect(whole.parts == body.parts) }
            case .unterminated:
                #expect(!whole.complete && whole.error == nil && whole.isPrefix(of: body.parts))
            case .corrupted:
                // The same answer in any pieces (above); a byte changed to itself changes nothing.
                if bytes == body.bytes { #expect(whole == .init(parts: body.parts, complete: true, error: nil)) }
            case .hugeHeader(let size):
                let tooLong = size > MultipartStream.maxHeaderBytes
                #expect(tooLong ? whole.error == "a part's headers are too long" : whole.error == nil && whole.complete, "\(kind)")
            }
        }
    }

    @Test("multipart over HTTP: random, damaged and truncated uploads are a 4xx, never a 5xx")
    func multipartRequests() async throws {
        var rng: Noise.RNG = Xoshiro()
        var bodies: [(boundary: String, bytes: [UInt8])] = []
        for _ in 0..<60 {
            let body = Noise.multipartBody.run(using: &rng)
            let (bytes, _) = Noise.multipartDamage.run(using: &rng).apply(to: body)
            bodies.append((body.boundary, Noise.chance(0.3, &rng) ? body.bytes : bytes))
        }
        let uploads = bodies
        try await withTestApp(.sqlite, configure: { $0.maxVideoBytes = 64 * 1024 }) { app in
            let (_, token) = try await app.signUp("fuzzer")
            for (boundary, bytes) in uploads {
                let response = try await app.client.executeRequest(uri: "/api/v1/videos", method: .post,
                                                                   headers: [.contentType: "multipart/form-data; boundary=\"\(boundary)\"", .authorization: "Bearer \(token)"],
                                                                   body: ByteBuffer(bytes: bytes))
                #expect((400..<500).contains(response.status.code), "\(response.status) \(shown(boundary)) \(bytes.count) bytes: \(String(buffer: response.body).prefix(200))")
            }
        }
    }

    @Test("multipart: regressions found by fuzzing")
    func multipartRegressions() {
        // Headers longer than the limit were refused when they came in small pieces but taken
        // when they came in one: the answer now depends on the bytes alone, at the exact limit too.
        for size in [MultipartStream.maxHeaderBytes - 1, MultipartStream.maxHeaderBytes, MultipartStream.maxHeaderBytes + 1, 40_000] {
            let block = "X: " + String(repeating: "a", count: size - 3)
            let body = Array("--b\r\n\(block)\r\n\r\nhello\r\n--b--\r\n".utf8)
            let results = [[body.count], Array(repeating: 1, count: body.count), [MultipartStream.maxHeaderBytes + 2, 10_000_000]].map {
                MultipartReading.read(body, boundary: "b", chunks: $0)
            }
            #expect(Set(results.map(\.error)).count == 1, "\(size)")
            #expect(results[0].error == (size > MultipartStream.maxHeaderBytes ? "a part's headers are too long" : nil), "\(size)")
        }
        // A header value starting with a combining mark: the ":" before it is still the separator.
        let marked = MultipartReading.read(Array("--b\r\nName:\u{301}x\r\n\r\nv\r\n--b--".utf8), boundary: "b", chunks: [100])
        #expect(marked.parts.first?.headers.first.map { $0.name == "name" && $0.value == "\u{301}x" } == true, "\(marked)")
    }
}

// MARK: - Signature reference

enum Outcome: Equatable, CustomStringConvertible {
    case ok
    case failure(WebhookSignature.Failure)
    var description: String {
        switch self {
        case .ok: "ok"
        case .failure(let failure): "\(failure)"
        }
    }
}

/// Stripe's header format, written from its description: comma-separated `key=value` items
/// (whitespace around either ignored, items without a key or a value ignored); the last `t`
/// is the timestamp (a decimal integer), every `v1` a candidate signature.
enum ReferenceSignature {
    static func check(header: String?, payload: Data, secret: String, now: Date) -> Outcome {
        guard let header, !header.isEmpty else { return .failure(.missing) }
        var timestampText: String?, signatures: [String] = []
        for item in header.split(separator: ",") {
            guard let equals = item.firstIndex(of: "=") else { continue }
            let key = item[..<equals].trimmingCharacters(in: .whitespaces)
            let value = item[item.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, !item[item.index(after: equals)...].isEmpty else { continue }
            if key == "t" { timestampText = value } else if key == "v1" { signatures.append(value) }
        }
        guard let timestampText, let timestamp = Int(timestampText), !signatures.isEmpty else { return .failure(.malformed) }
        guard signatures.contains(WebhookSignature.hmac(payload: payload, secret: secret, timestamp: timestamp)) else { return .failure(.mismatch) }
        return abs(now.timeIntervalSince1970 - Double(timestamp)) <= 300 ? .ok : .failure(.tooOld)
    }
}

enum SignatureMutation: CustomStringConvertible, Sendable {
    case flipPayloadByte(Int, UInt8), truncatePayload(Int), appendToPayload([UInt8]), wrongSecret
    case neutralCommas, spaces, extraSignature(String), unknownScheme
    case replaceTimestamp(String), resign(Int), truncateHeader(Int), dropSignature, dropTimestamp
    case uppercaseSignature, flipHeaderCharacter(Int, Character)

    var description: String {
        switch self {
        case .flipPayloadByte(let at, let mask): "flipPayloadByte(\(at), \(mask))"
        case .truncatePayload(let n): "truncatePayload(\(n))"
        case .appendToPayload(let bytes): "appendToPayload(\(bytes.count) bytes)"
        case .replaceTimestamp(let text): "replaceTimestamp(\(shown(text)))"
        case .resign(let t): "resign(\(t))"
        case .truncateHeader(let n): "truncateHeader(\(n))"
        case .extraSignature(let text): "extraSignature(\(text.prefix(10)))"
        case .flipHeaderCharacter(let at, let character): "flipHeaderCharacter(\(at), \(shown(String(character))))"
        case .wrongSecret: "wrongSecret"
        case .neutralCommas: "neutralCommas"
        case .spaces: "spaces"
        case .unknownScheme: "unknownScheme"
        case .dropSignature: "dropSignature"
        case .dropTimestamp: "dropTimestamp"
        case .uppercaseSignature: "uppercaseSignature"
        }
    }

    func apply(header: String, payload: Data, secret: String) -> (String, Data, String) {
        let fields = header.split(separator: ",").map(String.init) // ["t=…", "v1=…"]
        switch self {
        case .flipPayloadByte(let at, let mask):
            guard !payload.isEmpty else { return (header, payload + [mask], secret) }
            var bytes = [UInt8](payload)
            bytes[at % bytes.count] ^= mask
            return (header, Data(bytes), secret)
        case .truncatePayload(let n):
            guard !payload.isEmpty else { return (header, Data([0x20]), secret) }
            return (header, payload.prefix(n % payload.count), secret)
        case .appendToPayload(let bytes): return (header, payload + bytes, secret)
        case .wrongSecret: return (header, payload, secret + "x")
        case .neutralCommas: return (",," + fields.joined(separator: ",,,") + ",", payload, secret)
        case .spaces: return (fields.map { $0.replacingOccurrences(of: "=", with: " = ") }.joined(separator: " , "), payload, secret)
        case .extraSignature(let hex): return (header + ",v1=" + hex, payload, secret)
        case .unknownScheme: return ("v0=abc," + header + ",x=y,t", payload, secret)
        case .replaceTimestamp(let text): return ("t=" + text + "," + fields[1], payload, secret)
        case .resign(let other): return (WebhookSignature.header(payload: payload, secret: secret, timestamp: other), payload, secret)
        case .truncateHeader(let n): return (String(header.prefix(n % header.count)), payload, secret)
        case .dropSignature: return (fields[0], payload, secret)
        case .dropTimestamp: return (fields[1], payload, secret)
        case .uppercaseSignature: return (fields[0] + "," + fields[1].uppercased().replacingOccurrences(of: "V1=", with: "v1="), payload, secret)
        case .flipHeaderCharacter(let at, let character):
            var characters = Array(header)
            let index = at % characters.count
            guard characters[index] != character else { return (header + "x", payload, secret) }
            characters[index] = character
            return (String(characters), payload, secret)
        }
    }
}

// MARK: - Multipart reference

/// What `MultipartStream` gives for a body fed in pieces of the given sizes: the parts (body
/// pieces joined), whether the closing boundary was read, the error if any.
struct MultipartReading: Equatable, CustomStringConvertible {
    struct Part: Equatable {
        var headers: [Header]
        var body: [UInt8]
    }

    struct Header: Equatable {
        let name: String
        let value: String
    }

    var parts: [Part]
    var complete: Bool
    var error: String?

    var description: String { "\(parts.count) parts, complete \(complete), error \(error ?? "none")" }

    static func read(_ bytes: [UInt8], boundary: String, chunks sizes: [Int]) -> MultipartReading {
        let stream = MultipartStream(boundary: boundary)
        var reading = MultipartReading(parts: [], complete: false, error: nil)
        var offset = 0, index = 0
        do {
            while offset < bytes.count {
                let size = max(1, sizes[index % sizes.count])
                index += 1
                let end = min(bytes.count, offset + size)
                try stream.feed(bytes[offset..<end]) { event in
                    switch event {
                    case .part(let headers): reading.parts.append(Part(headers: headers.map { Header(name: $0.name, value: $0.value) }, body: []))
                    case .body(let piece): reading.parts[reading.parts.count - 1].body += piece
                    case .end: break
                    }
                }
                offset = end
            }
        } catch let malformed as MultipartStream.Malformed {
            reading.error = malformed.reason
        } catch {
            reading.error = "\(error)"
        }
        reading.complete = stream.isComplete
        return reading
    }

    /// Each part read is a real part, the last one possibly cut short.
    func isPrefix(of expected: [Part]) -> Bool {
        guard parts.count <= expected.count else { return false }
        for (index, part) in parts.enumerated() {
            let real = expected[index]
            if index < parts.count - 1 || complete {
                guard part == real else { return false }
            } else {
                guard part.headers == real.headers, real.body.starts(with: part.body) else { return false }
            }
        }
        return true
    }
}

/// A generated multipart body with the parts it holds.
struct MultipartBody: Sendable, CustomStringConvertible {
    let boundary: String
    let bytes: [UInt8]
    let parts: [MultipartReading.Part]
    /// Just past the closing `--boundary--`.
    let closingEnd: Int
    /// Where each part's header block starts.
    let headerStarts: [Int]

    var description: String { "boundary \(shown(boundary)), \(parts.count) parts, \(bytes.count) bytes" }
}

enum MultipartDamage: Sendable {
    case truncate(Int), unterminate, corrupt(Int, UInt8), hugeHeader(Int)

    enum Kind: CustomStringConvertible {
        case truncated(Int), unterminated, corrupted, hugeHeader(Int)
        var description: String {
            switch self {
            case .truncated(let n): "truncated at \(n)"
            case .unterminated: "unterminated"
            case .corrupted: "corrupted"
            case .hugeHeader(let n): "header block of \(n) bytes"
            }
        }
    }

    func apply(to body: MultipartBody) -> ([UInt8], Kind) {
        switch self {
        case .truncate(let n):
            let length = n % (body.bytes.count + 1)
            return (Array(body.bytes.prefix(length)), .truncated(length))
        case .unterminate:
            // Everything up to the closing boundary's "--".
            return (Array(body.bytes.prefix(body.closingEnd - 2)), .unterminated)
        case .corrupt(let at, let byte):
            var bytes = body.bytes
            let start = body.headerStarts.isEmpty ? 0 : body.headerStarts[at % body.headerStarts.count]
            bytes[min(bytes.count - 1, start + at % 16)] = byte
            return (bytes, .corrupted)
        case .hugeHeader(let size):
            let block = "X-Long: " + String(repeating: "z", count: max(0, size - 8))
            let bytes = Array("--\(body.boundary)\r\n\(block)\r\n\r\nbody\r\n--\(body.boundary)--\r\n".utf8)
            return (bytes, .hugeHeader(block.utf8.count))
        }
    }
}

// MARK: - Date reference

/// RFC 3339 (`full-date`, or `date-time` with seconds and a zone), by hand, with Foundation's
/// calendar for the instant.
enum ReferenceDate {
    static func read(_ text: String) -> Date? {
        let pattern = /(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2})))?/
        guard text.unicodeScalars.allSatisfy(\.isASCII), let match = try? pattern.wholeMatch(in: text) else { return nil }
        let year = Int(match.1)!, month = Int(match.2)!, day = Int(match.3)!
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), (1...lengths[month - 1]).contains(day) else { return nil }
        // Days since 1970 by counting (no calendar conversions to trust).
        var days = 0
        if year >= 1970 { for y in 1970..<year { days += isLeap(y) ? 366 : 365 } } else { for y in year..<1970 { days -= isLeap(y) ? 366 : 365 } }
        for m in 0..<(month - 1) { days += lengths[m] }
        days += day - 1
        var seconds = Double(days) * 86_400
        guard let hourText = match.4 else { return Date(timeIntervalSince1970: seconds) }
        let hour = Int(hourText)!, minute = Int(match.5!)!, second = Int(match.6!)!
        guard hour <= 23, minute <= 59, second <= 59 else { return nil }
        seconds += Double(hour * 3600 + minute * 60 + second)
        if let fraction = match.7 { seconds += Double(Int(fraction)!) / pow(10, Double(fraction.count)) }
        if let sign = match.9 {
            let hours = Int(match.10!)!, minutes = Int(match.11!)!
            guard hours <= 23, minutes <= 59 else { return nil }
            seconds -= Double((hours * 60 + minutes) * 60) * (sign == "-" ? -1 : 1)
        }
        return Date(timeIntervalSince1970: seconds)
    }

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }
}

// MARK: - Generators

/// A JSON number (or not-a-number) literal and the whole Int64 it is exactly, if any.
struct NumberLiteral: Sendable, CustomStringConvertible {
    let text: String
    let value: Int64?
    var description: String { text }
}

struct CurrencyLiteral: Sendable, CustomStringConvertible {
    let text: String
    /// The supported currency it names.
    let code: String?
    let isString: Bool
    var description: String { text }
}

struct WebhookRequest: Sendable {
    let payload: Data
    let signed: Bool
    let header: String?
    let isDispute: Bool
}

enum Noise {
    typealias RNG = any SeededRandomNumberGenerator

    static func pick<T>(_ items: [T], _ rng: inout RNG) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }
    static func chance(_ probability: Double, _ rng: inout RNG) -> Bool { Double.random(in: 0..<1, using: &rng) < probability }
    static func int(_ range: ClosedRange<Int>, _ rng: inout RNG) -> Int { Int.random(in: range, using: &rng) }
    static func bytes(_ count: Int, _ rng: inout RNG) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) } }

    static func hex(_ count: Int, _ rng: inout RNG) -> String {
        String((0..<count).map { _ in pick(Array("0123456789abcdef"), &rng) })
    }

    /// Payloads: JSON-looking text, random bytes, invalid UTF-8, empty.
    static let payload = Generator<Data, Shrink.None<Data>> { rng in
        switch int(0...4, &rng) {
        case 0: return Data()
        case 1: return Data(bytes(int(1...300, &rng), &rng))
        default:
            let pieces = [#"{"id":"evt_1""#, #","type":"charge.dispute.created""#, #","data":{"object":{}}}"#, "{", "}", "[", "]", ",", ":", "\"", "é", "\u{0}", "\r\n", "1e999", "-0", "null"]
            return Data((0..<int(0...12, &rng)).map { _ in pick(pieces, &rng) }.joined().utf8)
        }
    }

    /// Header recipes: `<T>` and `<SIG>` become a timestamp and a genuine signature for another one.
    static let signatureRecipe = Generator<String, Shrink.None<String>> { rng in
        let pieces = ["t=", "t=", "v1=", "v1=", "v0=", ",", ",", "=", " ", "\t", "t", "v1", "<T>", "<SIG>", "<SIG>", "-", "+", "0", "1700000000",
                      "99999999999999999999", String(Int.max), String(Int.min), "1e9", "0x1F", "\u{0}", "é", "\r\n", ";", "T=", "V1="]
        var text = ""
        for _ in 0..<int(0...10, &rng) {
            switch int(0...9, &rng) {
            case 0: text += hex(64, &rng)
            case 1: text += String(Unicode.Scalar(UInt32.random(in: 0...0xD7FF, using: &rng))!)
            default: text += pick(pieces, &rng)
            }
        }
        return text
    }

    static let signatureMutation = Generator<SignatureMutation, Shrink.None<SignatureMutation>> { rng in
        switch int(0...15, &rng) {
        case 0: return .flipPayloadByte(int(0...1000, &rng), UInt8.random(in: 1...255, using: &rng))
        case 1: return .truncatePayload(int(0...1000, &rng))
        case 2: return .appendToPayload(bytes(int(1...5, &rng), &rng))
        case 3: return .wrongSecret
        case 4: return .neutralCommas
        case 5: return .spaces
        case 6: return .extraSignature(hex(pick([64, 63, 65, 0], &rng), &rng))
        case 7: return .unknownScheme
        case 8:
            return .replaceTimestamp(pick(["99999999999999999999", "-1", "0", "abc", "", " ", "1e9", "0x10", String(Int.max), String(Int.min),
                                           "1700000000", "+1700000000", "1700000000.5", "١٧٠٠٠٠٠٠٠٠", String(int(0...2_000_000_000, &rng))], &rng))
        case 9: return .resign(pick([Int.max, Int.min, 0, -1, 1_700_000_000 + int(-1000...1000, &rng)], &rng))
        case 10: return .truncateHeader(int(0...200, &rng))
        case 11: return .dropSignature
        case 12: return .dropTimestamp
        case 13: return .uppercaseSignature
        default: return .flipHeaderCharacter(int(0...200, &rng), pick(Array("0af9,= tv1\u{0}é-+"), &rng))
        }
    }

    /// Number literals with the exact whole value they denote (nil: not a whole Int64).
    static let numberLiteral = Generator<NumberLiteral, Shrink.None<NumberLiteral>> { rng in
        if chance(0.4, &rng) {
            let value = chance(0.5, &rng) ? Int64.random(in: .min ... .max, using: &rng) : Int64.random(in: -100_000...100_000, using: &rng)
            return NumberLiteral(text: String(value), value: value)
        }
        let fixed: [(String, Int64?)] = [
            ("0", 0), ("-0", 0), ("1", 1), ("1250", 1250), ("1.5", nil), ("1e2", 100), ("1E2", 100), ("100.0", 100), ("-1e3", -1000), ("1e-2", nil),
            ("true", nil), ("false", nil), ("null", nil), ("\"12\"", nil), ("[12]", nil), ("{}", nil),
            ("9223372036854775807", .max), ("-9223372036854775808", .min), ("9223372036854775808", nil), ("-9223372036854775809", nil),
            ("18446744073709551615", nil), ("18446744073709551616", nil), ("1e30", nil), ("-1e30", nil), ("1E400", nil),
            ("123456789012345678901234567890", nil), ("9007199254740993.5", nil), ("0.5", nil), ("-0.0", 0),
        ]
        let (text, value) = pick(fixed, &rng)
        return NumberLiteral(text: text, value: value)
    }

    static let currencyLiteral = Generator<CurrencyLiteral, Shrink.None<CurrencyLiteral>> { rng in
        let options: [(String, String?, Bool)] = [
            ("\"usd\"", "USD", true), ("\"USD\"", "USD", true), ("\"eur\"", "EUR", true), ("\"jpy\"", "JPY", true), ("\"Kwd\"", "KWD", true),
            ("\" gbp \"", "GBP", true), ("\"xyz\"", nil, true), ("\"\"", nil, true), ("\"XCR\"", nil, true), ("\"us d\"", nil, true),
            ("12", nil, false), ("null", nil, false), ("true", nil, false), ("[\"usd\"]", nil, false), ("\"\\u0000usd\"", nil, true),
        ]
        let (text, code, isString) = pick(options, &rng)
        return CurrencyLiteral(text: text, code: code, isString: isString)
    }

    static let dateText = Generator<String, Shrink.None<String>> { rng in
        if chance(0.5, &rng) {
            var text = String(format: "%04d-%02d-%02d", chance(0.9, &rng) ? int(0...9999, &rng) : int(10000...99999, &rng),
                              chance(0.9, &rng) ? int(1...12, &rng) : int(0...99, &rng), chance(0.8, &rng) ? int(1...31, &rng) : int(0...99, &rng))
            if chance(0.7, &rng) {
                text += pick(["T", "T", "t", " ", ""], &rng)
                text += String(format: "%02d:%02d:%02d", chance(0.9, &rng) ? int(0...23, &rng) : int(24...99, &rng),
                               chance(0.9, &rng) ? int(0...59, &rng) : int(60...99, &rng), chance(0.9, &rng) ? int(0...59, &rng) : int(60...99, &rng))
                if chance(0.3, &rng) { text += "." + String(repeating: "7", count: int(0...11, &rng)) }
                text += pick(["Z", "Z", "z", "+02:00", "-05:30", "+23:59", "-00:00", "+24:00", "+02:60", "+0200", "+02", "", "Zjunk", " "], &rng)
            } else if chance(0.2, &rng) {
                text += pick(["junk", " ", "\n", "\u{0}", "T", "Z"], &rng)
            }
            return text
        }
        let pieces = ["2026", "0000", "9999", "-", "-", "11", "30", "02", "29", "T", "t", ":", "00", "19", "59", "60", ".", "5", "Z", "z", "+", "٢", "２", "\u{301}", " "]
        return (0..<int(0...12, &rng)).map { _ in pick(pieces, &rng) }.joined()
    }

    // MARK: Multipart

    static let boundaryCharacters = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ")

    static let multipartBody = Generator<MultipartBody, Shrink.None<MultipartBody>> { rng in
        var boundary: String
        switch int(0...3, &rng) {
        case 0: boundary = "----WebKitFormBoundary" + String((0..<16).map { _ in pick(Array("abcdefghijklmnopABCDEF0123456789"), &rng) })
        case 1: boundary = String((0..<int(1...3, &rng)).map { _ in pick(Array("-ab"), &rng) })
        case 2: boundary = String((0..<int(1...70, &rng)).map { _ in pick(boundaryCharacters, &rng) })
        default: boundary = String((0..<int(1...8, &rng)).map { _ in Character(Unicode.Scalar(UInt32.random(in: 0x21...0x2FFF, using: &rng)) ?? "x") })
        }
        if boundary.hasSuffix(" ") { boundary += "x" }
        let delimiter = Array("\r\n--\(boundary)".utf8)
        func clean(_ bytes: [UInt8]) -> [UInt8] {
            // The body of a part never holds its delimiter (the sender picks the boundary so).
            var bytes = bytes
            while let at = find(delimiter, in: bytes) { bytes.remove(at: at + 2) }
            return bytes
        }
        func bodyBytes() -> [UInt8] {
            var bytes: [UInt8] = []
            for _ in 0..<int(0...12, &rng) {
                switch int(0...9, &rng) {
                case 0: bytes += Noise.bytes(int(0...200, &rng), &rng)
                case 1: bytes += Array("\r\n--".utf8) + Array(boundary.utf8.dropLast())          // a near miss
                case 2: bytes += Array("\r\n--".utf8) + Array(boundary.utf8.prefix(int(0...boundary.utf8.count, &rng)))
                case 3: bytes += Array(repeating: pick([13, 10, 45], &rng), count: int(1...4, &rng))
                case 4 where chance(0.1, &rng): bytes += Noise.bytes(int(1000...6000, &rng), &rng)
                default: bytes += Array(pick(["\r\n", "--", "\r", "\n", "hello", "\r\n\r\n", "\u{0}", "é", "Content-Disposition: x\r\n"], &rng).utf8)
                }
            }
            return clean(bytes)
        }
        var bytes: [UInt8] = []
        if chance(0.3, &rng) {
            // A preamble, which is ignored.
            bytes += clean(Array("\r\n".utf8) + Noise.bytes(int(0...50, &rng), &rng) + Array("preamble".utf8)).dropFirst(2)
            bytes += Array("\r\n".utf8)
        }
        var parts: [MultipartReading.Part] = []
        var headerStarts: [Int] = []
        for _ in 0..<int(0...4, &rng) {
            bytes += Array("--\(boundary)\r\n".utf8)
            headerStarts.append(bytes.count)
            var headers: [MultipartReading.Header] = []
            for _ in 0..<int(0...3, &rng) {
                let name = chance(0.7, &rng) ? pick(["Content-Disposition", "Content-Type", "X-Thing", "content-LENGTH"], &rng)
                    : String((0..<int(1...12, &rng)).map { _ in pick(Array("abcXYZ-_09!#$%&'*+.^`|~"), &rng) })
                var value: [UInt8]
                switch int(0...3, &rng) {
                case 0: value = Array(#"form-data; name="file"; filename="clip.mp4""#.utf8)
                case 1: value = Array(pick(["\u{301}x", " spaced \t", "", "a:b:c", "é"], &rng).utf8)
                default: value = Noise.bytes(int(0...40, &rng), &rng).filter { $0 != 13 && $0 != 10 }
                }
                if chance(0.1, &rng) {
                    // A line without a colon is skipped.
                    bytes += Array("no colon here".utf8) + [13, 10]
                }
                bytes += Array(name.utf8) + Array(":".utf8) + value + [13, 10]
                headers.append(.init(name: name.trimmingCharacters(in: .whitespaces).lowercased(),
                                     value: String(decoding: value, as: UTF8.self).trimmingCharacters(in: .whitespaces)))
            }
            bytes += [13, 10]
            let body = bodyBytes()
            bytes += body + [13, 10]
            parts.append(.init(headers: headers, body: body))
        }
        bytes += Array("--\(boundary)--".utf8)
        let closingEnd = bytes.count
        if chance(0.5, &rng) { bytes += Array("\r\n".utf8) + (chance(0.3, &rng) ? Noise.bytes(int(0...50, &rng), &rng) : []) }
        return MultipartBody(boundary: boundary, bytes: bytes, parts: parts, closingEnd: closingEnd, headerStarts: headerStarts)
    }

    static let multipartDamage = Generator<MultipartDamage, Shrink.None<MultipartDamage>> { rng in
        switch int(0...5, &rng) {
        case 0, 1: return .truncate(int(0...100_000, &rng))
        case 2: return .unterminate
        case 3: return .corrupt(int(0...10_000, &rng), UInt8.random(in: 0...255, using: &rng))
        default: return .hugeHeader(pick([MultipartStream.maxHeaderBytes - 1, MultipartStream.maxHeaderBytes, MultipartStream.maxHeaderBytes + 1,
                                          int(100...40_000, &rng)], &rng))
        }
    }

    static let chunkSeed = Gen.uint64(in: 0 ... .max)

    /// Ways to cut a body: one piece, single bytes, small pieces, pieces around the delimiter's length, large pieces.
    static func chunkings(_ count: Int, seed: UInt64, delimiter: Int) -> [[Int]] {
        var state = seed | 1
        func next(_ range: ClosedRange<Int>) -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return range.lowerBound + Int(state % UInt64(range.count))
        }
        let plans: [[Int]] = [(0..<64).map { _ in next(1...7) }, (0..<64).map { _ in next(max(1, delimiter - 2)...(delimiter + 2)) },
                              (0..<16).map { _ in next(1...4096) }]
        return count < 3000 ? plans + [[1]] : plans // Byte by byte where it is cheap.
    }

    /// Webhook requests: unsigned or badly signed ones, and signed ones with garbage, odd or real-looking events.
    static func webhookRequests(count: Int) -> [WebhookRequest] {
        var rng: RNG = Xoshiro()
        var requests: [WebhookRequest] = []
        let types = ["payment_intent.succeeded", "charge.dispute.created", "charge.dispute.closed", "charge.refunded", "", "weird type", String(repeating: "t", count: 300)]
        for index in 0..<count {
            let signed = index % 3 != 0
            var isDispute = false
            var payload: Data
            switch int(0...6, &rng) {
            case 0: payload = Data(bytes(int(0...400, &rng), &rng))
            case 1: payload = Data((String(repeating: "[", count: int(1...50_000, &rng)) + "1").utf8)
            case 2: payload = Data(pick(["[]", "null", "1", "\"s\"", "{}", #"{"id":1,"type":2,"data":3}"#, "\u{FEFF}{}", #"{"id":"e","type":"charge.dispute.created","data":{"object":[]}}"#], &rng).utf8)
            default:
                let type = pick(types, &rng)
                isDispute = type.hasPrefix("charge.dispute")
                let objectPieces = [#""payment_intent":"pi_\#(hex(8, &rng))""#, #""payment_intent":12"#, #""status":"won""#, #""status":"lost""#,
                                    #""amount":1e30"#, #""amount":1.5"#, #""amount":500"#, #""currency":"usd""#, #""id":"pi_x""#,
                                    #""metadata":{"donation_id":"\#(UUID().uuidString)"}"#, #""latest_charge":{"balance_transaction":{"fee":true}}"#]
                let object = "{" + (0..<int(0...5, &rng)).map { _ in pick(objectPieces, &rng) }.joined(separator: ",") + "}"
                let id = pick(["evt_\(hex(12, &rng))", "", "evt 1", "évt", String(repeating: "e", count: 256)], &rng)
                payload = Data(#"{"id":"\#(id)","type":"\#(type)","data":{"object":\#(object)}}"#.utf8)
            }
            let header: String? = signed ? nil : pick([nil, "", "t=1,v1=00", "v1=" + hex(64, &rng), "t=\(Int(Date().timeIntervalSince1970)),v1=" + hex(64, &rng), "garbage", "t=,v1=,", "t=99999999999999999999,v1=ab"], &rng)
            requests.append(WebhookRequest(payload: payload, signed: signed, header: header, isDispute: isDispute))
        }
        return requests
    }
}

func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard !needle.isEmpty, needle.count <= haystack.count else { return nil }
    for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] && Array(haystack[start..<(start + needle.count)]) == needle {
        return start
    }
    return nil
}

/// Text with its invisible characters spelled out, for failure messages.
func shown(_ text: String) -> String {
    let scalars = text.unicodeScalars.prefix(200).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? String($0) : "\\u{\(String($0.value, radix: 16))}" }
    return "\"" + scalars.joined() + (text.unicodeScalars.count > 200 ? "…" : "") + "\""
}
