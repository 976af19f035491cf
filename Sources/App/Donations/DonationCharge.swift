import Crypto
import Foundation
import GoodcastCore

/// What a donation tells its processor, so that the charge alone can make the donation again.
///
/// A donation is written once, after its charge, in one commit with its ledger postings and
/// the answer to replay. Nothing is written before the charge. What makes that safe:
/// - the processor's idempotency key comes from the donor and the client's `Idempotency-Key`,
///   so a retry (after a timeout, a lost answer or a crash) asks for the same charge again
///   and gets the first one back;
/// - the charge carries the whole donation in its metadata, so the processor's webhook or the
///   reconciliation pass can write a donation whose request never came back;
/// - the donation's id comes from the charge (its creation time and the key), so whichever of
///   the request, its retry, the webhook or reconciliation writes it, it is the same row, and
///   the key's unique index lets only the first one in.
enum DonationCharge {
    /// Marks a charge made by this code (charges of older versions carry `donation_id`).
    static let kind = "donation"
    /// Stripe's limit on a metadata value, in characters (counted here in UTF-16 units, the
    /// stricter reading).
    static let metadataValueMax = 500

    static func processorKey(scope: String, key: String) -> String {
        "donation-" + Secrets.hex(SHA256.hash(data: Data("\(scope)\u{0}\(key)".utf8))).prefix(40)
    }

    /// The idempotency scope of a donor's donations.
    static func scope(donor: UUID) -> String { "donation:\(donor.lowercasedString)" }

    /// Everything needed to write the donation from the charge alone. The same request gives
    /// the same metadata (the processor compares a retry's parameters with the first's).
    static func metadata(_ donation: NewDonation, key: String, fingerprint: String) -> [String: String] {
        var metadata = [
            "goodcast": kind,
            "fundraiser_id": donation.fundraiserId.lowercasedString,
            "nonprofit_id": donation.nonprofitId.lowercasedString,
            "donor_id": donation.donor.lowercasedString,
            "gift_amount": String(donation.gift.amount),
            "cover_fees": donation.coverFees ? "true" : "false",
            "visibility": donation.visibility.rawValue,
            "payment_token": donation.paymentToken,
            "idempotency_key": key,
            // The processor's key, searchable (hex): how a retry finds a charge made earlier.
            "charge_key": processorKey(scope: scope(donor: donation.donor), key: key),
            "request_fingerprint": fingerprint,
        ]
        if let message = donation.message { metadata["message"] = message }
        return metadata
    }

    /// The id of the donation a charge paid for: the one its metadata names (older charges), or
    /// the one made from its creation second and its key. Nil for a charge that is no donation's.
    static func donationID(for charge: ProcessorCharge) -> UUID? {
        donationID(metadata: charge.metadata, created: charge.created)
    }

    static func donationID(metadata: [String: String], created: Date) -> UUID? {
        if let named = metadata["donation_id"] { return UUID(uuidString: named) }
        guard metadata["goodcast"] == kind, let donor = metadata["donor_id"], let key = metadata["idempotency_key"] else { return nil }
        // The metadata's donor id is the lowercased text `scope(donor:)` writes.
        return id(created: created, scope: "donation:\(donor)", key: key)
    }

    /// Time-ordered (new rows land at the right-hand end of the indexes) and the same for every
    /// attempt of one request: the processor's creation second, then bits of the key's hash.
    static func id(created: Date, scope: String, key: String) -> UUID {
        var bits = DigestBits(SHA256.hash(data: Data("id\u{0}\(scope)\u{0}\(key)".utf8)))
        return UUID.timeOrdered(at: created, using: &bits)
    }

    /// A donation as a charge's metadata describes it; nil when the charge is not a donation
    /// of this kind, or its metadata is incomplete.
    static func donation(from charge: ProcessorCharge, processor: String) -> Settled? {
        let metadata = charge.metadata
        guard charge.succeeded, metadata["goodcast"] == kind, let id = donationID(for: charge),
              let fundraiser = metadata["fundraiser_id"].flatMap(UUID.init(uuidString:)),
              let nonprofit = metadata["nonprofit_id"].flatMap(UUID.init(uuidString:)),
              let donor = metadata["donor_id"].flatMap(UUID.init(uuidString:)),
              let gift = metadata["gift_amount"].flatMap(Int64.init), let key = metadata["idempotency_key"],
              let fingerprint = metadata["request_fingerprint"],
              let visibility = metadata["visibility"].flatMap(DonationVisibility.init(rawValue:))
        else { return nil }
        let donation = NewDonation(
            id: id, fundraiserId: fundraiser, nonprofitId: nonprofit, donor: donor, gift: Money(gift, charge.amount.currency), gross: charge.amount,
            estimatedFee: charge.fee, coverFees: metadata["cover_fees"] == "true", message: metadata["message"], visibility: visibility,
            paymentToken: metadata["payment_token"] ?? "", processor: processor
        )
        return Settled(donation: donation, outcome: .charged(charge), scope: scope(donor: donor), key: key, fingerprint: fingerprint, origin: .processor)
    }

    /// A donation whose processor has answered: what the writer stores, once.
    struct Settled: Sendable {
        enum Outcome: Sendable {
            case charged(ProcessorCharge)
            /// Declined, or refused by the processor: nothing was charged.
            case unpaid(DonationStatus, code: String, reason: String)
        }

        enum Origin: Sendable { case request, processor }

        let donation: NewDonation
        let outcome: Outcome
        let scope: String
        let key: String
        let fingerprint: String
        /// Who writes it: the donor's request, or the processor's webhook or reconciliation.
        /// Within a batch the request's job is the one written, so that it needs no read.
        let origin: Origin
        /// The donor's display name for the feed, when the caller knows it (one read fewer).
        var donorName: String?

        /// The row as it is written.
        func record(at now: Date) -> DonationRecord {
            let pending = DonationRecord(pending: donation, at: now)
            switch outcome {
            case .charged(let charge): return pending.succeeded(charge: charge, at: now)
            case .unpaid(let status, let code, let reason): return pending.unpaid(status, code: code, reason: reason, at: now)
            }
        }
    }
}

/// Random-looking bits taken from a digest, for ids that must come out the same every time.
struct DigestBits: RandomNumberGenerator {
    private var words: [UInt64]

    init(_ digest: SHA256.Digest) {
        let bytes = Array(digest)
        words = stride(from: 0, to: 32, by: 8).map { start in bytes[start..<start + 8].reduce(0) { $0 << 8 | UInt64($1) } }
    }

    mutating func next() -> UInt64 {
        // timeOrdered asks for two words; past the digest's four it would repeat, never crash.
        let word = words.removeFirst()
        words.append(word)
        return word
    }
}
