import Foundation
import GoodcastCore

struct ChallengeRecord: Sendable, Decodable {
    let id: UUID
    let hashtag: String
    let tagKey: String
    let title: String
    let description: String?
    let rules: String?
    let nonprofitId: UUID?
    let branded: Bool
    let effect: String?
    let startsAt: Date
    let endsAt: Date
    let createdBy: UUID
    let createdAt: Date
    /// Unused: promotions (`Promotions/`) decide what is promoted; kept because the column landed.
    let promotedUntil: Date?
    let settledAt: Date?

    static let columns = ["id", "hashtag", "tag_key", "title", "description", "rules", "nonprofit_id", "branded", "effect",
                          "starts_at", "ends_at", "created_by", "created_at", "promoted_until", "settled_at"]

    enum CodingKeys: String, CodingKey {
        case id, hashtag, title, description, rules, branded, effect
        case tagKey = "tag_key", nonprofitId = "nonprofit_id", startsAt = "starts_at", endsAt = "ends_at", createdBy = "created_by"
        case createdAt = "created_at", promotedUntil = "promoted_until", settledAt = "settled_at"
    }

    enum Status: String { case upcoming, active, ended }

    func status(at now: Date) -> Status {
        if now < startsAt { return .upcoming }
        return now > endsAt ? .ended : .active
    }
}

struct PledgeRecord: Sendable, Decodable {
    let id: UUID
    let challengeId: UUID
    let sponsorId: UUID
    let currency: String
    let perVideo: Int64
    let budget: Int64
    let accrued: Int64
    let released: Int64
    let status: String
    let processor: String
    let paymentToken: String
    let chargeId: String?
    let failureCode: String?
    let createdAt: Date
    let completedAt: Date?
    let settledAt: Date?

    static let columns = ["id", "challenge_id", "sponsor_id", "currency", "per_video", "budget", "accrued", "released", "status",
                          "processor", "payment_token", "charge_id", "failure_code", "created_at", "completed_at", "settled_at"]

    enum CodingKeys: String, CodingKey {
        case id, currency, budget, accrued, released, status, processor
        case challengeId = "challenge_id", sponsorId = "sponsor_id", perVideo = "per_video", paymentToken = "payment_token"
        case chargeId = "charge_id", failureCode = "failure_code", createdAt = "created_at", completedAt = "completed_at", settledAt = "settled_at"
    }

    var money: Currency { Currency.supported[currency] ?? .usd }
    var perVideoMoney: Money { Money(perVideo, money) }
    var budgetMoney: Money { Money(budget, money) }
    var accruedMoney: Money { Money(accrued, money) }
    var remaining: Money { Money(budget - accrued - released, money) }
}
