import Foundation
import GoodcastCore
import Hummingbird

extension SitePages {
    func addFundraiserRoutes(to router: Router<AppRequestContext>) {
        router.get("/fundraisers/new", use: newFundraiserForm)
        router.post("/fundraisers/new", use: createFundraiser)
        router.get("/fundraisers/:fundraiserId", use: fundraiserPage)
        router.post("/fundraisers/:fundraiserId/donate", use: donateFromPage)
    }

    struct FundraiserPage {
        let id: String
        let title: String
        /// Optional, not empty: Mustache treats an empty string as present.
        let description: String?
        let nonprofitName: String
        let nonprofitHref: String
        let owner: String
        let raised: String
        let goal: String
        let donors: Int
        /// 0...100, for the goal bar.
        let progress: Int
        let recent: [RecentRow]
        let noDonations: Bool
        let donateHref: String
        let signedIn: Bool
        let signInHref: String
        let currency: String
        let idempotencyKey: String
        let amount: String
        let message: String
        let tokens: [String]
        let errors: FormErrors
        let unknownOutcome: Bool
        let sharedStory: SharedStoryStrip

        struct RecentRow { let donor: String; let amount: String; let message: String? }
    }

    @Sendable func fundraiserPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderFundraiser(request, context, errors: nil)
    }

    func renderFundraiser(_ request: Request, _ context: AppRequestContext, errors: Problem?, form: FormData? = nil) async throws -> Response {
        let id = try context.parameters.requireUUID("fundraiserId")
        guard let record = try await services.fundraisers.store.find(id) else { throw Problem.notFound("fundraiser \(id)") }
        let output = try await services.fundraisers.output(record)
        let language = context.language
        let strings = Strings.table(for: language)
        let currency = record.currency
        let progress = min(100, max(0, output.goalProgress))
        let idText = id.lowercasedString
        let page = FundraiserPage(
            id: idText, title: record.title, description: record.description.flatMap { $0.isEmpty ? nil : $0 },
            nonprofitName: output.nonprofit.name, nonprofitHref: PagePath.nonprofit(record.nonprofitId.lowercasedString),
            owner: output.owner.handle,
            raised: MoneyFormat.format(Money(output.raised.amount, currency), language: language),
            goal: MoneyFormat.format(record.goal, language: language),
            donors: output.donors, progress: progress,
            recent: output.recentDonations.map { row in
                .init(donor: row.handle == nil ? strings["anonymous"]! : row.donor,
                      amount: row.amount.map { MoneyFormat.format(Money($0.amount, currency), language: language) } ?? "",
                      message: row.message.flatMap { $0.isEmpty ? nil : $0 })
            },
            noDonations: output.recentDonations.isEmpty, donateHref: PagePath.donate(idText),
            signedIn: context.identity != nil, signInHref: "\(PagePath.signIn)?next=\(PagePath.fundraiser(idText))",
            currency: currency.code,
            // A new key per rendered form: pressing Donate twice sends the same key, so one charge.
            idempotencyKey: (errors?.kind == .paymentOutcomeUnknown ? form?["idempotencyKey"] : nil) ?? UUID().uuidString,
            amount: form?["amount"] ?? "", message: form?["message"] ?? "", tokens: SandboxBank.tokens,
            errors: FormErrors(errors?.kind == .paymentOutcomeUnknown ? nil : errors), unknownOutcome: errors?.kind == .paymentOutcomeUnknown,
            sharedStory: try await sharedStrip(.fundraiser(id), from: "fundraiser:\(idText)", moreHref: PagePath.fundraiserStory(idText), language: language)
        )
        return pages.render("fundraisers/show", title: record.title, page: page, request: request, context: context,
                            status: errors.map { $0.kind == .paymentOutcomeUnknown ? .ok : $0.status } ?? .ok)
    }

    @Sendable func donateFromPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("fundraiserId")
        guard let donor = context.identity?.account else { return signInRedirect(request) }
        let form = try await FormData.read(request, maxBytes: maxBodyBytes)
        guard let record = try await services.fundraisers.store.find(id) else { throw Problem.notFound("fundraiser \(id)") }
        do {
            let amount: Money
            do {
                amount = try MoneyFormat.parse(form["amount"] ?? "", currency: record.currency, language: context.language)
            } catch {
                throw Problem.validation(error)
            }
            let key = try IdempotencyStore.key(from: form["idempotencyKey"])
            let input = DonationInput(
                amount: MoneyInput(amount: amount.amount, currency: amount.currency.code), paymentToken: form["paymentToken"],
                message: form["message"], visibility: form["visibility"], coverFees: form["coverFees"] == "on"
            )
            // The fingerprint covers what the donor chose, not the CSRF token around it.
            let fingerprint = Self.formFingerprint([String(amount.amount), form["paymentToken"] ?? "", form["message"] ?? "", form["visibility"] ?? "", form["coverFees"] ?? ""])
            let stored = try await services.donations.donate(fundraiserID: id, donor: donor, key: key, body: fingerprint, input: input)
            if stored.status == 201, let data = stored.body.data(using: .utf8),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let donation = object["id"] as? String {
                return PageRenderer.redirect(PagePath.donation(donation.lowercased()))
            }
            let detail = (try? JSONSerialization.jsonObject(with: Data(stored.body.utf8)) as? [String: Any])?["detail"] as? String ?? "the payment failed"
            return try await renderFundraiser(request, context, errors: Problem(.paymentDeclined, status: .init(code: stored.status), detail: detail), form: form)
        } catch let problem as Problem where (problem.status.code < 500 && problem.kind != .rateLimited) || problem.kind == .paymentOutcomeUnknown {
            return try await renderFundraiser(request, context, errors: problem, form: form)
        }
    }

    struct NewFundraiserPage {
        let nonprofitId: String
        let nonprofitName: String
        let title: String
        let goal: String
        let currencies: [CurrencyOption]
        let errors: FormErrors

        struct CurrencyOption { let code: String; let selected: Bool }
    }

    @Sendable func newFundraiserForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard case .success = requireAccount(request, context) else {
            return PageRenderer.redirect("\(PagePath.signIn)?next=\(PagePath.nonprofits)")
        }
        return try await renderNewFundraiser(request, context, nonprofit: request.uri.queryParameters.get("nonprofit"), form: nil, errors: nil)
    }

    func renderNewFundraiser(_ request: Request, _ context: AppRequestContext, nonprofit: String?, form: FormData?, errors: Problem?) async throws -> Response {
        guard let id = nonprofit.flatMap(UUID.init(uuidString:)), let record = try await services.nonprofits.store.find(id: id), record.status == .verified else {
            throw Problem.notFound("verified nonprofit")
        }
        let chosen = form?["currency"] ?? (record.country == "GB" ? "GBP" : ["FR", "IT", "DE", "ES", "NL", "IE"].contains(record.country) ? "EUR" : "USD")
        let page = NewFundraiserPage(
            nonprofitId: id.lowercasedString, nonprofitName: record.name, title: form?["title"] ?? "", goal: form?["goal"] ?? "",
            currencies: Currency.supported.keys.sorted().map { .init(code: $0, selected: $0 == chosen) }, errors: FormErrors(errors)
        )
        return pages.render("fundraisers/new", title: Strings.table(for: context.language)["startFundraiser"]!, page: page,
                            request: request, context: context, status: errors?.status ?? .ok)
    }

    @Sendable func createFundraiser(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        let form = try await FormData.read(request, maxBytes: maxBodyBytes)
        do {
            let currency: Currency
            let goal: Money
            do {
                currency = try Currency.parse(form["currency"])
                goal = try MoneyFormat.parse(form["goal"] ?? "", currency: currency, language: context.language, field: "goal")
            } catch {
                throw Problem.validation(error)
            }
            let input = FundraiserInput(nonprofitId: form["nonprofitId"], title: form["title"], description: form["description"],
                                        goal: MoneyInput(amount: goal.amount, currency: currency.code), endsAt: form["endsAt"].flatMap { $0.isEmpty ? nil : $0 })
            let record = try await services.fundraisers.create(input, by: account)
            return PageRenderer.redirect(PagePath.fundraiser(record.id.lowercasedString))
        } catch let problem as Problem where problem.kind == .validationFailed {
            return try await renderNewFundraiser(request, context, nonprofit: form["nonprofitId"], form: form, errors: problem)
        }
    }

    /// A form's fields as one body for its key's fingerprint. Each is prefixed by its length:
    /// a message with a "|" in it cannot pass for another visibility.
    static func formFingerprint(_ fields: [String]) -> Data {
        Data(fields.map { "\($0.utf8.count):\($0)" }.joined().utf8)
    }
}
