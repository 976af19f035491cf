import Foundation
import GoodcastCore
import Hummingbird

/// `/lives/new`: schedule a live, optionally raising money for a verified nonprofit or selling
/// tickets, through `LiveService.create` as `POST /api/v1/lives` does; then the host page.
extension SitePages {
    struct NewLivePage {
        let title: String
        let description: String
        let languages: [FormChoice]
        let scheduledAt: String
        let playbackUrl: String
        let nonprofits: [FormChoice]
        let goal: String
        let ticketPrice: String
        let ticketPayees: [FormChoice]
        let currencies: [FormChoice]
        /// How an amount is written in the page's language ("1,000.00", "1 000,00").
        let amountExample: String
        let errors: FormIssues
    }

    /// The live's languages by their own names, so that no translation is needed.
    static let liveLanguageNames = [
        "ar": "العربية", "de": "Deutsch", "en": "English", "es": "Español", "fr": "Français", "hi": "हिन्दी", "it": "Italiano",
        "ja": "日本語", "ko": "한국어", "nl": "Nederlands", "pl": "Polski", "pt": "Português", "sv": "Svenska", "tr": "Türkçe", "zh": "中文",
    ]

    static let liveFieldLabels = [
        "title": "title", "description": "formDescription", "language": "language", "scheduledAt": "formScheduledAt",
        "playbackUrl": "formPlaybackUrl", "currency": "formCurrency", "fundraiser.nonprofitId": "formFundraiserNonprofit",
        "nonprofitId": "formFundraiserNonprofit", "fundraiser.goal": "goal", "goal": "goal", "goal.amount": "goal",
        "ticket.price": "formTicketPrice", "ticket.price.amount": "formTicketPrice", "ticket.nonprofitId": "formTicketPayee",
    ]

    @Sendable func newLiveForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return formSignIn(request) }
        let chosen = request.uri.queryParameters.get("nonprofit")
        if let chosen {
            guard let id = UUID(uuidString: chosen), try await services.nonprofits.store.find(id: id)?.status == .verified else {
                throw Problem.notFound("verified nonprofit \(chosen)")
            }
        }
        return try await renderNewLive(request, context, account: account, form: nil, nonprofit: chosen, errors: nil)
    }

    func renderNewLive(_ request: Request, _ context: AppRequestContext, account: AccountRecord, form: FormData?, nonprofit: String?,
                       errors: Problem?) async throws -> Response {
        let language = context.language
        let chosenID = nonprofit.flatMap(UUID.init(uuidString:))
        let nonprofits = try await verifiedNonprofits(for: account, mineOnly: false, including: chosenID)
        let chosenRecord = nonprofits.first { $0.id == chosenID }
        let currencyCode = form?["currency"] ?? Self.defaultCurrency(country: chosenRecord?.country, language: language)
        let currency = Currency.supported[currencyCode] ?? .usd
        let strings = Strings.table(for: language)
        let payee = form?["ticketNonprofitId"] ?? ""
        let liveLanguage = form?["language"] ?? (LiveService.languages.contains(language) ? language : "en")
        let page = NewLivePage(
            title: form?["title"] ?? "", description: form?["description"] ?? "",
            languages: LiveService.languages.sorted().map { .init(value: $0, label: Self.liveLanguageNames[$0] ?? $0, selected: $0 == liveLanguage) },
            scheduledAt: form?["scheduledAt"] ?? "", playbackUrl: form?["playbackUrl"] ?? "",
            nonprofits: [FormChoice(value: "", label: strings["formNoFundraiser"]!, selected: chosenRecord == nil)]
                + nonprofits.map { .init(value: $0.id.lowercasedString, label: $0.name, selected: $0.id == chosenRecord?.id) },
            goal: form?["goal"] ?? "", ticketPrice: form?["ticketPrice"] ?? "",
            ticketPayees: [FormChoice(value: "", label: strings["formTicketPayeeHost"]!, selected: payee.isEmpty)]
                + nonprofits.map { .init(value: $0.id.lowercasedString, label: $0.name, selected: $0.id.lowercasedString == payee.lowercased()) },
            currencies: Currency.supported.keys.sorted().map { .init(value: $0, label: $0, selected: $0 == currency.code) },
            amountExample: MoneyFormat.format(Money(1000 * currency.minorPerMajor, currency), language: language, symbol: false),
            errors: FormIssues(errors, labels: Self.liveFieldLabels, language: language)
        )
        return pages.render("forms/live", title: strings["formNewLive"]!, page: page, request: request, context: context, status: errors?.status ?? .ok)
    }

    @Sendable func createLive(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        let form = try await FormData.read(request, maxBytes: maxBodyBytes)
        do {
            let live = try await services.lives.create(try Self.liveInput(form, language: context.language), by: account)
            return PageRenderer.redirect(PagePath.liveHost(live.id.lowercasedString))
        } catch let problem as Problem where problem.kind == .validationFailed {
            return try await renderNewLive(request, context, account: account, form: form, nonprofit: form["fundraiserNonprofitId"], errors: problem)
        }
    }

    /// The API's input from the form: amounts as written in the page's language, times as UTC.
    static func liveInput(_ form: FormData, language: String) throws -> LiveInput {
        var issues = ValidationIssues()
        let currency = issues.check { () throws(ValidationIssue) in try Currency.parse(form["currency"]) }
        func amount(_ field: String, _ text: String) -> MoneyInput? {
            guard let currency else { return nil }
            let money = issues.check { () throws(ValidationIssue) in try MoneyFormat.parse(text, currency: currency, language: language, field: field) }
            return money.map { MoneyInput(amount: $0.amount, currency: currency.code) }
        }
        var fundraiser: LiveInput.FundraiserPart?
        switch (form["fundraiserNonprofitId"].formValue, form["goal"].formValue) {
        case (let nonprofit?, let goal?):
            if let goal = amount("fundraiser.goal", goal) { fundraiser = .init(nonprofitId: nonprofit, goal: goal) }
        case (.some, nil):
            issues.add("fundraiser.goal", "is required to raise money during the live")
        case (nil, .some):
            issues.add("fundraiser.nonprofitId", "choose the verified nonprofit the live raises money for")
        case (nil, nil):
            break
        }
        var ticket: LiveInput.TicketPart?
        if let price = form["ticketPrice"].formValue {
            if let price = amount("ticket.price", price) { ticket = .init(price: price, nonprofitId: form["ticketNonprofitId"].formValue) }
        } else if form["ticketNonprofitId"].formValue != nil {
            issues.add("ticket.price", "is required for the ticket revenue to go to a nonprofit")
        }
        if !issues.isEmpty { throw Problem.validation(issues) }
        return LiveInput(
            title: form["title"], description: form["description"], language: form["language"],
            scheduledAt: UTCFormTime.iso(form["scheduledAt"]), playbackUrl: form["playbackUrl"].formValue,
            fundraiser: fundraiser, ticket: ticket
        )
    }

    /// The nonprofit's country's currency (as the fundraiser form picks it), else the page language's.
    static func defaultCurrency(country: String?, language: String) -> String {
        switch country {
        case "GB": "GBP"
        case "FR", "IT", "DE", "ES", "NL", "IE", "BE", "AT", "PT": "EUR"
        case .some: "USD"
        case nil: language == "fr" || language == "it" ? "EUR" : "USD"
        }
    }
}
