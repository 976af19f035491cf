import Foundation
import GoodcastCore
import Hummingbird

struct CampaignInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case slug, title, description, startsAt, endsAt, nonprofitIds }
    typealias CodingKeys = Field
    let slug: String?
    let title: String?
    let description: String?
    let startsAt: String?
    let endsAt: String?
    let nonprofitIds: [String]?
}

struct CampaignLiveInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case liveId }
    typealias CodingKeys = Field
    let liveId: String?
}

struct CampaignNonprofitInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case nonprofitId }
    typealias CodingKeys = Field
    let nonprofitId: String?
}

struct CampaignOutput: ResponseCodable {
    struct Nonprofit: Codable, Sendable { let id: UUID; let name: String }
    struct ProgramLive: Codable, Sendable {
        let id: UUID
        let title: String
        let host: String
        let status: String
        let scheduledAt: Date?
        let startedAt: Date?
        let fundraiserId: UUID?
    }

    let id: UUID
    let slug: String
    let title: String
    let description: String?
    let startsAt: Date
    let endsAt: Date
    let nonprofits: [Nonprofit]
    /// The scheduled lives, in time order (times are UTC; pages show them in the viewer's zone).
    let program: [ProgramLive]
    /// The lives on air now.
    let onNow: [ProgramLive]
    /// Net raised across the program's fundraisers, per currency, from the ledger.
    let raised: [MoneyOutput]
}
