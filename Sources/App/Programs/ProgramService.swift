import Foundation
import GoodcastCore
import SQLKit

/// Platform giving programs (like $7M of direct donations): grants to chosen nonprofits, and
/// shares "on behalf of creators" that invited creators give to a verified nonprofit of their
/// choice before a deadline; at closing, unchosen shares return to the platform or go to a
/// default nonprofit. Every grant is a ledger transaction from the program's budget.
struct ProgramService: Sendable {
    let db: AppDatabase
    let clock: AppClock
    let nonprofits: NonprofitStore
    let accounts: AccountStore
    let idempotency: IdempotencyStore

    func create(_ input: ProgramInput, by admin: AccountRecord) async throws -> ProgramRecord {
        var issues = ValidationIssues()
        let slug = issues.check { () throws(ValidationIssue) in try CampaignSlug.parse(input.slug) }
        let title = issues.check { () throws(ValidationIssue) in try TextSanitizer.required(input.title, field: "title", max: 120) }
        let description = issues.check { () throws(ValidationIssue) in try TextSanitizer.optional(input.description, field: "description", max: 5000, allowNewlines: true) }
        let budget = issues.check { () throws(ValidationIssue) in
            guard let raw = input.budget else { throw ValidationIssue(field: "budget", message: "is required, e.g. {\"amount\": 700000000, \"currency\": \"USD\"}") }
            let money = try raw.parse(field: "budget")
            guard money.isPositive, money.amount <= 1_000_000_000 * money.currency.minorPerMajor else {
                throw ValidationIssue(field: "budget.amount", message: "must be more than zero and at most a billion")
            }
            return money
        }
        var deadline: Date?
        if let raw = input.creatorDeadline { deadline = issues.check { () throws(ValidationIssue) in try DateParameter.parse(raw, field: "creatorDeadline") } }
        else { issues.add("creatorDeadline", "is required: the date by which invited creators choose their nonprofit") }
        if let deadline, deadline <= clock.now() { issues.add("creatorDeadline", "must be in the future") }
        let unchosen = input.unchosen ?? "return"
        if unchosen != "return" && unchosen != "default" { issues.add("unchosen", "must be 'return' (to the platform) or 'default' (to defaultNonprofitId)") }
        var defaultNonprofit: UUID?
        if let raw = input.defaultNonprofitId {
            defaultNonprofit = UUID(uuidString: raw)
            if defaultNonprofit == nil { issues.add("defaultNonprofitId", "must be the id of a verified nonprofit") }
        } else if unchosen == "default" { issues.add("defaultNonprofitId", "is required when unchosen shares go to a default nonprofit") }
        if !issues.isEmpty { throw Problem.validation(issues) }
        if let defaultNonprofit { try await requireVerified(defaultNonprofit, field: "defaultNonprofitId") }
        let id = UUID()
        let now = clock.now()
        let (money, end, fallback) = (budget!, deadline!, defaultNonprofit)
        do {
            try await db.transaction { sql in
                try await sql.insert(into: "programs").columns(ProgramRecord.columns)
                    .values(SQLBind(id), SQLBind(slug!), SQLBind(title!), SQLBind(description ?? nil), SQLBind(money.currency.code), SQLBind(money.amount),
                            SQLBind(money.amount), SQLBind(end), SQLBind(unchosen), SQLBind(fallback), SQLBind("active"), SQLBind(admin.id), SQLBind(now), SQLBind(Date?.none))
                    .run()
                try await LedgerStore.write([try PostingRules.programFunding(reference: "program:\(id.lowercasedString)", budget: money, program: id.lowercasedString)],
                                            on: sql, at: now)
            }
        } catch where error.isConstraintViolation {
            throw Problem(.conflict, detail: "a program called '\(slug!)' exists already", issues: [.init(field: "slug", message: "is taken")])
        }
        return try await find(slug: slug!)
    }

    func find(slug raw: String) async throws -> ProgramRecord {
        let slug = (try? CampaignSlug.parse(raw.removingPercentEncoding ?? raw)) ?? raw.lowercased()
        guard let program = try await db.sql.select().columns(ProgramRecord.columns.map { SQLColumn($0) }).from("programs")
            .where("slug", .equal, SQLBind(slug)).first(decoding: ProgramRecord.self) else { throw Problem.notFound("program \(raw.prefix(60))") }
        return program
    }

