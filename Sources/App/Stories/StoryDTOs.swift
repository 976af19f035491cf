import Foundation
import GoodcastCore
import Hummingbird

struct NamedRef: Codable, Sendable {
    let id: UUID
    let name: String
}

struct FundraiserRef: Codable, Sendable {
    let id: UUID
    let title: String
}

struct CampaignRef: Codable, Sendable {
    let slug: String
    let title: String
}

struct StickerOutput: Codable, Sendable {
    let id: UUID
    let donationId: UUID
    let nonprofit: NamedRef
    let fundraiser: FundraiserRef
    let campaign: CampaignRef?
    let anonymous: Bool
    let available: Bool
    let createdAt: Date
}

struct StickerListOutput: ResponseCodable {
    let items: [StickerOutput]
}

struct PlacedStickerOutput: Codable, Sendable {
    let stickerId: UUID?
    let nonprofit: NamedRef
    let fundraiser: FundraiserRef
    let donor: String
    /// The gift was anonymous and its donor did not reveal their name: `donor` names no one.
    let anonymous: Bool
    let x: Double
    let y: Double
    let scale: Double
    let rotation: Double
}

struct StoryOutput: ResponseCodable {
    let id: UUID
    let owner: String
    let ownerDisplayName: String
    let kind: String
    let mediaType: String
    let mediaUrl: String
    let durationSeconds: Double?
    let createdAt: Date
    let expiresAt: Date
    let highlight: Bool
    let shared: Bool
    let stickers: [PlacedStickerOutput]
}

struct StoryListOutput: ResponseCodable {
    let items: [StoryOutput]
}

struct StoryFeedOutput: ResponseCodable {
    struct Account: Codable, Sendable { let handle: String; let displayName: String }
    struct Item: Codable, Sendable { let account: Account; let stories: [StoryOutput] }
    let items: [Item]
}

struct SharedStoryOutput: Codable, Sendable {
    let storyId: UUID
    let poster: String?
    let donor: String
    let kind: String
    let mediaType: String
    let mediaUrl: String
    let createdAt: Date
    let sticker: PlacedStickerOutput
}

struct SharedStoryPageOutput: ResponseCodable {
    let items: [SharedStoryOutput]
    let page: Int
    let perPage: Int
    let total: Int
}

struct StoryUpdateInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case highlight, shared }
    typealias CodingKeys = Field
    let highlight: Bool?
    let shared: Bool?
}

/// One sticker of the `stickers` part of a story upload.
struct StickerPlacementInput: Decodable, Sendable, KnownFields {
    static let fieldNames: Set<String> = Set(CodingKeys.allCases.map(\.rawValue))
    enum CodingKeys: String, CodingKey, CaseIterable { case stickerId, x, y, scale, rotation, revealName }
    let stickerId: String?
    let x: Double?
    let y: Double?
    let scale: Double?
    let rotation: Double?
    let revealName: Bool?
}

enum StoryMediaPath {
    static func story(_ id: UUID) -> String { "/media/stories/\(id.lowercasedString)" }
}
