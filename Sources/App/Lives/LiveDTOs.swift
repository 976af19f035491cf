import Foundation
import GoodcastCore
import Hummingbird

struct LiveInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case title, description, language, scheduledAt, playbackUrl, fundraiser, ticket }
    typealias CodingKeys = Field
    let title: String?
    let description: String?
    let language: String?
    let scheduledAt: String?
    let playbackUrl: String?
    let fundraiser: FundraiserPart?
    let ticket: TicketPart?

    struct FundraiserPart: Decodable, Sendable { let nonprofitId: String?; let goal: MoneyInput? }
    struct TicketPart: Decodable, Sendable {
        let price: MoneyInput?
        /// The verified nonprofit that receives ticket revenue; without it, the host does.
        let nonprofitId: String?
    }
}

struct LiveOutput: ResponseCodable {
    let id: UUID
    let host: String
    let title: String
    let description: String?
    let language: String
    let status: String
    let scheduledAt: Date?
    let startedAt: Date?
    let endedAt: Date?
    /// Only for the host and, on a paid-entry live, for ticket holders.
    let playbackUrl: String?
    let fundraiserId: UUID?
    let ticketPrice: MoneyOutput?
    /// Whether the caller may watch: always on a free live; on a paid-entry one, for the host
    /// and ticket holders.
    let canWatch: Bool
    let createdAt: Date
}

struct ThanksInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case donationId, message }
    typealias CodingKeys = Field
    /// Without one, the host thanks everyone.
    let donationId: String?
    let message: String?
}

struct OverlayInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case minAmount, showAmounts, rotateKey }
    typealias CodingKeys = Field
    /// In minor units of the fundraiser's currency: smaller gifts show without the donor's name.
    let minAmount: Int64?
    let showAmounts: Bool?
    let rotateKey: Bool?
}

struct OverlayOutput: ResponseCodable {
    /// The address to paste into OBS's browser source; it carries the key.
    let url: String
    let minAmount: Int64
    let showAmounts: Bool

    init(_ live: LiveRecord) {
        url = "/overlay/lives/\(live.id.lowercasedString)?key=\(live.overlayKey ?? "")"
        minAmount = live.overlayMinAmount ?? 0
        showAmounts = live.overlayShowAmounts ?? true
    }
}

struct SupporterOutput: Codable, Sendable {
    let donationId: UUID
    let donor: String
    /// Absent when the donor hid the amount.
    let amount: MoneyOutput?
    let message: String?
    let messageHidden: Bool
    let at: Date?

    init(_ row: LiveHostService.Supporter) {
        donationId = row.id
        donor = row.publicName
        let currency = Currency.supported[row.currency] ?? .usd
        amount = row.visibility == DonationVisibility.hideAmount.rawValue ? nil : MoneyOutput(Money(row.amount, currency))
        message = row.hidden ? nil : row.message
        messageHidden = row.hidden
        at = row.completed_at
    }
}

struct SupportersOutput: ResponseCodable { let items: [SupporterOutput] }

struct TicketInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case paymentToken }
    typealias CodingKeys = Field
    let paymentToken: String?
}

struct TicketOutput: Codable, Sendable {
    let id: UUID
    let liveId: UUID
    /// The holder's handle, in the host's list.
    let holder: String?
    let price: MoneyOutput
    /// pending, active, failed, refunded (the live was cancelled) or revoked (by the host, refunded).
    let status: String
    let createdAt: Date

    init(_ row: TicketService.TicketRow, holder: String?) {
        id = row.id
        liveId = row.live_id
        self.holder = holder
        price = MoneyOutput(row.price)
        status = row.status
        createdAt = row.created_at
    }
}

struct TicketListOutput: ResponseCodable { let items: [TicketOutput] }

struct CancelOutput: ResponseCodable {
    let status: String
    let refunded: Int
    /// Tickets the processor could not refund yet: cancel again to retry them.
    let notYetRefunded: Int
}

extension TicketOutput: ResponseCodable {}
