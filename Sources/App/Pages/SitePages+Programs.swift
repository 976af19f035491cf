import Foundation
import GoodcastCore
import Hummingbird
import SQLKit

extension PagePath {
    static func program(_ slug: String) -> String { "/programs/\(segment(slug))" }
    static let myProgramInvitations = "/me/program-invitations"
    static func chooseForProgram(_ slug: String) -> String { "/me/program-invitations/\(segment(slug))/choose" }
    static let newProgram = "/admin/programs/new"
    static func adminProgram(_ slug: String) -> String { "/admin/programs/\(segment(slug))" }
    static func adminProgramGrant(_ slug: String) -> String { "/admin/programs/\(segment(slug))/grants" }
    static func adminProgramInvite(_ slug: String) -> String { "/admin/programs/\(segment(slug))/invitations" }
    static func adminProgramClose(_ slug: String) -> String { "/admin/programs/\(segment(slug))/close" }
}

/// Giving programs: the public page of where the money went, and creators' invitations.
extension SitePages {
    func addProgramPageRoutes(to router: Router<AppRequestContext>) {
        router.get("/programs/:slug", use: programPage)
        router.get(RouterPath(PagePath.myProgramInvitations), use: programInvitations)
        router.post("/me/program-invitations/:slug/choose", use: chooseFromPage)
        addProgramAdminRoutes(to: router)
    }

    struct ProgramPage {
        struct GrantRow {
            let nonprofitName: String
            let nonprofitHref: String
            let amount: String
            let date: String
            let dateIso: String
            let chosenBy: String?
            let defaultedFor: String?
        }
        struct TotalRow { let nonprofitName: String; let nonprofitHref: String; let amount: String; let grants: Int }
        let slug: String
        let title: String
        let description: String?
        let statusLabel: String
        let isActive: Bool
        let budget: String
        let granted: String
        let left: String
        let offered: String
        let waitingCreators: Int
        let deadlineIso: String
        let deadlineText: String
        let unchosenText: String
        let grants: [GrantRow]
        let noGrants: Bool
        let totals: [TotalRow]
        let adminHref: String?
    }

