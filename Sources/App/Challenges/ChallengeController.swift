import Foundation
import GoodcastCore
import Hummingbird

/// `/api/v1/challenges`: launch, discover, read with stats, list videos, pledge, settle.
struct ChallengeController: Sendable {
    let challenges: ChallengeService
    let pledges: PledgeService
    let videos: VideoService
    let maxBodyBytes: Int

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.post(APIPath.challenges, use: create)
        api.get(APIPath.challenges, use: list)
        api.get(APIPath.challenge, use: show)
        api.get(APIPath.challengeVideos, use: challengeVideos)
        api.post(APIPath.challengePledges, use: pledge)
        api.post(APIPath.challengeSettle, use: settle)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<ChallengeOutput> {
        let account = try context.requireAccount()
        let input = try await request.decodeJSON(ChallengeInput.self, maxBytes: maxBodyBytes)
        let challenge = try await challenges.create(input, by: account)
        return EditedResponse(status: .created, headers: [.location: "/api/v1/challenges/\(challenge.tagKey.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? challenge.id.uuidString)"],
                              response: try await challenges.output(challenge))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> ChallengePageOutput {
        var query = QueryReader(request)
        var list = ChallengeService.ListQuery()
        if let raw = query.string("status") {
            list.status = ChallengeRecord.Status(rawValue: raw)
            if list.status == nil { query.issues.add("status", "must be active, upcoming or ended") }
        }
        if let raw = query.string("cause") {
            if Cause(rawValue: raw) == nil { query.issues.add("cause", "must be one of \(Cause.allCases.map(\.rawValue).joined(separator: ", "))") }
            list.cause = raw
        }
        list.page = query.int("page", default: 1, range: 1...10_000)
        list.perPage = query.int("perPage", default: 20, range: 1...100)
        try query.finish()
        list.viewer = context.identity?.account.id.uuidString ?? context.remoteAddress
        let page = try await challenges.list(list)
        var items: [ChallengeOutput] = []
        for challenge in page.items { items.append(try await challenges.output(challenge, withPledges: false)) }
        return ChallengePageOutput(items: items, page: page.page, perPage: page.perPage, total: page.total)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> ChallengeOutput {
        try await challenges.output(try await challenges.find(hashtag: try context.parameters.require("hashtag")))
    }

    @Sendable func challengeVideos(_ request: Request, context: AppRequestContext) async throws -> VideoPageOutput {
        let challenge = try await challenges.find(hashtag: try context.parameters.require("hashtag"))
        var query = QueryReader(request)
        var order = ChallengeService.VideoOrder.newest
        if let raw = query.string("sort") {
            if let parsed = ChallengeService.VideoOrder(rawValue: raw) { order = parsed } else { query.issues.add("sort", "must be newest or top") }
        }
        let page = query.int("page", default: 1, range: 1...10_000)
        let perPage = query.int("perPage", default: 20, range: 1...100)
        try query.finish()
        let found = try await challenges.videos(of: challenge, order: order, page: page, perPage: perPage)
        return VideoPageOutput(items: try await videos.outputs(found.items), page: found.page, perPage: found.perPage, total: found.total)
    }

    @Sendable func pledge(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try context.requireAccount()
        let hashtag = try context.parameters.require("hashtag")
        let key = try IdempotencyStore.key(from: request.headers[.idempotencyKey])
        let (input, body) = try await request.readJSON(PledgeInput.self, maxBytes: maxBodyBytes)
        return DonationController.response(try await pledges.pledge(hashtag: hashtag, by: account, key: key, body: body, input: input))
    }

    @Sendable func settle(_ request: Request, context: AppRequestContext) async throws -> SettlementOutput {
        _ = try context.requireAdmin()
        let challenge = try await challenges.find(hashtag: try context.parameters.require("hashtag"))
        let result = try await pledges.settle(challenge)
        return SettlementOutput(settled: result.settled, returned: result.returned.map(MoneyOutput.init))
    }
}
