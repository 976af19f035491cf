import Foundation
import GoodcastCore
import Hummingbird

struct MoneyInput: Decodable, Sendable {
    let amount: Int64?
    let currency: String?

    func parse(field: String) throws(ValidationIssue) -> Money {
        guard let amount else { throw ValidationIssue(field: "\(field).amount", message: "is required (whole minor units: 500 is 5.00 USD)") }
        let currency = try Currency.parse(currency, field: "\(field).currency")
        return Money(amount, currency)
    }
}

extension MoneyInput {
    enum CodingKeys: String, CodingKey { case amount, currency }

    /// The amount exactly as written: JSONDecoder reads `9007199254740993.5` into an `Int64` as
    /// 9007199254740993, where a `Decimal` keeps every digit and a fraction is refused (a 422).
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let wholeNumber = DecodingError.typeMismatch(Int64.self, .init(codingPath: container.codingPath + [CodingKeys.amount], debugDescription: "not a whole number"))
        let decimal: Decimal?
        do {
            decimal = try container.decodeIfPresent(Decimal.self, forKey: .amount)
        } catch {
            throw wholeNumber
        }
        if let decimal {
            guard let whole = Int64(decimal.description) else { throw wholeNumber }
            amount = whole
        } else {
            amount = nil
        }
        currency = try container.decodeIfPresent(String.self, forKey: .currency)
    }
}

struct MoneyOutput: Codable, Sendable, Equatable {
    let amount: Int64
    let currency: String
    init(_ money: Money) {
        amount = money.amount
        currency = money.currency.code
    }
}

struct DonationInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case amount, paymentToken, message, visibility, coverFees }
    typealias CodingKeys = Field
    let amount: MoneyInput?
    let paymentToken: String?
    let message: String?
    let visibility: String?
    let coverFees: Bool?
}

extension DonationInput: GlancedInput {
    static let glance = JSONGlance(
        paths: [["amount"], ["amount", "amount"], ["amount", "currency"], ["paymentToken"], ["message"], ["visibility"], ["coverFees"]], closed: true
    )

    init?(glanced found: [JSONGlance.Value?]) {
        func text(_ value: JSONGlance.Value?) -> String?? {
            switch value {
            case nil: .some(nil)
            case .string(let text)?: .some(text)
            default: nil
            }
        }
        let amount: MoneyInput?
        switch found[0] {
        case nil:
            amount = nil
        case .other?:
            // An object (the glance is closed); its fields as MoneyInput reads them.
            let minor: Int64?
            switch found[1] {
            case nil: minor = nil
            case .integer(let value)?: minor = value
            default: return nil
            }
            guard let currency = text(found[2]) else { return nil }
            amount = MoneyInput(amount: minor, currency: currency)
        default:
            return nil
        }
        guard let paymentToken = text(found[3]), let message = text(found[4]), let visibility = text(found[5]) else { return nil }
        let coverFees: Bool?
        switch found[6] {
        case nil: coverFees = nil
        case .boolean(let value)?: coverFees = value
        default: return nil
        }
        self.init(amount: amount, paymentToken: paymentToken, message: message, visibility: visibility, coverFees: coverFees)
    }
}

struct RefundInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case amount, reason }
    typealias CodingKeys = Field
    let amount: MoneyInput?
    let reason: String?
}

struct DonationOutput: ResponseCodable {
    let id: UUID
    let fundraiserId: UUID
    let nonprofitId: UUID
    let status: String
    /// What the card was charged.
    let amount: MoneyOutput
    /// What the donor chose to give (less than `amount` when they covered the fees).
    let gift: MoneyOutput
    let fee: MoneyOutput
    /// What the nonprofit receives after the fee and refunds.
    let net: MoneyOutput
    let refunded: MoneyOutput
    let coverFees: Bool
    let message: String?
    let visibility: String
    let dispute: String
    let receiptNumber: String?
    let failureCode: String?
    let createdAt: Date
    let completedAt: Date?

    init(_ record: DonationRecord) {
        let currency = record.currency
        id = record.id
        fundraiserId = record.fundraiserId
        nonprofitId = record.nonprofitId
        status = record.statusName
        amount = MoneyOutput(record.gross)
        gift = MoneyOutput(Money(record.giftAmount, currency))
        fee = MoneyOutput(Money(record.status == .succeeded ? record.fee : 0, currency))
        let disputed = record.dispute == .open || record.dispute == .lost
        let kept = record.status == .succeeded && !disputed ? record.amount - record.refunded - record.fee : (record.status == .succeeded ? -record.fee : 0)
        net = MoneyOutput(Money(kept, currency))
        refunded = MoneyOutput(Money(record.refunded, currency))
        coverFees = record.coverFees
        message = record.message
        visibility = record.visibilityName
        dispute = record.disputeName
        receiptNumber = record.receiptNumber
        failureCode = record.failureCode
        createdAt = record.createdAt
        completedAt = record.completedAt
    }
}

extension DonationOutput {
    /// The text `APIJSON.string(self)` gives, written directly: every donation's answer is
    /// made and stored once, on the hot path (`DonationWriter.Prepared`). Fields in
    /// `JSONEncoder`'s sorted order; `HotPathJSONTests` checks the two agree.
    var jsonText: String {
        var json = JSONText(capacity: 640)
        json.object { json in
            json.money("amount", amount)
            json.field("completedAt", completedAt)
            json.field("coverFees", coverFees)
            json.field("createdAt", createdAt)
            json.field("dispute", dispute)
            json.field("failureCode", failureCode)
            json.money("fee", fee)
            json.field("fundraiserId", fundraiserId)
            json.money("gift", gift)
            json.field("id", id)
            json.field("message", message)
            json.money("net", net)
            json.field("nonprofitId", nonprofitId)
            json.field("receiptNumber", receiptNumber)
            json.money("refunded", refunded)
            json.field("status", status)
            json.field("visibility", visibility)
        }
        return json.string
    }
}

extension JSONText {
    mutating func money(_ name: String, _ money: MoneyOutput) {
        object(name) { json in
            json.field("amount", money.amount)
            json.field("currency", money.currency)
        }
    }
}

struct DonationListOutput: ResponseCodable {
    let items: [DonationOutput]
    let page: Int
    let perPage: Int
    let total: Int
}

struct RefundOutput: ResponseCodable {
    let id: UUID
    let donationId: UUID
    let amount: MoneyOutput
    let status: String
    let createdAt: Date
}

/// A donation as its nonprofit's team sees it: the donation, and who gave it.
struct TeamDonationOutput: Encodable, Sendable {
    let donation: DonationOutput
    let donor: AccountSummary

    private enum Keys: String, CodingKey { case donor }

    /// The donation's fields, with `donor` beside them.
    func encode(to encoder: any Encoder) throws {
        try donation.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(donor, forKey: .donor)
    }
}

/// An account named in a list: enough to recognise it and link to it.
struct AccountSummary: Codable, Sendable {
    let id: UUID
    let handle: String
    let displayName: String
}

struct TeamDonationListOutput: ResponseEncodable {
    let items: [TeamDonationOutput]
    let page: Int
    let perPage: Int
    let total: Int
}
