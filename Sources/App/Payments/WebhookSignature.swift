import Crypto
import Foundation

/// Stripe's webhook signature: `Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.payload">`.
enum WebhookSignature {
    static func header(payload: Data, secret: String, timestamp: Int) -> String {
        "t=\(timestamp),v1=\(hmac(payload: payload, secret: secret, timestamp: timestamp))"
    }

    static func hmac(payload: Data, secret: String, timestamp: Int) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(payload)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return Secrets.hex(code)
    }

    enum Failure: Error, Equatable { case missing, malformed, mismatch, tooOld }

    /// Checks the header against the payload; `tolerance` bounds how old the signature may be,
    /// against replays (a late delivery is signed again when it is sent).
    static func verify(header: String?, payload: Data, secret: String, now: Date, tolerance: TimeInterval = 300) throws(Failure) {
        guard let header, !header.isEmpty else { throw .missing }
        var timestamp: Int?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int(pair[1]) } else if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, !signatures.isEmpty else { throw .malformed }
        let expected = hmac(payload: payload, secret: secret, timestamp: timestamp)
        guard signatures.contains(where: { Secrets.constantTimeEquals($0, expected) }) else { throw .mismatch }
        guard abs(now.timeIntervalSince1970 - TimeInterval(timestamp)) <= tolerance else { throw .tooOld }
    }
}
