import Foundation
import GoodcastCore
import Hummingbird

/// `/api/v1/nonprofits...`: apply, read, the directory, members, follow; the profile and payout
/// details in `NonprofitController+Profile.swift`.
struct NonprofitController: Sendable {
    let service: NonprofitService
    let maxBodyBytes: Int

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.get(APIPath.causes, use: causes)
        api.post(APIPath.nonprofits, use: apply)
        api.get(APIPath.nonprofits, use: directory)
        api.get(APIPath.myNonprofits, use: mine)
        api.get(APIPath.nonprofit, use: show)
        api.patch(APIPath.nonprofit, use: updateProfile)
        api.get(APIPath.nonprofitPayoutDetails, use: payoutDetails)
        api.put(APIPath.nonprofitPayoutDetails, use: setPayoutDetails)
        api.get(APIPath.nonprofitMembers, use: members)
        api.post(APIPath.nonprofitMembers, use: addMember)
        api.delete(APIPath.nonprofitMember, use: removeMember)
        api.get(APIPath.nonprofitFollowers, use: followers)
        api.post(APIPath.nonprofitFollow, use: follow)
        api.delete(APIPath.nonprofitFollow, use: unfollow)
    }

    @Sendable func causes(_ request: Request, context: AppRequestContext) async throws -> CauseListOutput {
        CauseListOutput(items: Cause.allCases)
    }

    @Sendable func apply(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<NonprofitOutput> {
        let account = try context.requireAccount()
        let input = try await request.decodeJSON(NonprofitApplicationInput.self, maxBytes: maxBodyBytes)
        let application: NonprofitApplication
        do {
            application = try NonprofitApplication(
                name: input.name, country: input.country, registrationNumber: input.registrationNumber,
                causes: input.causes, website: input.website, description: input.description
            )
        } catch {
            throw Problem.validation(error)
        }
        let record = try await service.apply(application, by: account)
        context.logger.info("nonprofit applied", metadata: ["nonprofit": "\(record.id)"])
        return EditedResponse(status: .created, headers: [.location: "/api/v1/nonprofits/\(record.id)"], response: NonprofitOutput(record, showPrivate: true))
    }

    @Sendable func directory(_ request: Request, context: AppRequestContext) async throws -> NonprofitPageOutput {
        let query = try Self.directoryQuery(request)
        let page = try await service.store.search(query)
        return NonprofitPageOutput(items: page.items.map { NonprofitOutput($0, showPrivate: false) }, page: page.page, perPage: page.perPage, total: page.total)
    }

    static func directoryQuery(_ request: Request) throws -> NonprofitStore.DirectoryQuery {
        var reader = QueryReader(request)
        var query = NonprofitStore.DirectoryQuery()
        query.text = reader.string("q", max: 100)
        query.cause = reader.parse("cause") { (text: String) throws(ValidationIssue) in try Cause.parse(text, field: "cause") }
        query.country = reader.parse("country") { (text: String) throws(ValidationIssue) in try CountryCode.parse(text) }
        query.page = reader.int("page", default: 1, range: 1...10_000)
        query.perPage = reader.int("perPage", default: 20, range: 1...100)
        try reader.finish()
        return query
    }

    @Sendable func mine(_ request: Request, context: AppRequestContext) async throws -> MyNonprofitListOutput {
        let account = try context.requireAccount()
        let items = try await service.store.nonprofits(ofMember: account.id)
        return MyNonprofitListOutput(items: items.map { MyNonprofitOutput(nonprofit: NonprofitOutput($0.0, showPrivate: true), role: $0.1) })
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> NonprofitOutput {
        let id = try context.parameters.requireUUID("nonprofitId")
        let account = context.identity?.account
        let (record, role) = try await service.visible(id, to: account)
        return NonprofitOutput(record, showPrivate: service.canSeePrivate(role: role, account: account))
    }

    @Sendable func members(_ request: Request, context: AppRequestContext) async throws -> MemberListOutput {
        let account = try context.requireAccount()
        let id = try context.parameters.requireUUID("nonprofitId")
        _ = try await service.requireMember(id, account: account)
        return MemberListOutput(items: try await service.store.members(of: id).map(MemberOutput.init))
    }

    @Sendable func addMember(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<MemberOutput> {
        let account = try context.requireAccount()
        let id = try context.parameters.requireUUID("nonprofitId")
        let input = try await request.decodeJSON(AddMemberInput.self, maxBytes: maxBodyBytes)
        let member = try await service.addMember(handle: input.handle, role: input.role, to: id, by: account)
        return EditedResponse(status: .created, response: MemberOutput(member))
    }

    @Sendable func removeMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try context.requireAccount()
        let id = try context.parameters.requireUUID("nonprofitId")
        let memberID = try context.parameters.requireUUID("accountId")
        // Members may leave on their own; removing someone else takes an owner.
        if memberID != account.id { _ = try await service.requireOwner(id, account: account) } else { _ = try await service.visible(id, to: account) }
        switch try await service.store.removeMember(memberID, from: id) {
        case .removed: return Response(status: .noContent)
        case .notMember: throw Problem.notFound("member \(memberID)")
        case .lastOwner: throw Problem.conflict("a nonprofit needs at least one owner: add another owner first")
        }
    }

    /// Followers now, and gained and lost in `[from, to)` (default: the last 30 days).
    @Sendable func followers(_ request: Request, context: AppRequestContext) async throws -> FollowerStatsOutput {
        let account = try context.requireAccount()
        let id = try context.parameters.requireUUID("nonprofitId")
        var reader = QueryReader(request)
        let now = service.store.clock.now()
        let to = reader.parse("to") { (text: String) throws(ValidationIssue) in try DateParameter.parse(text, field: "to") } ?? now
        let from = reader.parse("from") { (text: String) throws(ValidationIssue) in try DateParameter.parse(text, field: "from") }
            ?? to.addingTimeInterval(-30 * 86_400)
        if from > to { reader.issues.add("from", "must not be after 'to'") }
        try reader.finish()
        let record = try await service.requireMember(id, account: account)
        let change = try await service.store.followerChange(of: id, from: from, to: to)
        return FollowerStatsOutput(followers: record.followerCount, gained: change.gained, lost: change.lost, from: from, to: to)
    }

    @Sendable func follow(_ request: Request, context: AppRequestContext) async throws -> FollowOutput {
        let account = try context.requireAccount()
        return try await service.follow(true, id: try context.parameters.requireUUID("nonprofitId"), by: account)
    }

    @Sendable func unfollow(_ request: Request, context: AppRequestContext) async throws -> FollowOutput {
        let account = try context.requireAccount()
        return try await service.follow(false, id: try context.parameters.requireUUID("nonprofitId"), by: account)
    }
}
