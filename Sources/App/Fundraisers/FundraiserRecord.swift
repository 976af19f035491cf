import Foundation
import GoodcastCore

struct FundraiserRecord: Sendable, Decodable {
    let id: UUID
    let nonprofitId: UUID
    let ownerId: UUID
    let title: String
    let description: String?
    let goalAmount: Int64
    let currencyCode: String
    let endsAt: Date?
    let createdAt: Date

    var currency: Currency { Currency.supported[currencyCode] ?? .usd }
    var goal: Money { Money(goalAmount, currency) }
    func isOpen(at now: Date) -> Bool { endsAt.map { now < $0 } ?? true }

    static let columns = ["id", "nonprofit_id", "owner_id", "title", "description", "goal_amount", "currency", "ends_at", "created_at"]

    enum CodingKeys: String, CodingKey {
        case id, title, description
        case nonprofitId = "nonprofit_id"
        case ownerId = "owner_id"
        case goalAmount = "goal_amount"
        case currencyCode = "currency"
        case endsAt = "ends_at"
        case createdAt = "created_at"
    }
}
