import Foundation
import GoodcastCore
import Hummingbird

struct PromotionRecord: Sendable, Decodable {
    let id: UUID
    let nonprofitId: UUID
    let challengeId: UUID?
    let liveId: UUID?
    let budget: Int64
    let spent: Int64
    let rate: Int64
    let impressions: Int64
    let status: String
    let startsAt: Date
    let endsAt: Date
    let createdBy: UUID
    let createdAt: Date
    let closedAt: Date?

    static let columns = ["id", "nonprofit_id", "challenge_id", "live_id", "budget", "spent", "rate", "impressions", "status",
                          "starts_at", "ends_at", "created_by", "created_at", "closed_at"]

    enum CodingKeys: String, CodingKey {
        case id, budget, spent, rate, impressions, status
        case nonprofitId = "nonprofit_id", challengeId = "challenge_id", liveId = "live_id", startsAt = "starts_at", endsAt = "ends_at"
        case createdBy = "created_by", createdAt = "created_at", closedAt = "closed_at"
    }
}

struct CreditGrantInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case credits }
    typealias CodingKeys = Field
    let credits: Int64?
}

struct PromotionInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case challenge, liveId, budget, startsAt, endsAt }
    typealias CodingKeys = Field
    let challenge: String?
    let liveId: String?
    let budget: Int64?
    let startsAt: String?
    let endsAt: String?
}

struct PromotionOutput: ResponseCodable {
    struct Target: Codable, Sendable { let kind: String; let id: UUID; let name: String }
    let id: UUID
    let nonprofitId: UUID
    let target: Target
    let budget: Int64
    let spent: Int64
    let impressions: Int64
    let creditsPerImpression: Int64
    let status: String
    let startsAt: Date
    let endsAt: Date
    let createdAt: Date
}

struct AdCreditsOutput: ResponseCodable {
    let nonprofitId: UUID
    let balance: Int64
    let promotions: [PromotionOutput]
}
