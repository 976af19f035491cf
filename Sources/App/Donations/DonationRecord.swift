import Foundation
import GoodcastCore

enum DonationStatus: String, Sendable, Codable, CaseIterable {
    /// Written before the charge by versions before one commit per donation (see
    /// `DonationCharge`); reconciliation settles any left.
    case pending
    case succeeded
    /// The card was refused; nothing was charged.
    case declined
    /// The processor refused the request (an unknown payment token); nothing was charged.
    case failed
}

enum DonationVisibility: String, Sendable, Codable, CaseIterable {
    /// Name and amount are shown.
    case `public`
    /// The amount is shown, the name is not.
    case anonymous
    /// The name is shown, the amount is not.
    case hideAmount = "hide-amount"
}

struct DonationRecord: Sendable, Decodable {
    let id: UUID
    let fundraiserId: UUID
    let nonprofitId: UUID
    let donorId: UUID
    let amount: Int64
    let giftAmount: Int64
    let fee: Int64
    let currencyCode: String
    let coverFees: Bool
    let message: String?
    let visibilityName: String
    let statusName: String
    let failureCode: String?
    let failureMessage: String?
    let processor: String
    let chargeId: String?
    let paymentToken: String
    let refunded: Int64
    let disputeName: String
    let receiptNumber: String?
    let createdAt: Date
    let completedAt: Date?

    var currency: Currency { Currency.supported[currencyCode] ?? .usd }
    var status: DonationStatus { DonationStatus(rawValue: statusName) ?? .pending }
    var visibility: DonationVisibility { DonationVisibility(rawValue: visibilityName) ?? .public }
    var dispute: DonationBalance.DisputeState { DonationBalance.DisputeState(rawValue: disputeName) ?? .none }
    var gross: Money { Money(amount, currency) }
    var balance: DonationBalance { DonationBalance(gross: gross, refunded: Money(refunded, currency), dispute: dispute) }

    static let columns = [
        "id", "fundraiser_id", "nonprofit_id", "donor_id", "amount", "gift_amount", "fee", "currency", "cover_fees", "message",
        "visibility", "status", "failure_code", "failure_message", "processor", "charge_id", "payment_token", "refunded", "dispute",
        "receipt_number", "created_at", "completed_at",
    ]

    enum CodingKeys: String, CodingKey {
        case id, amount, fee, message, processor, refunded
        case fundraiserId = "fundraiser_id", nonprofitId = "nonprofit_id", donorId = "donor_id", giftAmount = "gift_amount"
        case currencyCode = "currency", coverFees = "cover_fees", visibilityName = "visibility", statusName = "status"
        case failureCode = "failure_code", failureMessage = "failure_message", chargeId = "charge_id", paymentToken = "payment_token"
        case disputeName = "dispute", receiptNumber = "receipt_number", createdAt = "created_at", completedAt = "completed_at"
    }

    /// This donation as it is once its charge succeeded.
    func succeeded(charge: ProcessorCharge, at now: Date) -> DonationRecord {
        DonationRecord(
            id: id, fundraiserId: fundraiserId, nonprofitId: nonprofitId, donorId: donorId, amount: amount, giftAmount: giftAmount,
            fee: charge.fee.amount, currencyCode: currencyCode, coverFees: coverFees, message: message, visibilityName: visibilityName,
            statusName: DonationStatus.succeeded.rawValue, failureCode: nil, failureMessage: nil, processor: processor, chargeId: charge.id,
            paymentToken: paymentToken, refunded: refunded, disputeName: disputeName, receiptNumber: Self.receiptNumber(id: id, at: now),
            createdAt: createdAt, completedAt: now
        )
    }

    /// This donation as it is once its processor refused it: nothing was charged.
    func unpaid(_ status: DonationStatus, code: String, reason: String, at now: Date) -> DonationRecord {
        DonationRecord(
            id: id, fundraiserId: fundraiserId, nonprofitId: nonprofitId, donorId: donorId, amount: amount, giftAmount: giftAmount,
            fee: fee, currencyCode: currencyCode, coverFees: coverFees, message: message, visibilityName: visibilityName,
            statusName: status.rawValue, failureCode: code, failureMessage: reason, processor: processor, chargeId: nil,
            paymentToken: paymentToken, refunded: refunded, disputeName: disputeName, receiptNumber: nil,
            createdAt: createdAt, completedAt: now
        )
    }

    /// A receipt number people can read out: the date and the end of the id.
    static func receiptNumber(id: UUID, at date: Date) -> String {
        // The day of the answer's `completedAt`, to the same second.
        let day = JSONText.iso8601(date).prefix(10).filter { $0 != "-" }
        // The id's last twelve hex digits: random in every UUID version (the first ones of a
        // time-ordered id are its time, shared by every gift of the same minute).
        return "GC-\(day)-\(id.uppercasedString.suffix(12))"
    }
}


extension DonationRecord {
    /// `donation` before its processor's answer is applied (`succeeded` or `unpaid`).
    init(pending donation: NewDonation, at now: Date) {
        self.init(
            id: donation.id, fundraiserId: donation.fundraiserId, nonprofitId: donation.nonprofitId, donorId: donation.donor,
            amount: donation.gross.amount, giftAmount: donation.gift.amount, fee: donation.estimatedFee.amount, currencyCode: donation.gross.currency.code,
            coverFees: donation.coverFees, message: donation.message, visibilityName: donation.visibility.rawValue,
            statusName: DonationStatus.pending.rawValue, failureCode: nil, failureMessage: nil, processor: donation.processor, chargeId: nil,
            paymentToken: donation.paymentToken, refunded: 0, disputeName: DonationBalance.DisputeState.none.rawValue, receiptNumber: nil,
            createdAt: now, completedAt: nil
        )
    }
}
