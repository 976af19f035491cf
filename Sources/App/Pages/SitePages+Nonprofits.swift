import Foundation
import GoodcastCore
import Hummingbird

extension SitePages {
    func addNonprofitRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(PagePath.nonprofits), use: directory)
        router.get(RouterPath(PagePath.apply), use: applyForm)
        router.post(RouterPath(PagePath.apply), use: apply)
        router.get("/nonprofits/:nonprofitId", use: profile)
        router.post("/nonprofits/:nonprofitId/follow", use: follow)
        router.post("/nonprofits/:nonprofitId/unfollow", use: unfollow)
        router.post("/nonprofits/:nonprofitId/members", use: addMember)
    }

    struct DirectoryPage {
        let q: String
        let country: String
        let causes: [CauseOption]
        let items: [NonprofitCard]
        let empty: Bool
        let total: Int
        let pageNumber: Int
        let previousHref: String?
        let nextHref: String?
    }

    @Sendable func directory(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = try NonprofitController.directoryQuery(request)
        let result = try await services.nonprofits.store.search(query)
        func href(page: Int) -> String {
            var components = URLComponents()
            components.path = PagePath.nonprofits
            components.queryItems = [
                URLQueryItem(name: "q", value: query.text ?? ""),
                URLQueryItem(name: "cause", value: query.cause?.rawValue ?? ""),
                URLQueryItem(name: "country", value: query.country ?? ""),
                URLQueryItem(name: "page", value: String(page)),
            ]
            return components.string ?? PagePath.nonprofits
        }
        let page = DirectoryPage(
            q: query.text ?? "", country: query.country ?? "",
            causes: CauseOption.all(language: context.language, selected: Set([query.cause?.rawValue].compactMap { $0 })),
            items: result.items.map { NonprofitCard($0, language: context.language) },
            empty: result.items.isEmpty, total: result.total, pageNumber: result.page,
            previousHref: result.page > 1 ? href(page: result.page - 1) : nil,
            nextHref: result.page * result.perPage < result.total ? href(page: result.page + 1) : nil
        )
        return pages.render("nonprofits/directory", title: Strings.table(for: context.language)["directory"]!, page: page, request: request, context: context)
    }

    struct ProfilePage {
        let nonprofit: NonprofitCard
        let signedIn: Bool
        let following: Bool
        let canFollow: Bool
        let followHref: String
        let unfollowHref: String
        let isMember: Bool
        let isOwner: Bool
        let members: [MemberRow]
        let addMemberHref: String
        let errors: FormErrors
        let signInHref: String
        let fundraisers: [FundraiserRow]
        let newFundraiserHref: String
        let moneyHref: String
        let editHref: String
        let payoutDetailsHref: String
        let newLiveHref: String
        let newChallengeHref: String

        struct MemberRow { let handle: String; let role: String }
        struct FundraiserRow { let href: String; let title: String; let raised: String; let goal: String }
    }

    @Sendable func profile(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderProfile(request, context, errors: nil)
    }

    func renderProfile(_ request: Request, _ context: AppRequestContext, errors: Problem?) async throws -> Response {
        let id = try context.parameters.requireUUID("nonprofitId")
        let account = context.identity?.account
        let (record, role) = try await services.nonprofits.visible(id, to: account)
        let strings = Strings.table(for: context.language)
        let showTeam = services.nonprofits.canSeePrivate(role: role, account: account)
        let members = showTeam ? try await services.nonprofits.store.members(of: id) : []
        let following = if let account { try await services.nonprofits.store.isFollowing(account.id, id) } else { false }
        let idText = id.lowercasedString
        var fundraisers: [ProfilePage.FundraiserRow] = []
        for fundraiser in try await services.fundraisers.store.list(nonprofit: id) {
            let raised = try await services.fundraisers.ledger.raised(fundraiser: fundraiser.id)[fundraiser.currencyCode] ?? 0
            fundraisers.append(.init(href: PagePath.fundraiser(fundraiser.id.lowercasedString), title: fundraiser.title,
                                     raised: MoneyFormat.format(Money(raised, fundraiser.currency), language: context.language),
                                     goal: MoneyFormat.format(fundraiser.goal, language: context.language)))
        }
        let page = ProfilePage(
            nonprofit: NonprofitCard(record, language: context.language),
            signedIn: account != nil, following: following, canFollow: record.status == .verified,
            followHref: PagePath.follow(idText), unfollowHref: PagePath.unfollow(idText),
            isMember: showTeam, isOwner: role == .owner || account?.role == .platformAdmin,
            members: members.map { .init(handle: $0.handle, role: strings[$0.role.rawValue] ?? $0.role.rawValue) },
            addMemberHref: PagePath.addMember(idText), errors: FormErrors(errors),
            signInHref: "\(PagePath.signIn)?next=\(PagePath.nonprofit(idText))",
            fundraisers: fundraisers, newFundraiserHref: PagePath.newFundraiser(idText), moneyHref: PagePath.money(idText),
            editHref: PagePath.editNonprofit(idText), payoutDetailsHref: PagePath.payoutDetails(idText),
            newLiveHref: PagePath.newLive(nonprofit: idText), newChallengeHref: PagePath.newChallenge(nonprofit: idText)
        )
        return pages.render("nonprofits/profile", title: record.name, page: page, request: request, context: context, status: errors?.status ?? .ok)
    }

    @Sendable func follow(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await setFollowing(true, request, context)
    }

    @Sendable func unfollow(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await setFollowing(false, request, context)
    }

    private func setFollowing(_ following: Bool, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("nonprofitId")
        guard case .success(let account) = requireAccount(request, context) else {
            return PageRenderer.redirect("\(PagePath.signIn)?next=\(PagePath.nonprofit(id.lowercasedString))")
        }
        _ = try await services.nonprofits.follow(following, id: id, by: account)
        return PageRenderer.redirect(PagePath.nonprofit(id.lowercasedString))
    }

    @Sendable func addMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("nonprofitId")
        guard let account = context.identity?.account else { return signInRedirect(request) }
        let form = try await FormData.read(request, maxBytes: maxBodyBytes)
        do {
            _ = try await services.nonprofits.addMember(handle: form["handle"], role: form["role"], to: id, by: account)
        } catch let problem as Problem where problem.kind == .validationFailed || problem.kind == .conflict {
            return try await renderProfile(request, context, errors: problem)
        }
        return PageRenderer.redirect(PagePath.nonprofit(id.lowercasedString))
    }

    struct ApplyPage {
        let name: String
        let country: String
        let registrationNumber: String
        let website: String
        let description: String
        let causes: [CauseOption]
        let errors: FormErrors
    }

    @Sendable func applyForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard case .success = requireAccount(request, context) else { return PageRenderer.redirect("\(PagePath.signIn)?next=\(PagePath.apply)") }
        let page = ApplyPage(name: "", country: "", registrationNumber: "", website: "", description: "",
                             causes: CauseOption.all(language: context.language, selected: []), errors: FormErrors(nil))
        return pages.render("nonprofits/apply", title: Strings.table(for: context.language)["apply"]!, page: page, request: request, context: context)
    }

    @Sendable func apply(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        let form = try await FormData.read(request, maxBytes: maxBodyBytes)
        do {
            let application: NonprofitApplication
            do {
                application = try NonprofitApplication(
                    name: form["name"], country: form["country"], registrationNumber: form["registrationNumber"],
                    causes: form.all("causes"), website: form["website"], description: form["description"]
                )
            } catch {
                throw Problem.validation(error)
            }
            let record = try await services.nonprofits.apply(application, by: account)
            return PageRenderer.redirect(PagePath.nonprofit(record.id.lowercasedString))
        } catch let problem as Problem where problem.kind == .validationFailed || problem.kind == .conflict {
            let page = ApplyPage(
                name: form["name"] ?? "", country: form["country"] ?? "", registrationNumber: form["registrationNumber"] ?? "",
                website: form["website"] ?? "", description: form["description"] ?? "",
                causes: CauseOption.all(language: context.language, selected: Set(form.all("causes"))), errors: FormErrors(problem)
            )
            return pages.render("nonprofits/apply", title: Strings.table(for: context.language)["apply"]!, page: page, request: request, context: context, status: problem.status)
        }
    }
}
