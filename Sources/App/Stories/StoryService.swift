import Foundation
import GoodcastCore
import Hummingbird
import Logging
import SQLKit

/// Stories: a picture or a short video with stickers on it, seen for a day (or kept as a
/// highlight). Stickers are checked to be the poster's own and available when posted, and are
/// read through `StickerAvailability` ever after, so a refund or a dispute withdraws them.
struct StoryService: Sendable {
    let db: AppDatabase
    let clock: AppClock
    let media: any MediaStore
    let tools: MediaTools
    let stickers: StickerService
    let accounts: AccountStore
    let maxVideoBytes: Int
    let logger: Logger
    /// Uploads per account (shared with videos); nil for none. Files imported on this machine are not counted.
    var uploadLimiter: RateLimiter?

    func post(_ request: Request, by owner: AccountRecord) async throws -> StoryRecord {
        // Before a byte is read: the limit spares the disk as well as the database.
        try uploadLimiter?.check(owner.id.lowercasedString, what: "uploads from this account")
        return try await create(try await MultipartUpload.read(request, fileField: "media", textFields: ["stickers": 4000, "highlight": 5, "shared": 5],
                                                        maxBytes: max(maxVideoBytes, StoryRules.maxImageBytes), store: media), by: owner)
    }

    /// A story from a file on this machine (the demo's samples), through the same checks;
    /// `stickers` is the upload's JSON part.
    func importFile(_ url: URL, stickers: String, by owner: AccountRecord) async throws -> StoryRecord {
        try await create(try MultipartUpload.local(url, fields: ["stickers": stickers], store: media), by: owner)
    }

    private func create(_ upload: MultipartUpload, by owner: AccountRecord) async throws -> StoryRecord {
        var keptKey: String?
        do {
            let (kind, mediaType, ext, duration) = try await checkMedia(upload)
            var issues = ValidationIssues()
            let highlight = flag(upload.fields["highlight"], "highlight", default: false, &issues)
            let shared = flag(upload.fields["shared"], "shared", default: true, &issues)
            let placements = placements(upload.fields["stickers"], &issues)
            if !issues.isEmpty { throw Problem.validation(issues) }
            let own = try await stickers.requireOwn(placements.map(\.id), by: owner.id)
            let id = UUID()
            let key = "stories/\(id.lowercasedString).\(ext)"
            try media.keep(upload.temporaryPath, as: key)
            keptKey = key
            let now = clock.now()
            try await db.transaction { sql in
                try await sql.insert(into: "stories").columns(StoryRecord.columns)
                    .values(SQLBind(id), SQLBind(owner.id), SQLBind(key), SQLBind(kind), SQLBind(mediaType), SQLBind(upload.bytes),
                            SQLBind(duration), SQLBind(highlight), SQLBind(shared), SQLBind(now), SQLBind(Date?.none))
                    .run()
                if !placements.isEmpty {
                    try await sql.insert(into: "story_stickers")
                        .columns("story_id", "donation_id", "fundraiser_id", "x", "y", "scale", "rotation", "reveal_name", "created_at")
                        .rows(placements.map { placed in
                            [SQLBind(id), SQLBind(placed.id), SQLBind(own[placed.id]!.fundraiser_id), SQLBind(placed.at.x), SQLBind(placed.at.y),
                             SQLBind(placed.at.scale), SQLBind(placed.at.rotation), SQLBind(placed.revealName), SQLBind(now)]
                        })
                        .run()
                }
            }
            return try await find(id)!
        } catch {
            try? FileManager.default.removeItem(atPath: upload.temporaryPath)
            if let keptKey { try? media.delete(keptKey) }
            throw error
        }
    }

    /// An image (by its first bytes) or a short video (by its container, then ffprobe).
    private func checkMedia(_ upload: MultipartUpload) async throws -> (kind: String, mediaType: String, ext: String, durationMs: Int64?) {
        guard upload.bytes > 0 else { throw Problem.validation(ValidationIssue(field: "media", message: "is empty: choose a picture or a video")) }
        if let image = ImageFormat.sniff(upload.head) {
            guard upload.bytes <= StoryRules.maxImageBytes else {
                throw Problem(.bodyTooLarge, detail: "a picture must be at most \(StoryRules.maxImageBytes >> 20) MB")
            }
            return ("image", image.mediaType, image.fileExtension, nil)
        }
        guard let container = VideoContainer.sniff(upload.head) else {
            throw Problem(.unsupportedMediaType, detail: "a story is a JPEG, PNG or WebP picture or an MP4, WebM or QuickTime video (checked by its content, not its name)")
        }
        let probe: MediaTools.Probe?
        do {
            probe = try await tools.probe(upload.temporaryPath)
        } catch {
            throw Problem(.unsupportedMediaType, detail: "the file looks like \(container.rawValue) but could not be read as a video")
        }
        if let ms = probe?.durationMilliseconds, Double(ms) / 1000 > StoryRules.maxVideoSeconds {
            throw Problem.validation(ValidationIssue(field: "media", message: "a video story must be at most \(Int(StoryRules.maxVideoSeconds)) seconds long"))
        }
        let ext = switch container { case .mp4: "mp4"; case .webm: "webm"; case .quickTime: "mov" }
        return ("video", container.mediaType, ext, probe?.durationMilliseconds)
    }