    private func requireVerified(_ id: UUID, field: String) async throws {
        guard try await nonprofits.find(id: id)?.status == .verified else {
            throw Problem.validation(ValidationIssue(field: field, message: "is not a verified nonprofit"))
        }
    }

    /// Takes `amount` from what is unassigned, in the caller's transaction; false if it is not there.
    static func take(_ amount: Int64, from program: UUID, on sql: any SQLDatabase) async throws -> Bool {
        struct Row: Decodable { let unassigned: Int64 }
        return try await sql.update("programs").set("unassigned", to: SQLBinaryExpression(SQLColumn("unassigned"), .subtract, SQLBind(amount)))
            .where("id", .equal, SQLBind(program)).where("status", .equal, SQLBind("active")).where("unassigned", .greaterThanOrEqual, SQLBind(amount))
            .returning("unassigned").all(decoding: Row.self).count == 1
    }

    /// Writes a grant and its ledger transaction, in the caller's transaction.
    static func writeGrant(_ program: ProgramRecord, nonprofit: UUID, amount: Int64, onBehalfOf: UUID?, at now: Date, on sql: any SQLDatabase) async throws -> UUID {
        let id = UUID()
        try await sql.insert(into: "program_grants").columns("id", "program_id", "nonprofit_id", "amount", "on_behalf_of", "created_at")
            .values(SQLBind(id), SQLBind(program.id), SQLBind(nonprofit), SQLBind(amount), SQLBind(onBehalfOf), SQLBind(now)).run()
        try await LedgerStore.write([try PostingRules.grant(reference: "grant:\(id.lowercasedString)", amount: Money(amount, program.money),
                                                            program: program.id.lowercasedString, nonprofit: nonprofit.lowercasedString)],
                                    on: sql, at: now)
        return id
    }

    /// A direct grant by a platform admin (idempotent with its key).
    func grant(_ slug: String, input: ProgramGrantInput, key: String, body: Data, by admin: AccountRecord) async throws -> IdempotencyStore.StoredResponse {
        let program = try await find(slug: slug)
        let scope = "program-grant:\(admin.id.lowercasedString)"
        let fingerprint = DonationService.fingerprint("POST /admin/programs/\(program.id.lowercasedString)/grants", body)
        if let existing = try await idempotency.find(scope: scope, key: key),
           case .replay(let response) = try IdempotencyStore.prior(existing, fingerprint: fingerprint, what: "grant") {
            return response
        }
        guard let nonprofit = input.nonprofitId.flatMap(UUID.init(uuidString:)) else {
            throw Problem.validation(ValidationIssue(field: "nonprofitId", message: "must be the id of a verified nonprofit"))
        }
        guard let amount = input.amount, amount > 0 else { throw Problem.validation(ValidationIssue(field: "amount", message: "must be more than zero (minor units of the program's currency)")) }
        try await requireVerified(nonprofit, field: "nonprofitId")
        let now = clock.now()
        do {
            return try await db.transaction { sql in
                guard try await Self.take(amount, from: program.id, on: sql) else {
                    throw Problem.conflict("the program has not that much left to give (or it is closed)")
                }
                let grant = try await Self.writeGrant(program, nonprofit: nonprofit, amount: amount, onBehalfOf: nil, at: now, on: sql)
                try await IdempotencyStore.insert(scope: scope, key: key, fingerprint: fingerprint, resource: grant, at: now, on: sql)
                let response = IdempotencyStore.StoredResponse(status: 201, body: try APIJSON.string(try await output(program.id, on: sql)))
                try await IdempotencyStore.complete(scope: scope, key: key, response: response, on: sql)
                return response
            }
        } catch where error.isConstraintViolation {
            throw Problem(.requestInProgress, detail: "a grant with this Idempotency-Key is being processed; retry in a moment", headers: [.retryAfter: "1"])
        }
    }

