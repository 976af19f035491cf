import Foundation
import GoodcastCore
import Hummingbird

struct FundraiserInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case nonprofitId, title, description, goal, endsAt }
    typealias CodingKeys = Field
    let nonprofitId: String?
    let title: String?
    let description: String?
    let goal: MoneyInput?
    let endsAt: String?
}

struct FundraiserOutput: ResponseCodable {
    let id: UUID
    let nonprofit: NonprofitSummary
    let owner: OwnerSummary
    let title: String
    let description: String?
    let goal: MoneyOutput
    /// Net of fees, refunds and disputes, from the ledger.
    let raised: MoneyOutput
    let donors: Int
    /// Whole percent of the goal reached (may pass 100).
    let goalProgress: Int
    let endsAt: Date?
    let createdAt: Date
    let recentDonations: [PublicDonationOutput]

    struct NonprofitSummary: Codable, Sendable { let id: UUID; let name: String }
    struct OwnerSummary: Codable, Sendable { let handle: String; let displayName: String }
}

/// A donation as the public sees it: the donor's visibility choice decides what shows.
struct PublicDonationOutput: Codable, Sendable {
    let id: UUID
    /// The donor's display name, or "Anonymous".
    let donor: String
    let handle: String?
    /// Absent when the donor hid the amount.
    let amount: MoneyOutput?
    let message: String?
    let at: Date?

    init(_ row: DonationStore.PublicDonation) {
        let visibility = DonationVisibility(rawValue: row.visibility) ?? .public
        id = row.id
        donor = visibility == .anonymous ? "Anonymous" : row.display_name
        handle = visibility == .anonymous ? nil : row.handle
        let currency = Currency.supported[row.currency] ?? .usd
        amount = visibility == .hideAmount ? nil : MoneyOutput(Money(row.amount, currency))
        message = row.message_hidden == true ? nil : row.message
        at = row.completed_at
    }
}
