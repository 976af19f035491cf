import Foundation
import GoodcastCore
import Hummingbird

struct VideoOutput: ResponseCodable {
    struct ChallengeEntry: Codable, Sendable {
        let hashtag: String
        /// Whether the video counted for at least one of the challenge's pledges.
        let counted: Bool
        let accrued: [MoneyOutput]
    }

    let id: UUID
    let owner: String
    let caption: String
    let hashtags: [String]
    let mentions: [String]
    let container: String
    let bytes: Int64
    let durationSeconds: Double?
    let width: Int64?
    let height: Int64?
    let mediaUrl: String
    let posterUrl: String?
    let views: Int64
    let createdAt: Date
    let challenges: [ChallengeEntry]

    init(_ video: VideoRecord, owner: String, challenges: [ChallengeEntry]) {
        id = video.id
        self.owner = owner
        caption = video.caption
        hashtags = video.hashtagList
        mentions = video.mentionList
        container = video.container
        bytes = video.bytes
        durationSeconds = video.durationMs.map { Double($0) / 1000 }
        width = video.width
        height = video.height
        mediaUrl = MediaPath.video(video.id)
        posterUrl = video.hasPoster ? MediaPath.poster(video.id) : nil
        views = video.views
        createdAt = video.createdAt
        self.challenges = challenges
    }
}

struct VideoPageOutput: ResponseCodable {
    let items: [VideoOutput]
    let page: Int
    let perPage: Int
    let total: Int
}

/// One item of `POST /api/v1/views`.
struct ViewInput: Decodable, Sendable, KnownFields {
    static let fieldNames: Set<String> = Set(CodingKeys.allCases.map(\.rawValue))
    let videoId: String?
    let viewerId: String?
    let at: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case videoId, viewerId, at }
}

struct ViewsAccepted: ResponseCodable {
    let accepted: Int
}

/// Paths of served media (outside the API).
enum MediaPath {
    static func video(_ id: UUID) -> String { "/media/videos/\(id.lowercasedString)" }
    static func poster(_ id: UUID) -> String { "/media/videos/\(id.lowercasedString)/poster.jpg" }
}
