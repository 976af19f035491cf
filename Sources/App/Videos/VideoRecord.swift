import Foundation
import GoodcastCore

/// A video as stored.
struct VideoRecord: Sendable, Decodable {
    let id: UUID
    let ownerId: UUID
    let caption: String
    let hashtags: String
    let mentions: String
    let container: String
    let bytes: Int64
    let durationMs: Int64?
    let width: Int64?
    let height: Int64?
    let hasPoster: Bool
    let views: Int64
    let status: String
    let createdAt: Date
    let deletedAt: Date?

    static let columns = ["id", "owner_id", "caption", "hashtags", "mentions", "container", "bytes", "duration_ms", "width", "height",
                          "has_poster", "views", "status", "created_at", "deleted_at"]

    enum CodingKeys: String, CodingKey {
        case id, caption, hashtags, mentions, container, bytes, width, height, views, status
        case ownerId = "owner_id", durationMs = "duration_ms", hasPoster = "has_poster", createdAt = "created_at", deletedAt = "deleted_at"
    }

    var videoContainer: VideoContainer { VideoContainer(rawValue: container) ?? .mp4 }
    var mediaKey: String { Self.mediaKey(id, videoContainer) }
    var posterKey: String { "videos/\(id.lowercasedString).jpg" }
    var hashtagList: [String] { (try? JSONDecoder().decode([String].self, from: Data(hashtags.utf8))) ?? [] }
    var mentionList: [String] { (try? JSONDecoder().decode([String].self, from: Data(mentions.utf8))) ?? [] }

    static func mediaKey(_ id: UUID, _ container: VideoContainer) -> String {
        let ext = switch container { case .mp4: "mp4"; case .webm: "webm"; case .quickTime: "mov" }
        return "videos/\(id.lowercasedString).\(ext)"
    }
}
