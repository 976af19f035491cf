import Foundation
import GoodcastCore
import Hummingbird

/// `/api/v1/stories`, stickers, following accounts, and the shared donors' stories.
struct StoryController: Sendable {
    let stories: StoryService
    let stickers: StickerService
    let follows: AccountFollows
    let fundraisers: FundraiserService
    let campaigns: CampaignService
    let maxBodyBytes: Int

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.post(APIPath.stories, use: post)
        api.get(APIPath.story, use: show)
        api.put(APIPath.story, use: update)
        api.delete(APIPath.story, use: delete)
        api.get(APIPath.myStickers, use: myStickers)
        api.get(APIPath.myStoryFeed, use: feed)
        api.get(APIPath.accountStories, use: accountStories)
        api.post(APIPath.accountFollow, use: follow)
        api.delete(APIPath.accountFollow, use: unfollow)
        api.get(APIPath.fundraiserStory, use: fundraiserStory)
        api.get(APIPath.campaignStory, use: campaignStory)
    }

    @Sendable func post(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<StoryOutput> {
        let account = try context.requireAccount()
        let story = try await stories.post(request, by: account)
        return EditedResponse(status: .created, headers: [.location: "/api/v1/stories/\(story.id.lowercasedString)"],
                              response: try await stories.outputs([story], viewer: account)[0])
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> StoryOutput {
        let viewer = context.identity?.account
        let story = try await stories.visible(try context.parameters.requireUUID("storyId"), to: viewer)
        return try await stories.outputs([story], viewer: viewer)[0]
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> StoryOutput {
        let account = try context.requireAccount()
        let input = try await request.decodeJSON(StoryUpdateInput.self, maxBytes: maxBodyBytes)
        let story = try await stories.update(try context.parameters.requireUUID("storyId"), input, by: account)
        return try await stories.outputs([story], viewer: account)[0]
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await stories.delete(try context.parameters.requireUUID("storyId"), by: try context.requireAccount())
        return Response(status: .noContent)
    }

    @Sendable func myStickers(_ request: Request, context: AppRequestContext) async throws -> StickerListOutput {
        StickerListOutput(items: try await stickers.stickers(of: try context.requireAccount().id))
    }

    @Sendable func feed(_ request: Request, context: AppRequestContext) async throws -> StoryFeedOutput {
        try await stories.feed(for: try context.requireAccount())
    }

    @Sendable func accountStories(_ request: Request, context: AppRequestContext) async throws -> StoryListOutput {
        let account = try await follows.account(handle: try context.parameters.require("handle"))
        let viewer = context.identity?.account
        let items = try await stories.outputs(try await stories.stories(of: account.id), viewer: viewer)
        // Listed under the account's handle, a story with an anonymous gift's sticker would name its donor.
        return StoryListOutput(items: viewer?.id == account.id ? items : items.filter { !$0.stickers.contains(where: \.anonymous) })
    }

    @Sendable func follow(_ request: Request, context: AppRequestContext) async throws -> FollowOutput {
        let follower = try context.requireAccount()
        return try await follows.setFollowing(true, follower: follower, followee: try await follows.account(handle: try context.parameters.require("handle")))
    }

    @Sendable func unfollow(_ request: Request, context: AppRequestContext) async throws -> FollowOutput {
        let follower = try context.requireAccount()
        return try await follows.setFollowing(false, follower: follower, followee: try await follows.account(handle: try context.parameters.require("handle")))
    }

    @Sendable func fundraiserStory(_ request: Request, context: AppRequestContext) async throws -> SharedStoryPageOutput {
        let id = try context.parameters.requireUUID("fundraiserId")
        guard try await fundraisers.store.find(id) != nil else { throw Problem.notFound("fundraiser \(id)") }
        let (page, perPage) = try paging(request)
        return try await stories.shared(.fundraiser(id), page: page, perPage: perPage)
    }

    @Sendable func campaignStory(_ request: Request, context: AppRequestContext) async throws -> SharedStoryPageOutput {
        let campaign = try await campaigns.require(slug: try context.parameters.require("slug"))
        let (page, perPage) = try paging(request)
        return try await stories.shared(.campaign(campaign.id), page: page, perPage: perPage)
    }

    private func paging(_ request: Request) throws -> (Int, Int) {
        var query = QueryReader(request)
        let page = query.int("page", default: 1, range: 1...10_000)
        let perPage = query.int("perPage", default: 20, range: 1...100)
        try query.finish()
        return (page, perPage)
    }
}
