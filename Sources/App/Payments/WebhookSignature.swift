import Crypto
import Foundation

/// Stripe's webhook signature: `Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.payload">`.
enum WebhookSignature {
    static func header(payload: Data, secret: String, timestamp: Int) -> String {
        "t=\(timestamp),v1=\(hmac(payload: payload, secret: secret, timestamp: timestamp))"
    }

    static func hmac(payload: Data, secret: String, timestamp: Int) -> String {
        // In two parts: not a copy of the payload behind its timestamp, for every event.
        var code = HMAC<SHA256>(key: SymmetricKey(data: Data(secret.utf8)))
        code.update(data: Data("\(timestamp).".utf8))
        code.update(data: payload)
        return Secrets.hex(code.finalize())
    }

    enum Failure: Error, Equatable { case missing, malformed, mismatch, tooOld }

    /// Without the spaces and tabs HTTP allows around a value. Not `trimmingCharacters(in:)`,
    /// whose character set lookups were a third of the cost of checking every payment's webhook.
    private static func trimmed(_ text: Substring) -> Substring {
        var text = text
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }

    /// Checks the header against the payload; `tolerance` bounds how old the signature may be,
    /// against replays (a late delivery is signed again when it is sent).
    static func verify(header: String?, payload: Data, secret: String, now: Date, tolerance: TimeInterval = 300) throws(Failure) {
        guard let header, !header.isEmpty else { throw .missing }
        var timestamp: Int?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            // Key up to the first "=": not `split`, which drops an empty key and would read
            // "=t=…" as a timestamp (found by the property test).
            guard let equals = part.firstIndex(of: "=") else { continue }
            let key = trimmed(part[..<equals])
            let value = part[part.index(after: equals)...]
            guard !key.isEmpty, !value.isEmpty else { continue }
            if key == "t" { timestamp = Int(trimmed(value)) } else if key == "v1" { signatures.append(String(trimmed(value))) }
        }
        guard let timestamp, !signatures.isEmpty else { throw .malformed }
        let expected = hmac(payload: payload, secret: secret, timestamp: timestamp)
        guard signatures.contains(where: { Secrets.constantTimeEquals($0, expected) }) else { throw .mismatch }
        guard abs(now.timeIntervalSince1970 - TimeInterval(timestamp)) <= tolerance else { throw .tooOld }
    }
}
