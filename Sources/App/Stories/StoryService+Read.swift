import Foundation
import GoodcastCore
import SQLKit

extension StoryService {
    /// The available stickers of some stories, with their donations' nonprofits and fundraisers.
    func placedStickers(of stories: [UUID]) async throws -> [UUID: [PlacedStickerRow]] {
        guard !stories.isEmpty else { return [:] }
        let rows = try await db.reader.raw("""
            SELECT ss.story_id, ss.donation_id, ss.fundraiser_id, ss.x, ss.y, ss.scale, ss.rotation, ss.reveal_name, d.visibility,
                   d.nonprofit_id, n.name AS nonprofit_name, f.title AS fundraiser_title
            FROM story_stickers ss JOIN donations d ON d.id = ss.donation_id JOIN nonprofits n ON n.id = d.nonprofit_id
                 JOIN fundraisers f ON f.id = ss.fundraiser_id
            WHERE ss.story_id IN (\(binds: stories)) AND \(unsafeRaw: StickerAvailability.condition)
            ORDER BY ss.created_at
            """).all(decoding: PlacedStickerRow.self)
        return Dictionary(grouping: rows, by: \.story_id)
    }

    /// What a sticker shows: the poster's name, unless the gift was anonymous and not revealed.
    static func placed(_ row: PlacedStickerRow, posterName: String, forOwner: Bool) -> PlacedStickerOutput {
        let hidden = row.visibility == DonationVisibility.anonymous.rawValue && !row.reveal_name
        return PlacedStickerOutput(stickerId: forOwner ? row.donation_id : nil, nonprofit: .init(id: row.nonprofit_id, name: row.nonprofit_name),
                                   fundraiser: .init(id: row.fundraiser_id, title: row.fundraiser_title), donor: hidden ? "Anonymous" : posterName,
                                   anonymous: hidden, x: row.x, y: row.y, scale: row.scale, rotation: row.rotation)
    }

    func outputs(_ stories: [StoryRecord], viewer: AccountRecord?) async throws -> [StoryOutput] {
        let owners = try await ownerNames(Array(Set(stories.map(\.ownerId))))
        let stickers = try await placedStickers(of: stories.map(\.id))
        return stories.map { story in
            let mine = viewer?.id == story.ownerId
            let placed = (stickers[story.id] ?? []).map { Self.placed($0, posterName: owners[story.ownerId]?.name ?? "", forOwner: mine) }
            // A story carrying an anonymous gift's sticker names its poster to no one but them:
            // otherwise the story's id, from the shared story, would lead back to the donor.
            let owner: (handle: String, name: String) = !mine && placed.contains(where: \.anonymous) ? ("", "Anonymous") : (owners[story.ownerId] ?? ("", ""))
            return StoryOutput(
                id: story.id, owner: owner.handle, ownerDisplayName: owner.name, kind: story.kind, mediaType: story.mediaType,
                mediaUrl: StoryMediaPath.story(story.id), durationSeconds: story.durationMs.map { Double($0) / 1000 },
                createdAt: story.createdAt, expiresAt: story.expiresAt, highlight: story.highlight, shared: story.shared,
                stickers: placed
            )
        }
    }