    @Sendable func programPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = context.language
        let strings = Strings.table(for: language)
        let programs = services.programs
        let record = try await programs.find(slug: try context.parameters.require("slug"))
        let sql = programs.db.reader
        let output = try await programs.output(record.id, on: sql)
        let invitations = try await programs.invitationRows(record.id, on: sql)
        let defaulted = Set(invitations.filter { $0.status == "defaulted" }.compactMap(\.grantId))
        func format(_ value: MoneyOutput) -> String { MoneyFormat.format(Money(value.amount, record.money), language: language) }
        var totals: [UUID: (name: String, amount: Int64, grants: Int)] = [:]
        for grant in output.grants {
            totals[grant.nonprofit.id, default: (grant.nonprofit.name, 0, 0)].amount += grant.amount.amount
            totals[grant.nonprofit.id]!.grants += 1
        }
        let page = ProgramPage(
            slug: output.slug, title: output.title, description: output.description.flatMap { $0.isEmpty ? nil : $0 },
            statusLabel: strings["progStatus.\(output.status)"] ?? output.status, isActive: output.status == "active",
            budget: format(output.budget), granted: format(output.granted), left: format(output.unassigned), offered: format(output.offeredToCreators),
            waitingCreators: invitations.filter { $0.status == "invited" }.count,
            deadlineIso: ISO8601DateFormatter().string(from: output.creatorDeadline), deadlineText: Self.dateText(output.creatorDeadline, language: language),
            unchosenText: try await unchosenText(record, strings: strings),
            grants: output.grants.map { grant in
                let isDefault = defaulted.contains(grant.id)
                return .init(nonprofitName: grant.nonprofit.name, nonprofitHref: PagePath.nonprofit(grant.nonprofit.id.lowercasedString),
                             amount: format(grant.amount), date: Self.dateText(grant.at, language: language), dateIso: ISO8601DateFormatter().string(from: grant.at),
                             chosenBy: isDefault ? nil : grant.onBehalfOf, defaultedFor: isDefault ? grant.onBehalfOf : nil)
            },
            noGrants: output.grants.isEmpty,
            totals: totals.sorted { ($0.value.amount, $1.value.name) > ($1.value.amount, $0.value.name) }.map {
                .init(nonprofitName: $0.value.name, nonprofitHref: PagePath.nonprofit($0.key.lowercasedString),
                      amount: MoneyFormat.format(Money($0.value.amount, record.money), language: language), grants: $0.value.grants)
            },
            adminHref: context.identity?.account.role == .platformAdmin ? PagePath.adminProgram(record.slug) : nil
        )
        return pages.render("programs/show", title: output.title, page: page, request: request, context: context)
    }

    /// What happens at closing to shares no creator chose, in words.
    func unchosenText(_ program: ProgramRecord, strings: [String: String]) async throws -> String {
        guard program.unchosen == "default", let id = program.defaultNonprofitId, let nonprofit = try await services.nonprofits.store.find(id: id) else {
            return strings["progUnchosenReturn"]!
        }
        return strings["progUnchosenDefault"]!.replacingOccurrences(of: "{name}", with: nonprofit.name)
    }

    struct ProgramInvitationsPage {
        struct Row {
            let slug: String
            let programTitle: String
            let programHref: String
            let amount: String
            let deadlineIso: String
            let deadlineText: String
            let status: String
            let statusLabel: String
            let isOpen: Bool
            let expired: Bool
            let chooseHref: String
            let givenTo: NonprofitLink?
            let defaultedTo: NonprofitLink?
            let returned: Bool
        }
        struct NonprofitLink { let name: String; let href: String }
        struct Option { let id: String; let name: String; let country: String }
        let items: [Row]
        let empty: Bool
        let hasOpen: Bool
        let q: String
        let hasQuery: Bool
        let options: [Option]
        let noMatch: Bool
        let errors: FormErrors
    }

    @Sendable func programInvitations(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderInvitations(request, context, errors: nil)
    }

    func renderInvitations(_ request: Request, _ context: AppRequestContext, errors: Problem?) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        let language = context.language
        let strings = Strings.table(for: language)
        let programs = services.programs
        let now = services.clock.now()
        var rows: [ProgramInvitationsPage.Row] = []
        for invitation in try await programs.invitations(of: account) {
            let program = try await programs.find(slug: invitation.program)
            // The primary, not a replica: the page shown right after a choice must show it.
            let grant = invitation.status == "given" || invitation.status == "defaulted"
                ? try await programs.output(program.id, on: programs.db.sql).grants.first { $0.onBehalfOf == account.handle } : nil
            let link = grant.map { ProgramInvitationsPage.NonprofitLink(name: $0.nonprofit.name, href: PagePath.nonprofit($0.nonprofit.id.lowercasedString)) }
            let isOpen = invitation.status == "invited" && now < program.creatorDeadline && program.status == "active"
            rows.append(.init(
                slug: program.slug, programTitle: program.title, programHref: PagePath.program(program.slug),
                amount: MoneyFormat.format(Money(invitation.amount.amount, program.money), language: language),
                deadlineIso: ISO8601DateFormatter().string(from: invitation.deadline), deadlineText: Self.dateText(invitation.deadline, language: language),
                status: invitation.status, statusLabel: strings["progInvitation.\(invitation.status)"] ?? invitation.status,
                isOpen: isOpen, expired: invitation.status == "invited" && !isOpen, chooseHref: PagePath.chooseForProgram(program.slug),
                givenTo: invitation.status == "given" ? link : nil, defaultedTo: invitation.status == "defaulted" ? link : nil,
                returned: invitation.status == "returned"
            ))
        }
        let hasOpen = rows.contains { $0.isOpen }
        // Read as the form sent it (`+` for a space), which `queryParameters` does not undo.
        let q = String(TextSanitizer.clean(FormData(request.uri.query ?? "")["q"] ?? "").trimmingCharacters(in: .whitespaces).prefix(100))
        var options: [ProgramInvitationsPage.Option] = []
        if hasOpen {
            var query = NonprofitStore.DirectoryQuery()
            query.text = q.isEmpty ? nil : q
            query.status = .verified
            query.perPage = 200
            options = try await services.nonprofits.store.search(query).items.map { .init(id: $0.id.lowercasedString, name: $0.name, country: $0.country) }
        }
        let page = ProgramInvitationsPage(items: rows, empty: rows.isEmpty, hasOpen: hasOpen, q: q, hasQuery: !q.isEmpty, options: options,
                                   noMatch: hasOpen && options.isEmpty, errors: FormErrors(errors))
        return pages.render("programs/invitations", title: strings["progMyInvitations"]!, page: page, request: request, context: context,
                            status: errors?.status ?? .ok)
    }

    /// The creator's choice, through the same service call as `POST /api/v1/programs/{slug}/choice`.
    @Sendable func chooseFromPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        let slug = try context.parameters.require("slug")
        let form = try await FormData.read(request, maxBytes: maxBodyBytes)
        do {
            let chosen = form["nonprofitId"].flatMap { $0.isEmpty ? nil : $0 }
            _ = try await services.programs.choose(slug, input: ProgramChoiceInput(nonprofitId: chosen), by: account)
            return PageRenderer.redirect(PagePath.myProgramInvitations)
        } catch let problem as Problem where problem.status.code < 500 && problem.kind != .rateLimited {
            return try await renderInvitations(request, context, errors: problem)
        }
    }
}

extension ProgramService {
    struct InvitationRow: Decodable, Sendable {
        let id: UUID
        let handle: String
        let amount: Int64
        let status: String
        let grantId: UUID?
        enum CodingKeys: String, CodingKey { case id, handle, amount, status, grantId = "grant_id" }
    }

    /// A program's invitations with their creators' handles, oldest first (for the pages).
    func invitationRows(_ program: UUID, on sql: any SQLDatabase) async throws -> [InvitationRow] {
        try await sql.raw("""
            SELECT i.id, a.handle, i.amount, i.status, i.grant_id FROM program_invitations i JOIN accounts a ON a.id = i.creator_id
            WHERE i.program_id = \(bind: program) ORDER BY i.created_at, i.id
            """).all(decoding: InvitationRow.self)
    }

    /// The newest programs, for the admins' page.
    func recent(limit: Int = 100) async throws -> [ProgramRecord] {
        try await db.reader.select().columns(ProgramRecord.columns.map { SQLColumn($0) }).from("programs")
            .orderBy("created_at", .descending).limit(limit).all(decoding: ProgramRecord.self)
    }
}