    private func flag(_ raw: String?, _ field: String, default value: Bool, _ issues: inout ValidationIssues) -> Bool {
        guard let raw = raw?.trimmingCharacters(in: .whitespaces).lowercased(), !raw.isEmpty else { return value }
        switch raw {
        case "true", "on", "1": return true
        case "false", "off", "0": return false
        default:
            issues.add(field, "must be true or false")
            return value
        }
    }

    struct Placement { let id: UUID; let at: StickerPlacement; let revealName: Bool }

    /// The `stickers` part: a JSON array of placements, each checked and named by its index.
    private func placements(_ raw: String?, _ issues: inout ValidationIssues) -> [Placement] {
        guard let raw, !raw.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [] }
        let data = Data(raw.utf8)
        guard let array = (try? JSONSerialization.jsonObject(with: data)) as? [Any] else {
            issues.add("stickers", "must be a JSON array of {stickerId, x, y, scale, rotation, revealName}")
            return []
        }
        guard array.count <= StoryRules.maxStickers else {
            issues.add("stickers", "a story carries at most \(StoryRules.maxStickers) stickers")
            return []
        }
        var result: [Placement] = []
        var seen = Set<UUID>()
        for (index, item) in array.enumerated() {
            let field = "stickers[\(index)]"
            guard let object = item as? [String: Any] else { issues.add(field, "must be an object"); continue }
            if let unknown = object.keys.first(where: { !StickerPlacementInput.fieldNames.contains($0) }) {
                issues.add("\(field).\(unknown.prefix(40))", "is not a field of a sticker (stickerId, x, y, scale, rotation, revealName)"); continue
            }
            guard let itemData = try? JSONSerialization.data(withJSONObject: object),
                  let input = try? JSONDecoder().decode(StickerPlacementInput.self, from: itemData) else {
                issues.add(field, "has a value of the wrong type: stickerId is a string, x, y, scale and rotation numbers, revealName true or false"); continue
            }
            guard let id = input.stickerId.flatMap(UUID.init(uuidString:)) else { issues.add("\(field).stickerId", "must be the id of one of your stickers"); continue }
            guard seen.insert(id).inserted else { issues.add("\(field).stickerId", "is already on this story"); continue }
            let placement = StickerPlacement(x: input.x ?? 0.5, y: input.y ?? 0.8, scale: input.scale ?? 1, rotation: input.rotation ?? 0)
            do { try placement.check(field: field) } catch { issues.add(error.field, error.message); continue }
            result.append(Placement(id: id, at: placement, revealName: input.revealName ?? false))
        }
        return result
    }

    func find(_ id: UUID) async throws -> StoryRecord? {
        try await db.sql.select().columns(StoryRecord.columns.map { SQLColumn($0) }).from("stories")
            .where("id", .equal, SQLBind(id)).first(decoding: StoryRecord.self)
    }

    /// A story as someone may see it: visible, or its owner's (and never a deleted one).
    func visible(_ id: UUID, to viewer: AccountRecord?) async throws -> StoryRecord {
        guard let story = try await find(id), story.deletedAt == nil,
              story.isVisible(at: clock.now()) || story.ownerId == viewer?.id else { throw Problem.notFound("story \(id)") }
        return story
    }

    func update(_ id: UUID, _ input: StoryUpdateInput, by account: AccountRecord) async throws -> StoryRecord {
        let story = try await visible(id, to: account)
        guard story.ownerId == account.id else { throw Problem.forbidden("only the story's owner can change it") }
        var update = db.sql.update("stories").where("id", .equal, SQLBind(id))
        if let highlight = input.highlight { update = update.set("highlight", to: SQLBind(highlight)) }
        if let shared = input.shared { update = update.set("shared", to: SQLBind(shared)) }
        if input.highlight != nil || input.shared != nil { try await update.run() }
        return try await find(id)!
    }

    func delete(_ id: UUID, by account: AccountRecord) async throws {
        guard let story = try await find(id), story.deletedAt == nil else { throw Problem.notFound("story \(id)") }
        guard story.ownerId == account.id || account.role == .platformAdmin else { throw Problem.forbidden("only the story's owner can delete it") }
        try await db.sql.update("stories").set("deleted_at", to: SQLBind(clock.now())).where("id", .equal, SQLBind(id)).run()
        do { try media.delete(story.mediaKey) } catch { logger.warning("story media not deleted", metadata: ["story": "\(id)", "error": "\(error)"]) }
    }
}
