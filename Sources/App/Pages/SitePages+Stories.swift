import Foundation
import GoodcastCore
import Hummingbird

extension SitePages {
    func addStoryRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(PagePath.myStickers), use: stickerGallery)
        router.get(RouterPath(PagePath.newStory), use: composer)
        router.post(RouterPath(PagePath.stories), use: postStoryFromPage)
        router.get("/stories/:storyId", use: storyViewer)
        router.post("/stories/:storyId/edit", use: editStoryFromPage)
        router.post("/stories/:storyId/delete", use: deleteStoryFromPage)
        router.get("/fundraisers/:fundraiserId/story", use: fundraiserSharedStory)
        router.get("/campaigns/:slug/story", use: campaignSharedStory)
    }

    struct StickerGalleryPage {
        struct Item {
            let id: String
            let sticker: StickerView
            let fundraiser: String
            let fundraiserHref: String
            let campaign: String?
            let campaignHref: String?
            let date: String
            let available: Bool
            let anonymous: Bool
            let composeHref: String
        }
        let items: [Item]
        let empty: Bool
        let stories: [StoryThumb]
        let noStories: Bool
        let newStoryHref: String
    }

    @Sendable func stickerGallery(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard case .success(let account) = requireAccount(request, context) else { return signInRedirect(request) }
        let language = context.language
        let items = try await services.stickers.stickers(of: account.id).map { sticker in
            let id = sticker.id.lowercasedString
            return StickerGalleryPage.Item(
                id: id, sticker: StickerView(nonprofit: sticker.nonprofit.name, donor: nil),
                fundraiser: sticker.fundraiser.title, fundraiserHref: PagePath.fundraiser(sticker.fundraiser.id.lowercasedString),
                campaign: sticker.campaign?.title, campaignHref: sticker.campaign.map { PagePath.campaign($0.slug) },
                date: Self.dateText(sticker.createdAt, language: language), available: sticker.available, anonymous: sticker.anonymous,
                composeHref: PagePath.newStory(sticker: id)
            )
        }
        let stories = try await services.stories.outputs(try await services.stories.stories(of: account.id), viewer: account).reversed().map(StoryThumb.init)
        let page = StickerGalleryPage(items: items, empty: items.isEmpty, stories: stories, noStories: stories.isEmpty, newStoryHref: PagePath.newStory)
        return pages.render("stories/stickers", title: Strings.table(for: language)["myStickers"]!, page: page, request: request, context: context)
    }

    /// The shared story of a fundraiser or a campaign, a page at a time.
    struct SharedStoryPage {
        let title: String
        let backHref: String
        let items: [StoryThumb]
        let empty: Bool
        let pageNumber: Int
        let previousHref: String?
        let nextHref: String?
    }

    static let sharedStripLength = 12
    static let sharedPageLength = 24

    func sharedStrip(_ scope: StoryService.SharedScope, from: String, moreHref: String, language: String) async throws -> SharedStoryStrip {
        let found = try await services.stories.shared(scope, page: 1, perPage: Self.sharedStripLength)
        let items = StoryThumb.unique(found.items, of: scope, from: from, language: language)
        return SharedStoryStrip(items: items, empty: items.isEmpty, moreHref: found.total > found.perPage ? moreHref : nil)
    }

    @Sendable func fundraiserSharedStory(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("fundraiserId")
        guard let fundraiser = try await services.fundraisers.store.find(id) else { throw Problem.notFound("fundraiser \(id)") }
        let idText = id.lowercasedString
        return try await renderSharedStory(request, context, .fundraiser(id), from: "fundraiser:\(idText)", title: fundraiser.title,
                                           backHref: PagePath.fundraiser(idText), path: PagePath.fundraiserStory(idText))
    }

    @Sendable func campaignSharedStory(_ request: Request, context: AppRequestContext) async throws -> Response {
        let campaign = try await services.campaigns.require(slug: try context.parameters.require("slug"))
        return try await renderSharedStory(request, context, .campaign(campaign.id), from: "campaign:\(campaign.slug)", title: campaign.title,
                                           backHref: PagePath.campaign(campaign.slug), path: PagePath.campaignStory(campaign.slug))
    }

    private func renderSharedStory(_ request: Request, _ context: AppRequestContext, _ scope: StoryService.SharedScope, from: String,
                                   title: String, backHref: String, path: String) async throws -> Response {
        var reader = QueryReader(request)
        // A shared link with a bad page number shows the first page.
        let number = reader.int("page", default: 1, range: 1...10_000)
        let found = try await services.stories.shared(scope, page: number, perPage: Self.sharedPageLength)
        let items = StoryThumb.unique(found.items, of: scope, from: from, language: context.language)
        let page = SharedStoryPage(
            title: title, backHref: backHref, items: items, empty: items.isEmpty, pageNumber: number,
            previousHref: number > 1 ? "\(path)?page=\(number - 1)" : nil,
            nextHref: number * found.perPage < found.total ? "\(path)?page=\(number + 1)" : nil
        )
        let strings = Strings.table(for: context.language)
        return pages.render("stories/shared", title: "\(strings["sharedStory"]!) · \(title)", page: page, request: request, context: context)
    }
}

