import Foundation
import GoodcastCore
import Hummingbird

/// What owners complete after applying: the profile (`/nonprofits/{id}/edit`) and where
/// payouts go (`/nonprofits/{id}/payout-details`), through the services behind
/// `PATCH /api/v1/nonprofits/{id}` and `PUT .../payout-details`.
extension SitePages {
    struct EditNonprofitPage {
        let name: String
        let action: String
        let cancelHref: String
        let description: String
        let website: String
        let causes: [CauseOption]
        let errors: FormIssues
    }

    static let profileFieldLabels = ["description": "description", "website": "website", "causes": "causes"]

    @Sendable func editNonprofitForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return formSignIn(request) }
        let record = try await services.nonprofits.requireOwner(try context.parameters.requireUUID("nonprofitId"), account: account, to: "edit its profile")
        return renderEditNonprofit(request, context, record: record, form: nil, errors: nil)
    }

    func renderEditNonprofit(_ request: Request, _ context: AppRequestContext, record: NonprofitRecord, form: FormData?, errors: Problem?) -> Response {
        let id = record.id.lowercasedString
        let page = EditNonprofitPage(
            name: record.name, action: PagePath.editNonprofit(id), cancelHref: PagePath.nonprofit(id),
            description: form?["description"] ?? record.description ?? "", website: form?["website"] ?? record.website,
            causes: CauseOption.all(language: context.language, selected: Set(form?.all("causes") ?? record.causes.map(\.rawValue))),
            errors: FormIssues(errors, labels: Self.profileFieldLabels, language: context.language)
        )
        return pages.render("forms/nonprofit", title: Strings.table(for: context.language)["formEditProfile"]!, page: page,
                            request: request, context: context, status: errors?.status ?? .ok)
    }

    @Sendable func editNonprofit(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        let id = try context.parameters.requireUUID("nonprofitId")
        let form = try await FormData.read(request, maxBytes: maxBodyBytes)
        do {
            // Every field is on the form: a blank description clears it, no cause ticked is refused.
            _ = try await services.nonprofits.updateProfile(id, description: form["description"] ?? "", website: form["website"] ?? "",
                                                            causes: form.all("causes"), by: account)
            context.logger.info("nonprofit profile edited", metadata: ["nonprofit": "\(id)"])
            return PageRenderer.redirect(PagePath.nonprofit(id.lowercasedString))
        } catch let problem as Problem where problem.kind == .validationFailed {
            let record = try await services.nonprofits.requireOwner(id, account: account, to: "edit its profile")
            return renderEditNonprofit(request, context, record: record, form: form, errors: problem)
        }
    }

    struct PayoutDetailsPage {
        struct Current { let accountHolder: String; let masked: String; let updated: String }
        let name: String
        let nonprofitHref: String
        let action: String
        /// Masked: the full account is never on a page.
        let current: Current?
        let saved: Bool
        /// Owners and platform admins; the rest of the team only sees the masked details.
        let canEdit: Bool
        let accountHolder: String
        let ibanChosen: Bool
        let usBankChosen: Bool
        let errors: FormIssues
    }

    static let payoutFieldLabels = [
        "accountHolder": "formAccountHolder", "iban": "formIban", "routingNumber": "formRoutingNumber", "accountNumber": "formAccountNumber",
    ]

    @Sendable func payoutDetailsForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return formSignIn(request) }
        return try await renderPayoutDetails(request, context, account: account, form: nil, errors: nil)
    }

    func renderPayoutDetails(_ request: Request, _ context: AppRequestContext, account: AccountRecord, form: FormData?, errors: Problem?) async throws -> Response {
        let id = try context.parameters.requireUUID("nonprofitId")
        let (record, role) = try await services.nonprofits.visible(id, to: account)
        guard services.nonprofits.canSeePrivate(role: role, account: account) else {
            throw Problem.forbidden("only the nonprofit's members may see its payout details")
        }
        let summary = try await services.nonprofits.store.payoutDetails(of: id)
        let idText = id.lowercasedString
        let method = form?["method"] ?? (summary?.method ?? (record.country == "US" ? .usBank : .iban)).rawValue
        let updated = DateFormatter()
        updated.locale = Locale(identifier: context.language == "en" ? "en_GB" : context.language)
        updated.timeZone = TimeZone(identifier: "UTC")
        updated.dateFormat = "d MMM yyyy, HH:mm 'UTC'"
        let page = PayoutDetailsPage(
            name: record.name, nonprofitHref: PagePath.nonprofit(idText), action: PagePath.payoutDetails(idText),
            current: summary.map { .init(accountHolder: $0.accountHolder, masked: $0.masked, updated: updated.string(from: $0.updatedAt)) },
            saved: form == nil && request.uri.queryParameters.get("saved") != nil && summary != nil,
            canEdit: role == .owner || account.role == .platformAdmin,
            accountHolder: form?["accountHolder"] ?? summary?.accountHolder ?? record.name,
            ibanChosen: method == PayoutDetails.Method.iban.rawValue, usBankChosen: method == PayoutDetails.Method.usBank.rawValue,
            errors: FormIssues(errors, labels: Self.payoutFieldLabels, language: context.language)
        )
        return pages.render("forms/payout", title: Strings.table(for: context.language)["formPayoutDetails"]!, page: page,
                            request: request, context: context, status: errors?.status ?? .ok)
    }

    @Sendable func setPayoutDetails(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        let id = try context.parameters.requireUUID("nonprofitId")
        let form = try await FormData.read(request, maxBytes: maxBodyBytes)
        // Both fieldsets are on the page; the radio says which one counts.
        let method = form["method"].flatMap(PayoutDetails.Method.init(rawValue:))
        do {
            let summary = try await services.nonprofits.setPayoutDetails(
                id, accountHolder: form["accountHolder"], iban: method == .iban ? form["iban"] ?? "" : nil,
                routingNumber: method == .usBank ? form["routingNumber"] ?? "" : nil, accountNumber: method == .usBank ? form["accountNumber"] ?? "" : nil,
                by: account
            )
            // The method only: the account, even masked, stays out of the logs.
            context.logger.info("nonprofit payout details set", metadata: ["nonprofit": "\(id)", "method": "\(summary.method.rawValue)"])
            return PageRenderer.redirect(PagePath.payoutDetails(id.lowercasedString) + "?saved=1")
        } catch let problem as Problem where problem.kind == .validationFailed {
            // What was typed comes back except the account numbers: they are typed again.
            return try await renderPayoutDetails(request, context, account: account, form: form, errors: problem)
        }
    }
}
