import Foundation
import GoodcastCore
import Hummingbird
import Logging
import SQLKit

/// Short videos: upload (checked by content, stored in the media store), read, delete. A video
/// whose caption carries an active challenge's hashtag joins it, and may accrue pledges, in the
/// same transaction that stores it.
struct VideoService: Sendable {
    let db: AppDatabase
    let clock: AppClock
    let media: any MediaStore
    let tools: MediaTools
    let accounts: AccountStore
    let rules: PledgeRules
    let maxBytes: Int
    let logger: Logger
    /// Uploads per account (shared with stories); nil for none. Files imported on this machine are not counted.
    var uploadLimiter: RateLimiter?

    func upload(_ request: Request, by owner: AccountRecord) async throws -> VideoRecord {
        // Before a byte is read: the limit spares the disk as well as the database.
        try uploadLimiter?.check(owner.id.lowercasedString, what: "uploads from this account")
        return try await create(try await MultipartUpload.read(request, fileField: "file", textFields: ["caption": Self.captionMax], maxBytes: maxBytes, store: media), by: owner)
    }

    /// A video from a file on this machine (the demo's samples), through the same checks.
    func importFile(_ url: URL, caption: String, by owner: AccountRecord) async throws -> VideoRecord {
        try await create(try MultipartUpload.local(url, fields: ["caption": caption], store: media), by: owner)
    }

    static let captionMax = 2200

    private func create(_ upload: MultipartUpload, by owner: AccountRecord) async throws -> VideoRecord {
        var kept: [String] = []
        do {
            guard upload.bytes > 0 else {
                throw Problem.validation(ValidationIssue(field: "file", message: "is empty: choose a video file"))
            }
            guard let container = VideoContainer.sniff(upload.head) else {
                throw Problem(.unsupportedMediaType, detail: "the file is not a video Goodcast takes: send MP4, WebM or QuickTime (checked by its content, not its name)")
            }
            let caption = try checkCaption(upload.fields["caption"])
            let probe: MediaTools.Probe?
            do {
                probe = try await tools.probe(upload.temporaryPath)
            } catch MediaTools.ProbeError.noVideoStream {
                throw Problem(.unsupportedMediaType, detail: "the file is a \(container.rawValue) container with no video stream")
            } catch {
                throw Problem(.unsupportedMediaType, detail: "the file looks like \(container.rawValue) but could not be read as a video")
            }
            let id = UUID()
            let key = VideoRecord.mediaKey(id, container)
            try media.keep(upload.temporaryPath, as: key)
            kept.append(key)
            var hasPoster = false
            if tools.ffmpeg != nil, let stored = media.path(of: key) {
                let posterTemp = try media.temporaryPath() + ".jpg"
                if await tools.poster(of: stored, to: posterTemp) {
                    let posterKey = "videos/\(id.lowercasedString).jpg"
                    try media.keep(posterTemp, as: posterKey)
                    kept.append(posterKey)
                    hasPoster = true
                } else {
                    try? FileManager.default.removeItem(atPath: posterTemp)
                }
            }
            let tags = CaptionTags(caption: caption)
            let posterMade = hasPoster
            let now = clock.now()
            let rules = self.rules
            try await db.transaction { sql in
                try await sql.insert(into: "videos").columns(VideoRecord.columns)
                    .values(SQLBind(id), SQLBind(owner.id), SQLBind(caption), SQLBind(try Self.json(tags.hashtags.map(\.display))),
                            SQLBind(try Self.json(tags.mentions)), SQLBind(container.rawValue), SQLBind(upload.bytes),
                            SQLBind(probe?.durationMilliseconds), SQLBind(probe?.width), SQLBind(probe?.height), SQLBind(posterMade),
                            SQLBind(Int64(0)), SQLBind("active"), SQLBind(now), SQLBind(Date?.none))
                    .run()
                let keys = Array(Set(tags.hashtags.map(\.key))).sorted()
                if !keys.isEmpty {
                    try await sql.insert(into: "video_tags").columns("video_id", "tag_key")
                        .rows(keys.map { [SQLBind(id), SQLBind($0)] }).run()
                }
                try await ChallengeEntries.join(video: id, creator: owner, tagKeys: keys, at: now, rules: rules, on: sql)
            }
            return try await find(id)!
        } catch {
            try? FileManager.default.removeItem(atPath: upload.temporaryPath)
            for key in kept { try? media.delete(key) }
            throw error
        }
    }

    private func checkCaption(_ raw: String?) throws -> String {
        do {
            return try TextSanitizer.optional(raw, field: "caption", max: Self.captionMax, allowNewlines: true) ?? ""
        } catch {
            throw Problem.validation(error)
        }
    }

    static func json(_ values: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(values), as: UTF8.self)
    }

    func find(_ id: UUID, includeDeleted: Bool = false) async throws -> VideoRecord? {
        let video = try await db.reader.select().columns(VideoRecord.columns.map { SQLColumn($0) }).from("videos")
            .where("id", .equal, SQLBind(id)).first(decoding: VideoRecord.self)
        guard let video, includeDeleted || video.status == "active" else { return nil }
        return video
    }

    /// The owner (or a platform admin) deletes a video: it leaves its challenges, accruals within
    /// the grace period go back to their pledges' budgets, and the media is removed.
    func delete(_ id: UUID, by account: AccountRecord) async throws {
        guard let video = try await find(id) else { throw Problem.notFound("video \(id)") }
        guard video.ownerId == account.id || account.role == .platformAdmin else {
            throw Problem.forbidden("only the video's owner can delete it")
        }
        let now = clock.now()
        let rules = self.rules
        try await db.transaction { sql in
            try await sql.update("videos").set("status", to: SQLBind("deleted")).set("deleted_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(id)).where("status", .equal, SQLBind("active")).run()
            try await ChallengeEntries.remove(video: id, at: now, rules: rules, on: sql)
        }
        for key in [video.mediaKey, video.posterKey] {
            do { try media.delete(key) } catch { logger.warning("media not deleted", metadata: ["key": "\(key)", "error": "\(error)"]) }
        }
    }

    func output(_ video: VideoRecord) async throws -> VideoOutput {
        let owner = try await accounts.find(id: video.ownerId)?.handle ?? ""
        return VideoOutput(video, owner: owner, challenges: try await ChallengeEntries.entries(of: [video.id], on: db.reader)[video.id] ?? [])
    }

    /// Outputs for a page of videos: owners and challenge entries in two queries.
    func outputs(_ videos: [VideoRecord]) async throws -> [VideoOutput] {
        guard !videos.isEmpty else { return [] }
        struct Owner: Decodable { let id: UUID; let handle: String }
        let owners = try await db.reader.select().columns("id", "handle").from("accounts")
            .where("id", .in, SQLBind.group(Array(Set(videos.map(\.ownerId))))).all(decoding: Owner.self)
        let handles = Dictionary(uniqueKeysWithValues: owners.map { ($0.id, $0.handle) })
        let entries = try await ChallengeEntries.entries(of: videos.map(\.id), on: db.reader)
        return videos.map { VideoOutput($0, owner: handles[$0.ownerId] ?? "", challenges: entries[$0.id] ?? []) }
    }
}