    func invite(_ slug: String, input: ProgramInvitationInput) async throws -> ProgramInvitationOutput {
        let program = try await find(slug: slug)
        guard clock.now() < program.creatorDeadline else { throw Problem.conflict("the program's deadline for creators has passed") }
        let handle = (input.handle ?? "").trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "@", with: "")
        guard !handle.isEmpty, let creator = try await accounts.find(handle: handle) else {
            throw Problem.validation(ValidationIssue(field: "handle", message: "is not an account"))
        }
        guard let amount = input.amount, amount > 0 else { throw Problem.validation(ValidationIssue(field: "amount", message: "must be more than zero")) }
        let id = UUID()
        let now = clock.now()
        do {
            try await db.transaction { sql in
                guard try await Self.take(amount, from: program.id, on: sql) else { throw Problem.conflict("the program has not that much left to offer (or it is closed)") }
                try await sql.insert(into: "program_invitations").columns("id", "program_id", "creator_id", "amount", "status", "grant_id", "created_at", "settled_at")
                    .values(SQLBind(id), SQLBind(program.id), SQLBind(creator.id), SQLBind(amount), SQLBind("invited"), SQLBind(UUID?.none), SQLBind(now), SQLBind(Date?.none))
                    .run()
            }
        } catch where error.isConstraintViolation {
            throw Problem.conflict("@\(handle) is invited to this program already")
        }
        return ProgramInvitationOutput(id: id, program: program.slug, creator: creator.handle, amount: MoneyOutput(Money(amount, program.money)),
                                       status: "invited", deadline: program.creatorDeadline)
    }

    /// The invited creator gives their share to a verified nonprofit, once, before the deadline.
    func choose(_ slug: String, input: ProgramChoiceInput, by creator: AccountRecord) async throws -> ProgramInvitationOutput {
        let program = try await find(slug: slug)
        guard let nonprofit = input.nonprofitId.flatMap(UUID.init(uuidString:)) else {
            throw Problem.validation(ValidationIssue(field: "nonprofitId", message: "must be the id of a verified nonprofit"))
        }
        try await requireVerified(nonprofit, field: "nonprofitId")
        guard clock.now() < program.creatorDeadline, program.status == "active" else { throw Problem.conflict("the program's deadline for creators has passed") }
        let now = clock.now()
        struct Invitation: Decodable { let id: UUID; let amount: Int64; let status: String }
        let invitation: Invitation = try await db.transaction { sql in
            // The program's row first, then the invitation's: the order closing takes them in, so
            // the two never wait on each other; and closing cannot pass between the check and the grant.
            if sql.dialect.name == "postgresql" {
                try await sql.raw("SELECT id FROM programs WHERE id = \(bind: program.id) FOR SHARE").run()
                try await sql.raw("SELECT id FROM program_invitations WHERE program_id = \(bind: program.id) AND creator_id = \(bind: creator.id) FOR UPDATE").run()
            }
            struct Status: Decodable { let status: String }
            guard try await sql.select().column("status").from("programs").where("id", .equal, SQLBind(program.id)).first(decoding: Status.self)?.status == "active" else {
                throw Problem.conflict("the program is closed")
            }
            guard let invitation = try await sql.select().columns("id", "amount", "status").from("program_invitations")
                .where("program_id", .equal, SQLBind(program.id)).where("creator_id", .equal, SQLBind(creator.id)).first(decoding: Invitation.self) else {
                throw Problem.forbidden("you are not invited to give a share of this program")
            }
            guard invitation.status == "invited" else { throw Problem.conflict("you have given your share already") }
            let grant = try await Self.writeGrant(program, nonprofit: nonprofit, amount: invitation.amount, onBehalfOf: creator.id, at: now, on: sql)
            try await sql.update("program_invitations").set("status", to: SQLBind("given")).set("grant_id", to: SQLBind(grant)).set("settled_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(invitation.id)).run()
            return invitation
        }
        return ProgramInvitationOutput(id: invitation.id, program: program.slug, creator: creator.handle, amount: MoneyOutput(Money(invitation.amount, program.money)),
                                       status: "given", deadline: program.creatorDeadline)
    }

    /// After the deadline: unchosen shares go to the default nonprofit or back with everything
    /// unassigned to the platform's funds, and the program closes. Safe to repeat.
    func close(_ slug: String) async throws -> ProgramOutput {
        let program = try await find(slug: slug)
        guard clock.now() >= program.creatorDeadline else { throw Problem.conflict("creators have until the deadline to choose; close the program after it") }
        let now = clock.now()
        try await db.transaction { sql in
            if sql.dialect.name == "postgresql" { try await sql.raw("SELECT id FROM programs WHERE id = \(bind: program.id) FOR UPDATE").run() }
            struct Status: Decodable { let status: String; let unassigned: Int64 }
            guard let current = try await sql.select().columns("status", "unassigned").from("programs").where("id", .equal, SQLBind(program.id))
                .first(decoding: Status.self), current.status == "active" else { return }
            struct Invitation: Decodable { let id: UUID; let creator_id: UUID; let amount: Int64 }
            let open = try await sql.select().columns("id", "creator_id", "amount").from("program_invitations")
                .where("program_id", .equal, SQLBind(program.id)).where("status", .equal, SQLBind("invited")).all(decoding: Invitation.self)
            var giveBack = current.unassigned
            for invitation in open {
                if program.unchosen == "default", let fallback = program.defaultNonprofitId {
                    let grant = try await Self.writeGrant(program, nonprofit: fallback, amount: invitation.amount, onBehalfOf: invitation.creator_id, at: now, on: sql)
                    try await sql.update("program_invitations").set("status", to: SQLBind("defaulted")).set("grant_id", to: SQLBind(grant))
                        .set("settled_at", to: SQLBind(now)).where("id", .equal, SQLBind(invitation.id)).where("status", .equal, SQLBind("invited")).run()
                } else {
                    giveBack += invitation.amount
                    try await sql.update("program_invitations").set("status", to: SQLBind("returned")).set("settled_at", to: SQLBind(now))
                        .where("id", .equal, SQLBind(invitation.id)).where("status", .equal, SQLBind("invited")).run()
                }
            }
            try await sql.update("programs").set("status", to: SQLBind("closed")).set("unassigned", to: SQLBind(Int64(0))).set("closed_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(program.id)).run()
            if giveBack > 0 {
                try await LedgerStore.write([try PostingRules.programReturn(reference: "program-return:\(program.id.lowercasedString)",
                                                                            amount: Money(giveBack, program.money), program: program.id.lowercasedString)],
                                            on: sql, at: now)
            }
        }
        return try await output(program.id, on: db.sql)
    }

    func invitations(of creator: AccountRecord) async throws -> [ProgramInvitationOutput] {
        struct Row: Decodable { let id: UUID; let slug: String; let amount: Int64; let status: String; let currency: String; let creator_deadline: Date }
        let rows = try await db.reader.raw("""
            SELECT i.id, p.slug, i.amount, i.status, p.currency, p.creator_deadline FROM program_invitations i JOIN programs p ON p.id = i.program_id
            WHERE i.creator_id = \(bind: creator.id) ORDER BY i.created_at DESC
            """).all(decoding: Row.self)
        return rows.map { ProgramInvitationOutput(id: $0.id, program: $0.slug, creator: creator.handle,
                                                  amount: MoneyOutput(Money($0.amount, Currency.supported[$0.currency] ?? .usd)), status: $0.status, deadline: $0.creator_deadline) }
    }

    /// The public view: the budget and where the money went.
    func output(_ id: UUID, on sql: any SQLDatabase) async throws -> ProgramOutput {
        guard let program = try await sql.select().columns(ProgramRecord.columns.map { SQLColumn($0) }).from("programs").where("id", .equal, SQLBind(id))
            .first(decoding: ProgramRecord.self) else { throw Problem.notFound("program \(id)") }
        struct Grant: Decodable { let id: UUID; let nonprofit_id: UUID; let name: String; let amount: Int64; let handle: String?; let created_at: Date }
        let grants = try await sql.raw("""
            SELECT g.id, g.nonprofit_id, n.name, g.amount, a.handle, g.created_at FROM program_grants g JOIN nonprofits n ON n.id = g.nonprofit_id
            LEFT JOIN accounts a ON a.id = g.on_behalf_of WHERE g.program_id = \(bind: id) ORDER BY g.created_at DESC, g.id
            """).all(decoding: Grant.self)
        struct Offered: Decodable { let total: Int64? }
        let offered = try await sql.select().column(sqlSum("amount"), as: "total").from("program_invitations")
            .where("program_id", .equal, SQLBind(id)).where("status", .equal, SQLBind("invited")).first(decoding: Offered.self)?.total ?? 0
        let money = { (amount: Int64) in MoneyOutput(Money(amount, program.money)) }
        return ProgramOutput(
            id: program.id, slug: program.slug, title: program.title, description: program.description, budget: money(program.budget),
            granted: money(grants.reduce(0) { $0 + $1.amount }), offeredToCreators: money(offered), unassigned: money(program.unassigned),
            creatorDeadline: program.creatorDeadline, unchosen: program.unchosen, status: program.status,
            grants: grants.map { ProgramGrantOutput(id: $0.id, nonprofit: .init(id: $0.nonprofit_id, name: $0.name), amount: money($0.amount), onBehalfOf: $0.handle, at: $0.created_at) }
        )
    }
}
