import Foundation
import GoodcastCore
import Hummingbird

extension SitePages {
    struct StoryPage {
        let id: String
        let owner: String
        let ownerName: String
        let isVideo: Bool
        let mediaUrl: String
        let postedIso: String
        let postedText: String
        let highlight: Bool
        let shared: Bool
        let stickers: [StickerView]
        let hasStickers: Bool
        let previousHref: String?
        let nextHref: String?
        let closeHref: String
        /// "2 / 5" where the story is in its sequence.
        let position: String?
        let isOwner: Bool
        let from: String
        let editHref: String
        let deleteHref: String
    }

    /// The stories a viewer taps through, in order, and where closing the viewer goes.
    struct StorySequence {
        var ids: [UUID]
        var from: String?
        var closeHref: String
    }

    /// The longest sequence the viewer walks: tapping through more than this many goes through the listing pages.
    static let sequenceLength = 200

    /// `from` is `fundraiser:<id>`, `campaign:<slug>` or `account:<handle>`; anything else (or an
    /// unknown one, from an old link) walks the owner's stories.
    func sequence(_ from: String?, story: StoryRecord, viewer: AccountRecord?) async throws -> StorySequence {
        let parts = (from ?? "").split(separator: ":", maxSplits: 1).map(String.init)
        func shared(_ scope: StoryService.SharedScope) async throws -> [UUID] {
            var seen = Set<UUID>()
            return try await services.stories.shared(scope, page: 1, perPage: Self.sequenceLength).items.map(\.storyId).filter { seen.insert($0).inserted }
        }
        do {
            switch (parts.first, parts.count) {
            case ("fundraiser", 2):
                if let id = UUID(uuidString: parts[1]), try await services.fundraisers.store.find(id) != nil {
                    let idText = id.lowercasedString
                    return StorySequence(ids: try await shared(.fundraiser(id)), from: "fundraiser:\(idText)", closeHref: PagePath.fundraiser(idText))
                }
            case ("campaign", 2):
                let campaign = try await services.campaigns.require(slug: parts[1])
                return StorySequence(ids: try await shared(.campaign(campaign.id)), from: "campaign:\(campaign.slug)", closeHref: PagePath.campaign(campaign.slug))
            case ("account", 2):
                let account = try await services.accountFollows.account(handle: parts[1])
                return StorySequence(ids: try await services.stories.stories(of: account.id).map(\.id), from: "account:\(account.handle)", closeHref: PagePath.home)
            default:
                break
            }
        } catch let problem as Problem where problem.status == .notFound {
            // An old link to a campaign or an account that is gone: the owner's stories instead.
        }
        let mine = viewer?.id == story.ownerId
        return StorySequence(ids: try await services.stories.stories(of: story.ownerId).map(\.id), from: nil, closeHref: mine ? PagePath.myStickers : PagePath.home)
    }

    @Sendable func storyViewer(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = context.identity?.account
        let record = try await services.stories.visible(try context.parameters.requireUUID("storyId"), to: viewer)
        let story = try await services.stories.outputs([record], viewer: viewer)[0]
        var sequence = try await sequence(request.uri.queryParameters.get("from"), story: record, viewer: viewer)
        if story.owner.isEmpty && sequence.from == nil {
            // Its poster is not named here, so their other stories are not one tap away either.
            sequence = StorySequence(ids: [record.id], from: nil, closeHref: PagePath.home)
        }
        let index = sequence.ids.firstIndex(of: record.id)
        func href(_ offset: Int) -> String? {
            guard let index, sequence.ids.indices.contains(index + offset) else { return nil }
            return PagePath.story(sequence.ids[index + offset].lowercasedString, from: sequence.from)
        }
        let id = story.id.lowercasedString
        let dates = DateRange(story.createdAt, story.expiresAt)
        // Reached from a shared donors' story, a story whose stickers all stand for anonymous
        // gifts names no one there, as the shared story itself does not.
        let fromShared = sequence.from.map { $0.hasPrefix("fundraiser:") || $0.hasPrefix("campaign:") } ?? false
        let unnamed = story.owner.isEmpty || (fromShared && !story.stickers.isEmpty && story.stickers.allSatisfy(\.anonymous) && viewer?.id != record.ownerId)
        let page = StoryPage(
            id: id, owner: unnamed ? "" : story.owner,
            ownerName: unnamed ? Strings.table(for: context.language)["anonymous"]! : (story.ownerDisplayName.isEmpty ? story.owner : story.ownerDisplayName),
            isVideo: story.kind == "video", mediaUrl: story.mediaUrl, postedIso: dates.startsIso, postedText: dates.startsText,
            highlight: story.highlight, shared: story.shared,
            stickers: story.stickers.map { StickerView($0, language: context.language) }, hasStickers: !story.stickers.isEmpty,
            previousHref: href(-1), nextHref: href(1), closeHref: sequence.closeHref,
            position: index.map { "\($0 + 1) / \(sequence.ids.count)" }, isOwner: viewer?.id == record.ownerId,
            from: sequence.from ?? "", editHref: PagePath.storyEdit(id), deleteHref: PagePath.storyDelete(id)
        )
        let title = Strings.table(for: context.language)["storyBy"]! + " " + page.ownerName
        return pages.render("stories/show", title: title, page: page, request: request, context: context)
    }

    /// The owner's buttons: keep or drop the highlight, join or leave the shared story; back to the same place in the sequence.
    @Sendable func editStoryFromPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        let id = try context.parameters.requireUUID("storyId")
        let form = try await FormData.read(request, maxBytes: maxBodyBytes)
        func flag(_ name: String) throws -> Bool? {
            guard let raw = form[name] else { return nil }
            guard raw == "true" || raw == "false" else { throw Problem.validation(ValidationIssue(field: name, message: "must be true or false")) }
            return raw == "true"
        }
        _ = try await services.stories.update(id, StoryUpdateInput(highlight: try flag("highlight"), shared: try flag("shared")), by: account)
        let from = form["from"].flatMap { $0.isEmpty ? nil : $0 }
        return PageRenderer.redirect(PagePath.story(id.lowercasedString, from: from))
    }

    @Sendable func deleteStoryFromPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        try await services.stories.delete(try context.parameters.requireUUID("storyId"), by: account)
        return PageRenderer.redirect(PagePath.myStickers)
    }
}
