import Foundation
import GoodcastCore
import Hummingbird

struct ProgramRecord: Sendable, Decodable {
    let id: UUID
    let slug: String
    let title: String
    let description: String?
    let currency: String
    let budget: Int64
    let unassigned: Int64
    let creatorDeadline: Date
    let unchosen: String
    let defaultNonprofitId: UUID?
    let status: String
    let createdBy: UUID
    let createdAt: Date
    let closedAt: Date?

    static let columns = ["id", "slug", "title", "description", "currency", "budget", "unassigned", "creator_deadline", "unchosen",
                          "default_nonprofit_id", "status", "created_by", "created_at", "closed_at"]

    enum CodingKeys: String, CodingKey {
        case id, slug, title, description, currency, budget, unassigned, unchosen, status
        case creatorDeadline = "creator_deadline", defaultNonprofitId = "default_nonprofit_id", createdBy = "created_by"
        case createdAt = "created_at", closedAt = "closed_at"
    }

    var money: Currency { Currency.supported[currency] ?? .usd }
}

struct ProgramInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case slug, title, description, budget, creatorDeadline, unchosen, defaultNonprofitId }
    typealias CodingKeys = Field
    let slug: String?
    let title: String?
    let description: String?
    let budget: MoneyInput?
    let creatorDeadline: String?
    let unchosen: String?
    let defaultNonprofitId: String?
}

struct ProgramGrantInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case nonprofitId, amount }
    typealias CodingKeys = Field
    let nonprofitId: String?
    let amount: Int64?
}

struct ProgramInvitationInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case handle, amount }
    typealias CodingKeys = Field
    let handle: String?
    let amount: Int64?
}

struct ProgramChoiceInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case nonprofitId }
    typealias CodingKeys = Field
    let nonprofitId: String?
}

struct ProgramGrantOutput: Codable, Sendable {
    let id: UUID
    let nonprofit: NamedRef
    let amount: MoneyOutput
    let onBehalfOf: String?
    let at: Date
}

struct ProgramInvitationOutput: ResponseCodable {
    let id: UUID
    let program: String
    let creator: String
    let amount: MoneyOutput
    let status: String
    let deadline: Date
}

struct ProgramOutput: ResponseCodable {
    let id: UUID
    let slug: String
    let title: String
    let description: String?
    let budget: MoneyOutput
    let granted: MoneyOutput
    let offeredToCreators: MoneyOutput
    let unassigned: MoneyOutput
    let creatorDeadline: Date
    let unchosen: String
    let status: String
    let grants: [ProgramGrantOutput]
}

struct ProgramInvitationListOutput: ResponseCodable {
    let items: [ProgramInvitationOutput]
}
