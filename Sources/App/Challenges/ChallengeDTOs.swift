import Foundation
import GoodcastCore
import Hummingbird

struct ChallengeInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case hashtag, nonprofitId, title, description, rules, startsAt, endsAt, effect, branded }
    typealias CodingKeys = Field
    let hashtag: String?
    let nonprofitId: String?
    let title: String?
    let description: String?
    let rules: String?
    let startsAt: String?
    let endsAt: String?
    let effect: String?
    let branded: Bool?
}

struct PledgeInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case perVideo, budget, paymentToken }
    typealias CodingKeys = Field
    let perVideo: MoneyInput?
    let budget: MoneyInput?
    let paymentToken: String?
}

struct ChallengeStatsOutput: Codable, Sendable {
    let videos: Int
    let views: Int64
    let participants: Int
    let followersGained: Int
    let pledged: [MoneyOutput]
    let accrued: [MoneyOutput]
}

struct ChallengePledgeOutput: Codable, Sendable {
    let id: UUID
    let sponsor: String
    let perVideo: MoneyOutput
    let budget: MoneyOutput
    let accrued: MoneyOutput
    let status: String
}

struct ChallengeOutput: ResponseCodable {
    struct NonprofitRef: Codable, Sendable { let id: UUID; let name: String }
    let id: UUID
    let hashtag: String
    let title: String
    let description: String?
    let rules: String?
    let branded: Bool
    let nonprofit: NonprofitRef?
    let effect: String?
    let startsAt: Date
    let endsAt: Date
    let status: String
    let promoted: Bool
    let stats: ChallengeStatsOutput
    let pledges: [ChallengePledgeOutput]?
}

struct ChallengePageOutput: ResponseCodable {
    let items: [ChallengeOutput]
    let page: Int
    let perPage: Int
    let total: Int
}

struct PledgeOutput: ResponseCodable {
    let id: UUID
    let challengeId: UUID
    let sponsor: String
    let perVideo: MoneyOutput
    let budget: MoneyOutput
    let accrued: MoneyOutput
    let status: String
    let createdAt: Date

    init(_ pledge: PledgeRecord, sponsor: String) {
        id = pledge.id
        challengeId = pledge.challengeId
        self.sponsor = sponsor
        perVideo = MoneyOutput(pledge.perVideoMoney)
        budget = MoneyOutput(pledge.budgetMoney)
        accrued = MoneyOutput(pledge.accruedMoney)
        status = pledge.status
        createdAt = pledge.createdAt
    }
}

struct SettlementOutput: ResponseCodable {
    let settled: Int
    let returned: [MoneyOutput]
}
