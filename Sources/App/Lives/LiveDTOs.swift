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
    struct TicketPart: Decodable, Sendable { let price: MoneyInput? }
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
    let createdAt: Date
}