extension SitePages {
    struct ComposerPage {
        struct Choice { let id: String; let nonprofit: String; let fundraiser: String; let anonymous: Bool; let json: String; let checked: Bool }
        let action: String
        let choices: [Choice]
        let hasStickers: Bool
        let noneChecked: Bool
        let preview: StickerView?
        let donor: String
        let fileHint: String
        let errors: FormErrors
    }

    /// A browser's file preview is a `blob:` URL, which the strict page policy would block.
    static var composerPolicy: String {
        SecurityHeadersMiddleware<AppRequestContext>.pagePolicy.replacingOccurrences(of: "img-src 'self' data:", with: "img-src 'self' data: blob:")
            + "; media-src 'self' blob:"
    }

    /// Without JS the chosen radio posts this; `story-composer.js` rewrites it with where the donor put the sticker.
    static func defaultPlacement(_ stickerID: String) -> String {
        #"[{"stickerId":"\#(stickerID)","x":0.5,"y":0.8,"scale":1,"rotation":0}]"#
    }

    @Sendable func composer(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard case .success(let account) = requireAccount(request, context) else {
            return PageRenderer.redirect("\(PagePath.signIn)?next=\(PagePath.newStory)")
        }
        let wanted = request.uri.queryParameters.get("sticker").flatMap(UUID.init(uuidString:))
        return try await renderComposer(request, context, account: account, chosen: wanted, errors: nil)
    }

    func renderComposer(_ request: Request, _ context: AppRequestContext, account: AccountRecord, chosen wanted: UUID?, errors: Problem?) async throws -> Response {
        let strings = Strings.table(for: context.language)
        let available = try await services.stickers.stickers(of: account.id).filter(\.available)
        // The sticker asked for, else the newest: a story from the gallery or the receipt comes with its sticker.
        let chosen = available.first { $0.id == wanted } ?? available.first
        let choices = available.map { sticker in
            let id = sticker.id.lowercasedString
            return ComposerPage.Choice(id: id, nonprofit: sticker.nonprofit.name, fundraiser: sticker.fundraiser.title, anonymous: sticker.anonymous,
                                       json: Self.defaultPlacement(id), checked: sticker.id == chosen?.id)
        }
        let donor = account.displayName.isEmpty ? account.handle : account.displayName
        let hint = strings["storyFileHint"]!
            .replacingOccurrences(of: "{imageMb}", with: String(StoryRules.maxImageBytes >> 20))
            .replacingOccurrences(of: "{seconds}", with: String(Int(StoryRules.maxVideoSeconds)))
            .replacingOccurrences(of: "{videoMb}", with: String(services.config.maxVideoBytes >> 20))
        let page = ComposerPage(
            action: "\(PagePath.stories)?_csrf=\(context.csrfToken)", choices: choices, hasStickers: !choices.isEmpty, noneChecked: chosen == nil,
            preview: chosen.map { StickerView(nonprofit: $0.nonprofit.name, donor: $0.anonymous ? strings["anonymous"]! : donor) },
            donor: donor, fileHint: hint, errors: FormErrors(errors)
        )
        var response = pages.render("stories/new", title: strings["newStory"]!, page: page, request: request, context: context, status: errors?.status ?? .ok)
        response.headers[.contentSecurityPolicy] = Self.composerPolicy
        return response
    }

    /// The composer's form posts the API's own parts (`media`, `stickers`, `highlight`, `shared`), so
    /// the upload streams straight to the story service; `PageMiddleware` checked the token in the query.
    @Sendable func postStoryFromPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return PageRenderer.redirect("\(PagePath.signIn)?next=\(PagePath.newStory)") }
        do {
            let story = try await services.stories.post(request, by: account)
            return PageRenderer.redirect(PagePath.story(story.id.lowercasedString))
        } catch let problem as Problem where problem.status.code < 500 && problem.kind != .rateLimited {
            return try await renderComposer(request, context, account: account, chosen: nil, errors: problem)
        }
    }
}
