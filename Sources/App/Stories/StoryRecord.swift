import Foundation
import GoodcastCore

struct StoryRecord: Sendable, Decodable {
    let id: UUID
    let ownerId: UUID
    let mediaKey: String
    let kind: String
    let mediaType: String
    let bytes: Int64
    let durationMs: Int64?
    let highlight: Bool
    let shared: Bool
    let createdAt: Date
    let deletedAt: Date?

    static let columns = ["id", "owner_id", "media_key", "kind", "media_type", "bytes", "duration_ms", "highlight", "shared", "created_at", "deleted_at"]

    enum CodingKeys: String, CodingKey {
        case id, kind, bytes, highlight, shared
        case ownerId = "owner_id", mediaKey = "media_key", mediaType = "media_type", durationMs = "duration_ms"
        case createdAt = "created_at", deletedAt = "deleted_at"
    }

    func isVisible(at now: Date) -> Bool {
        StoryRules.isVisible(createdAt: createdAt, highlight: highlight, deleted: deletedAt != nil, now: now)
    }

    var expiresAt: Date { createdAt.addingTimeInterval(StoryRules.lifetime) }
}

/// A sticker on a story, with what the reader needs to show it (the donation it stands for,
/// only while that donation is neither refunded in full nor disputed).
struct PlacedStickerRow: Sendable, Decodable {
    let story_id: UUID
    let donation_id: UUID
    let fundraiser_id: UUID
    let x: Double
    let y: Double
    let scale: Double
    let rotation: Double
    let reveal_name: Bool
    let visibility: String
    let nonprofit_id: UUID
    let nonprofit_name: String
    let fundraiser_title: String
}

/// The SQL condition of a donation whose sticker may show: succeeded, not refunded in full,
/// no dispute open or lost. Kept in one place: stickers, stories and shared stories all use it.
enum StickerAvailability {
    static let condition = "d.status = 'succeeded' AND d.refunded < d.amount AND d.dispute NOT IN ('open', 'lost')"
}
