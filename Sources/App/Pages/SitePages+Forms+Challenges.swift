import Foundation
import GoodcastCore
import Hummingbird

/// `/challenges/new`: a nonprofit's team launches a hashtag challenge in its name (platform
/// admins may launch unbranded ones) through `ChallengeService.create`, as the API does.
extension SitePages {
    struct NewChallengePage {
        let hashtag: String
        let title: String
        let description: String
        let rules: String
        let effect: String
        let startsAt: String
        let endsAt: String
        let nonprofits: [FormChoice]
        let branded: Bool
        /// Platform admins only: a challenge in no nonprofit's name.
        let mayLaunchUnbranded: Bool
        let errors: FormIssues
    }

    static let challengeFieldLabels = [
        "hashtag": "formHashtag", "title": "title", "description": "formDescription", "rules": "rules", "effect": "effect",
        "startsAt": "formStartsAt", "endsAt": "formEndsAt", "nonprofitId": "formChallengeNonprofit", "branded": "formBranded",
    ]

    @Sendable func newChallengeForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return formSignIn(request) }
        return try await renderNewChallenge(request, context, account: account, form: nil,
                                            nonprofit: request.uri.queryParameters.get("nonprofit"), errors: nil)
    }

    func renderNewChallenge(_ request: Request, _ context: AppRequestContext, account: AccountRecord, form: FormData?, nonprofit: String?,
                            errors: Problem?) async throws -> Response {
        let isAdmin = account.role == .platformAdmin
        let chosenID = nonprofit.formValue.flatMap(UUID.init(uuidString:))
        let nonprofits = try await verifiedNonprofits(for: account, mineOnly: !isAdmin, including: chosenID)
        guard isAdmin || !nonprofits.isEmpty else {
            throw Problem.forbidden("only the team of a verified nonprofit can launch a challenge in its name")
        }
        if let raw = nonprofit.formValue, form == nil, !nonprofits.contains(where: { $0.id == chosenID }) {
            throw isAdmin ? Problem.notFound("verified nonprofit \(raw)") : Problem.forbidden("only the nonprofit's members can launch a challenge in its name")
        }
        let strings = Strings.table(for: context.language)
        let selected = chosenID ?? (isAdmin ? nil : nonprofits.first?.id)
        let now = services.clock.now()
        let page = NewChallengePage(
            hashtag: form?["hashtag"] ?? "", title: form?["title"] ?? "", description: form?["description"] ?? "",
            rules: form?["rules"] ?? "", effect: form?["effect"] ?? "",
            startsAt: form?["startsAt"] ?? UTCFormTime.field(now), endsAt: form?["endsAt"] ?? UTCFormTime.field(now.addingTimeInterval(14 * 86_400)),
            nonprofits: (isAdmin ? [FormChoice(value: "", label: strings["formNoChallengeNonprofit"]!, selected: selected == nil)] : [])
                + nonprofits.map { .init(value: $0.id.lowercasedString, label: $0.name, selected: $0.id == selected) },
            branded: form.map { $0["branded"] == "on" } ?? true, mayLaunchUnbranded: isAdmin,
            errors: FormIssues(errors, labels: Self.challengeFieldLabels, language: context.language)
        )
        return pages.render("forms/challenge", title: strings["formNewChallenge"]!, page: page, request: request, context: context,
                            status: errors?.status ?? .ok)
    }

    @Sendable func createChallenge(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        let form = try await FormData.read(request, maxBytes: maxBodyBytes)
        let input = ChallengeInput(
            hashtag: form["hashtag"], nonprofitId: form["nonprofitId"].formValue, title: form["title"], description: form["description"],
            rules: form["rules"], startsAt: UTCFormTime.iso(form["startsAt"]), endsAt: UTCFormTime.iso(form["endsAt"]),
            effect: form["effect"], branded: form["branded"] == "on"
        )
        do {
            let challenge = try await services.challenges.create(input, by: account)
            return PageRenderer.redirect(PagePath.challenge(challenge.hashtag))
        } catch let problem as Problem where [.validationFailed, .conflict, .forbidden].contains(problem.kind) {
            // Refused (a hashtag taken, an unbranded challenge by a non-admin): the form again, with why.
            return try await renderNewChallenge(request, context, account: account, form: form, nonprofit: form["nonprofitId"], errors: problem)
        }
    }
}
