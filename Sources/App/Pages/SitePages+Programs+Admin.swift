import Foundation
import GoodcastCore
import Hummingbird

/// Platform admins' pages for giving programs: create one, then grant, invite creators and close,
/// through the same `ProgramService` calls (and so the same validation) as the API.
extension SitePages {
    func addProgramAdminRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(PagePath.newProgram), use: newProgramForm)
        router.post(RouterPath(PagePath.newProgram), use: createProgram)
        router.get("/admin/programs/:slug", use: adminProgramPage)
        router.post("/admin/programs/:slug/grants", use: grantFromPage)
        router.post("/admin/programs/:slug/invitations", use: inviteFromPage)
        router.post("/admin/programs/:slug/close", use: closeFromPage)
    }

    struct ProgramOption { let value: String; let label: String; let selected: Bool }

    struct NewProgramPage {
        struct ProgramLink { let title: String; let href: String; let statusLabel: String }
        let slug: String
        let title: String
        let description: String
        let amount: String
        let currencies: [ProgramOption]
        let deadline: String
        let unchosenReturn: Bool
        let unchosenDefault: Bool
        let nonprofits: [ProgramOption]
        let programs: [ProgramLink]
        let noPrograms: Bool
        let errors: FormErrors
    }

    struct AdminProgramPage {
        struct InvitationRow { let handle: String; let amount: String; let statusLabel: String }
        let title: String
        let publicHref: String
        let statusLabel: String
        let isActive: Bool
        let budget: String
        let granted: String
        let left: String
        let offered: String
        let deadlineText: String
        let currency: String
        let amountExample: String
        let grantHref: String
        let inviteHref: String
        let closeHref: String
        let grantKey: String
        let nonprofits: [ProgramOption]
        let invitations: [InvitationRow]
        let noInvitations: Bool
        let canInvite: Bool
        let canClose: Bool
        let errors: FormErrors
    }

    private func requireProgramAdmin(_ request: Request, _ context: AppRequestContext) throws -> PageGate {
        switch requireAccount(request, context) {
        case .failure(let redirect): return .failure(redirect)
        case .success(let account):
            guard account.role == .platformAdmin else { throw Problem.forbidden("only platform admins can run giving programs") }
            return .success(account)
        }
    }

    private func verifiedOptions(selected: String?) async throws -> [ProgramOption] {
        var query = NonprofitStore.DirectoryQuery()
        query.status = .verified
        query.perPage = 500
        return try await services.nonprofits.store.search(query).items.map {
            let id = $0.id.lowercasedString
            return ProgramOption(value: id, label: "\($0.name) (\($0.country))", selected: id == selected)
        }
    }

    @Sendable func newProgramForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        if case .failure(let redirect) = try requireProgramAdmin(request, context) { return redirect }
        return try await renderNewProgram(request, context, form: FormData(""), errors: nil)
    }

    func renderNewProgram(_ request: Request, _ context: AppRequestContext, form: FormData, errors: Problem?) async throws -> Response {
        let strings = Strings.table(for: context.language)
        let currency = form["currency"] ?? "USD"
        let existing = try await services.programs.recent()
        let page = NewProgramPage(
            slug: form["slug"] ?? "", title: form["title"] ?? "", description: form["description"] ?? "", amount: form["amount"] ?? "",
            currencies: Currency.supported.keys.sorted().map { ProgramOption(value: $0, label: $0, selected: $0 == currency) },
            deadline: form["creatorDeadline"] ?? "", unchosenReturn: form["unchosen"] != "default", unchosenDefault: form["unchosen"] == "default",
            nonprofits: try await verifiedOptions(selected: form["defaultNonprofitId"]),
            programs: existing.map {
                .init(title: $0.title, href: PagePath.adminProgram($0.slug), statusLabel: strings["progStatus.\($0.status)"] ?? $0.status)
            },
            noPrograms: existing.isEmpty,
            errors: FormErrors(errors)
        )
        return pages.render("programs/new", title: strings["progNew"]!, page: page, request: request, context: context, status: errors?.status ?? .ok)
    }

    @Sendable func createProgram(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin: AccountRecord
        switch try requireProgramAdmin(request, context) {
        case .failure(let redirect): return redirect
        case .success(let found): admin = found
        }
        let form = try await FormData.read(request, maxBytes: maxBodyBytes)
        do {
            func field(_ name: String) -> String? { form[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
            var budget: MoneyInput?
            if let text = field("amount") {
                do throws(ValidationIssue) {
                    let money = try MoneyFormat.parse(text, currency: try Currency.parse(field("currency"), field: "budget.currency"),
                                                      language: context.language, field: "budget.amount")
                    budget = MoneyInput(amount: money.amount, currency: money.currency.code)
                } catch {
                    throw Problem.validation(error)
                }
            }
            let input = ProgramInput(slug: field("slug"), title: field("title"), description: field("description"), budget: budget,
                                     creatorDeadline: field("creatorDeadline").map(Self.utcInstant), unchosen: field("unchosen"),
                                     defaultNonprofitId: field("unchosen") == "default" ? field("defaultNonprofitId") : nil)
            let program = try await services.programs.create(input, by: admin)
            return PageRenderer.redirect(PagePath.adminProgram(program.slug))
        } catch let problem as Problem where problem.status.code < 500 && problem.kind != .rateLimited {
            return try await renderNewProgram(request, context, form: form, errors: problem)
        }
    }

    /// A `datetime-local` value (`2026-11-30T19:00`), read as UTC; anything else goes to the service as typed.
    static func utcInstant(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let local = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?/
        guard (try? local.wholeMatch(in: trimmed)) != nil else { return trimmed }
        return trimmed + (trimmed.count == 16 ? ":00Z" : "Z")
    }

    @Sendable func adminProgramPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        if case .failure(let redirect) = try requireProgramAdmin(request, context) { return redirect }
        return try await renderAdminProgram(request, context, slug: try context.parameters.require("slug"), form: nil, errors: nil)
    }

    func renderAdminProgram(_ request: Request, _ context: AppRequestContext, slug: String, form: FormData?, errors: Problem?) async throws -> Response {
        let language = context.language
        let strings = Strings.table(for: language)
        let programs = services.programs
        let record = try await programs.find(slug: slug)
        let output = try await programs.output(record.id, on: programs.db.sql)
        func format(_ amount: Int64) -> String { MoneyFormat.format(Money(amount, record.money), language: language) }
        let now = services.clock.now()
        let invitations = try await programs.invitationRows(record.id, on: programs.db.sql)
        let page = AdminProgramPage(
            title: record.title, publicHref: PagePath.program(record.slug), statusLabel: strings["progStatus.\(record.status)"] ?? record.status,
            isActive: record.status == "active", budget: format(output.budget.amount), granted: format(output.granted.amount),
            left: format(output.unassigned.amount), offered: format(output.offeredToCreators.amount),
            deadlineText: Self.dateText(record.creatorDeadline, language: language), currency: record.money.code,
            amountExample: MoneyFormat.format(Money(1_000 * record.money.minorPerMajor, record.money), language: language, symbol: false),
            grantHref: PagePath.adminProgramGrant(record.slug), inviteHref: PagePath.adminProgramInvite(record.slug), closeHref: PagePath.adminProgramClose(record.slug),
            grantKey: UUID().uuidString, nonprofits: try await verifiedOptions(selected: form?["nonprofitId"]),
            invitations: invitations.map {
                .init(handle: $0.handle, amount: format($0.amount), statusLabel: strings["progInvitation.\($0.status)"] ?? $0.status)
            },
            noInvitations: invitations.isEmpty,
            canInvite: record.status == "active" && now < record.creatorDeadline,
            canClose: record.status == "active" && now >= record.creatorDeadline,
            errors: FormErrors(errors)
        )
        return pages.render("programs/admin", title: record.title, page: page, request: request, context: context, status: errors?.status ?? .ok)
    }

    /// An amount typed in the page's language, in the program's currency; nil when left empty.
    private func typedAmount(_ form: FormData, _ program: ProgramRecord, language: String) throws -> Int64? {
        guard let text = form["amount"], !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        do {
            return try MoneyFormat.parse(text, currency: program.money, language: language).amount
        } catch {
            throw Problem.validation(error)
        }
    }

    @Sendable func grantFromPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin: AccountRecord
        switch try requireProgramAdmin(request, context) {
        case .failure(let redirect): return redirect
        case .success(let found): admin = found
        }
        let slug = try context.parameters.require("slug")
        let program = try await services.programs.find(slug: slug)
        let form = try await FormData.read(request, maxBytes: maxBodyBytes)
        do {
            let input = ProgramGrantInput(nonprofitId: form["nonprofitId"], amount: try typedAmount(form, program, language: context.language))
            let key = try IdempotencyStore.key(from: form["idempotencyKey"])
            // The fingerprint of what was asked: the same key with another grant is refused, the same grant replays.
            let fingerprint = Data("\(input.nonprofitId ?? "")|\(input.amount ?? 0)".utf8)
            let stored = try await services.programs.grant(slug, input: input, key: key, body: fingerprint, by: admin)
            if stored.status != 201 {
                let detail = (try? JSONSerialization.jsonObject(with: Data(stored.body.utf8)) as? [String: Any])?["detail"] as? String ?? "the grant failed"
                throw Problem(.conflict, status: .init(code: stored.status), detail: detail)
            }
            return PageRenderer.redirect(PagePath.adminProgram(program.slug))
        } catch let problem as Problem where problem.status.code < 500 && problem.kind != .rateLimited {
            return try await renderAdminProgram(request, context, slug: slug, form: form, errors: problem)
        }
    }

    @Sendable func inviteFromPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        if case .failure(let redirect) = try requireProgramAdmin(request, context) { return redirect }
        let slug = try context.parameters.require("slug")
        let program = try await services.programs.find(slug: slug)
        let form = try await FormData.read(request, maxBytes: maxBodyBytes)
        do {
            let input = ProgramInvitationInput(handle: form["handle"], amount: try typedAmount(form, program, language: context.language))
            _ = try await services.programs.invite(slug, input: input)
            return PageRenderer.redirect(PagePath.adminProgram(program.slug))
        } catch let problem as Problem where problem.status.code < 500 && problem.kind != .rateLimited {
            return try await renderAdminProgram(request, context, slug: slug, form: form, errors: problem)
        }
    }

    @Sendable func closeFromPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        if case .failure(let redirect) = try requireProgramAdmin(request, context) { return redirect }
        let slug = try context.parameters.require("slug")
        do {
            let closed = try await services.programs.close(slug)
            return PageRenderer.redirect(PagePath.adminProgram(closed.slug))
        } catch let problem as Problem where problem.status.code < 500 && problem.kind != .notFound {
            return try await renderAdminProgram(request, context, slug: slug, form: nil, errors: problem)
        }
    }
}