    func ownerNames(_ ids: [UUID]) async throws -> [UUID: (handle: String, name: String)] {
        guard !ids.isEmpty else { return [:] }
        struct Row: Decodable { let id: UUID; let handle: String; let display_name: String }
        let rows = try await db.reader.select().columns("id", "handle", "display_name").from("accounts").where("id", .in, SQLBind.group(ids)).all(decoding: Row.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.id, ($0.handle, $0.display_name)) })
    }

    /// An account's stories of the last day and its highlights, oldest first.
    func stories(of account: UUID) async throws -> [StoryRecord] {
        let since = clock.now().addingTimeInterval(-StoryRules.lifetime)
        return try await db.reader.select().columns(StoryRecord.columns.map { SQLColumn($0) }).from("stories")
            .where("owner_id", .equal, SQLBind(account)).where("deleted_at", .is, SQLLiteral.null)
            .where { $0.where("created_at", .greaterThan, SQLBind(since)).orWhere("highlight", .equal, SQLBind(true)) }
            .orderBy("created_at").limit(200).all(decoding: StoryRecord.self)
    }

    /// The last day's stories of the accounts `viewer` follows: the account with the newest
    /// story first, each account's stories in the order they were posted.
    func feed(for viewer: AccountRecord) async throws -> StoryFeedOutput {
        let since = clock.now().addingTimeInterval(-StoryRules.lifetime)
        let stories = try await db.reader.select().columns(StoryRecord.columns.map { SQLColumn($0) }).from("stories")
            .where("owner_id", .in, SQLSubquery.select { $0.column("followee_id").from("account_follows").where("follower_id", .equal, SQLBind(viewer.id)) })
            .where("deleted_at", .is, SQLLiteral.null).where("created_at", .greaterThan, SQLBind(since))
            .orderBy("created_at").limit(1000).all(decoding: StoryRecord.self)
        // Under its poster's name, a story with an anonymous gift's sticker would name the donor.
        let outputs = try await self.outputs(stories, viewer: viewer)
        let grouped = Dictionary(grouping: zip(stories, outputs).filter { !$0.1.owner.isEmpty }, by: { $0.0.ownerId })
        let ordered = grouped.values.sorted { ($0.last?.0.createdAt ?? .distantPast) > ($1.last?.0.createdAt ?? .distantPast) }
        return StoryFeedOutput(items: ordered.compactMap { pairs in
            guard let first = pairs.first?.1 else { return nil }
            return .init(account: .init(handle: first.owner, displayName: first.ownerDisplayName), stories: pairs.map(\.1))
        })
    }

    enum SharedScope {
        case fundraiser(UUID)
        case campaign(UUID)
    }

    /// The shared donors' story: visible, shared stories whose sticker is still available, newest first.
    func shared(_ scope: SharedScope, page: Int, perPage: Int) async throws -> SharedStoryPageOutput {
        let since = clock.now().addingTimeInterval(-StoryRules.lifetime)
        let scopeCondition: SQLQueryString = switch scope {
        case .fundraiser(let id): "ss.fundraiser_id = \(bind: id)"
        case .campaign(let id): "ss.fundraiser_id IN (SELECT l.fundraiser_id FROM lives l JOIN campaign_lives cl ON cl.live_id = l.id WHERE cl.campaign_id = \(bind: id) AND l.fundraiser_id IS NOT NULL)"
        }
        let from: SQLQueryString = """
            FROM story_stickers ss JOIN stories s ON s.id = ss.story_id JOIN donations d ON d.id = ss.donation_id
            WHERE \(scopeCondition) AND s.deleted_at IS NULL AND s.shared = \(bind: true)
              AND (s.highlight = \(bind: true) OR s.created_at > \(bind: since)) AND \(unsafeRaw: StickerAvailability.condition)
            """
        struct Count: Decodable { let n: Int }
        let total = try await db.reader.raw("SELECT COUNT(*) AS n \(from)").first(decoding: Count.self)?.n ?? 0
        struct Key: Decodable { let story_id: UUID; let donation_id: UUID }
        let keys = try await db.reader.raw("SELECT ss.story_id, ss.donation_id \(from) ORDER BY s.created_at DESC, ss.story_id LIMIT \(bind: perPage) OFFSET \(bind: (page - 1) * perPage)")
            .all(decoding: Key.self)
        let storyIDs = keys.map(\.story_id)
        let stories = storyIDs.isEmpty ? [] : try await db.reader.select().columns(StoryRecord.columns.map { SQLColumn($0) }).from("stories")
            .where("id", .in, SQLBind.group(storyIDs)).all(decoding: StoryRecord.self)
        let byID = Dictionary(uniqueKeysWithValues: stories.map { ($0.id, $0) })
        let owners = try await ownerNames(Array(Set(stories.map(\.ownerId))))
        let stickers = try await placedStickers(of: storyIDs)
        let items: [SharedStoryOutput] = keys.compactMap { key in
            guard let story = byID[key.story_id], let row = stickers[key.story_id]?.first(where: { $0.donation_id == key.donation_id }) else { return nil }
            let owner = owners[story.ownerId] ?? ("", "")
            let sticker = Self.placed(row, posterName: owner.name, forOwner: false)
            return SharedStoryOutput(storyId: story.id, poster: sticker.anonymous ? nil : owner.handle, donor: sticker.donor, kind: story.kind,
                                     mediaType: story.mediaType, mediaUrl: StoryMediaPath.story(story.id), createdAt: story.createdAt, sticker: sticker)
        }
        return SharedStoryPageOutput(items: items, page: page, perPage: perPage, total: total)
    }
}
