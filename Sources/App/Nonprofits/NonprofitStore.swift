import Foundation
import GoodcastCore
import SQLKit

/// Nonprofits, their causes, members and followers in the database.
struct NonprofitStore: Sendable {
    let db: AppDatabase
    let clock: AppClock

    enum StoreError: Error { case duplicateRegistration, alreadyMember }

    func create(_ application: NonprofitApplication, applicant: UUID) async throws -> NonprofitRecord {
        let id = UUID()
        let now = clock.now()
        do {
            try await db.transaction { sql in
                try await sql.insert(into: "nonprofits")
                    .columns("id", "name", "name_key", "country", "registration_number", "website", "description",
                             "status", "applicant_id", "created_at", "follower_count")
                    .values(SQLBind(id), SQLBind(application.name), SQLBind(application.name.lowercased()), SQLBind(application.country),
                            SQLBind(application.registrationNumber), SQLBind(application.website), SQLBind(application.description),
                            SQLBind(NonprofitStatus.pending.rawValue), SQLBind(applicant), SQLBind(now), SQLBind(0))
                    .run()
                for cause in application.causes {
                    try await sql.insert(into: "nonprofit_causes").columns("nonprofit_id", "cause")
                        .values(SQLBind(id), SQLBind(cause.rawValue)).run()
                }
                try await sql.insert(into: "nonprofit_members").columns("nonprofit_id", "account_id", "role", "added_at")
                    .values(SQLBind(id), SQLBind(applicant), SQLBind(NonprofitRole.owner.rawValue), SQLBind(now)).run()
            }
        } catch where error.isConstraintViolation {
            throw StoreError.duplicateRegistration
        }
        return try await find(id: id)!
    }

    func find(id: UUID) async throws -> NonprofitRecord? {
        guard var record = try await db.sql.select().columns(NonprofitRecord.columns.map { SQLColumn($0) }).from("nonprofits")
            .where("id", .equal, SQLBind(id)).first(decoding: NonprofitRecord.self)
        else { return nil }
        record.causes = try await causes(of: [id])[id] ?? []
        return record
    }

    func causes(of ids: [UUID]) async throws -> [UUID: [Cause]] {
        guard !ids.isEmpty else { return [:] }
        struct Row: Decodable { let nonprofit_id: UUID; let cause: String }
        let rows = try await db.sql.select().columns("nonprofit_id", "cause").from("nonprofit_causes")
            .where("nonprofit_id", .in, SQLBind.group(ids)).all(decoding: Row.self)
        var result: [UUID: [Cause]] = [:]
        for row in rows { if let cause = Cause(rawValue: row.cause) { result[row.nonprofit_id, default: []].append(cause) } }
        return result.mapValues { $0.sorted() }
    }

    struct DirectoryQuery: Sendable {
        var text: String?
        var cause: Cause?
        var country: String?
        var status: NonprofitStatus = .verified
        var page = 1
        var perPage = 20
    }

    func search(_ query: DirectoryQuery) async throws -> Page<NonprofitRecord> {
        func filtered(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
            var select = select.from("nonprofits").where("status", .equal, SQLBind(query.status.rawValue))
            if let text = query.text, !text.isEmpty {
                let escaped = text.lowercased()
                    .replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "%", with: "\\%")
                    .replacingOccurrences(of: "_", with: "\\_")
                // ESCAPE spelled out: SQLite has no default escape character for LIKE.
                select = select.where(SQLList(
                    [SQLColumn("name_key"), SQLRaw("LIKE"), SQLBind("%" + escaped + "%"), SQLRaw("ESCAPE '\\'")],
                    separator: SQLRaw(" ")
                ))
            }
            if let country = query.country { select = select.where("country", .equal, SQLBind(country)) }
            if let cause = query.cause {
                select = select.where(SQLColumn("id"), .in, SQLGroupExpression(SQLList(
                    [SQLRaw("SELECT nonprofit_id FROM nonprofit_causes WHERE cause ="), SQLBind(cause.rawValue)],
                    separator: SQLRaw(" ")
                )))
            }
            return select
        }
        struct Count: Decodable { let n: Int }
        let total = try await filtered(db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n"))
            .first(decoding: Count.self)?.n ?? 0
        var records = try await filtered(db.sql.select().columns(NonprofitRecord.columns.map { SQLColumn($0) }))
            .orderBy("name_key").orderBy("id")
            .limit(query.perPage).offset((query.page - 1) * query.perPage)
            .all(decoding: NonprofitRecord.self)
        let causes = try await causes(of: records.map(\.id))
        for index in records.indices { records[index].causes = causes[records[index].id] ?? [] }
        return Page(items: records, page: query.page, perPage: query.perPage, total: total)
    }

    func setStatus(_ id: UUID, to status: NonprofitStatus, reason: String?, reviewer: UUID) async throws {
        try await db.sql.update("nonprofits")
            .set("status", to: SQLBind(status.rawValue))
            .set("rejection_reason", to: SQLBind(reason))
            .set("reviewed_at", to: SQLBind(clock.now()))
            .set("reviewed_by", to: SQLBind(reviewer))
            .where("id", .equal, SQLBind(id)).run()
    }

    // MARK: members

    func members(of id: UUID) async throws -> [MemberRecord] {
        try await db.sql.select()
            .columns(SQLColumn("account_id", table: "m"), SQLColumn("handle", table: "a"), SQLColumn("display_name", table: "a"),
                     SQLColumn("role", table: "m"), SQLColumn("added_at", table: "m"))
            .from(SQLAlias(SQLIdentifier("nonprofit_members"), as: SQLIdentifier("m")))
            .join(SQLAlias(SQLIdentifier("accounts"), as: SQLIdentifier("a")), on: SQLColumn("id", table: "a"), .equal, SQLColumn("account_id", table: "m"))
            .where(SQLColumn("nonprofit_id", table: "m"), .equal, SQLBind(id))
            .orderBy(SQLColumn("added_at", table: "m"))
            .all(decoding: MemberRecord.self)
    }

    func role(of account: UUID, in nonprofit: UUID) async throws -> NonprofitRole? {
        struct Row: Decodable { let role: String }
        let row = try await db.sql.select().column("role").from("nonprofit_members")
            .where("nonprofit_id", .equal, SQLBind(nonprofit)).where("account_id", .equal, SQLBind(account))
            .first(decoding: Row.self)
        return row.flatMap { NonprofitRole(rawValue: $0.role) }
    }

    func addMember(_ account: UUID, to nonprofit: UUID, role: NonprofitRole) async throws {
        do {
            try await db.sql.insert(into: "nonprofit_members").columns("nonprofit_id", "account_id", "role", "added_at")
                .values(SQLBind(nonprofit), SQLBind(account), SQLBind(role.rawValue), SQLBind(clock.now())).run()
        } catch where error.isConstraintViolation {
            throw StoreError.alreadyMember
        }
    }

    enum RemoveOutcome { case removed, notMember, lastOwner }

    /// Removes a member, unless that would leave the nonprofit without an owner.
    func removeMember(_ account: UUID, from nonprofit: UUID) async throws -> RemoveOutcome {
        try await db.transaction { sql in
            struct Row: Decodable { let account_id: UUID; let role: String }
            let rows = try await sql.select().columns("account_id", "role").from("nonprofit_members")
                .where("nonprofit_id", .equal, SQLBind(nonprofit)).all(decoding: Row.self)
            guard let target = rows.first(where: { $0.account_id == account }) else { return .notMember }
            if target.role == NonprofitRole.owner.rawValue && rows.filter({ $0.role == NonprofitRole.owner.rawValue }).count == 1 {
                return .lastOwner
            }
            try await sql.delete(from: "nonprofit_members")
                .where("nonprofit_id", .equal, SQLBind(nonprofit)).where("account_id", .equal, SQLBind(account)).run()
            return .removed
        }
    }

    func nonprofits(ofMember account: UUID) async throws -> [(NonprofitRecord, NonprofitRole)] {
        struct Row: Decodable { let nonprofit_id: UUID; let role: String }
        let rows = try await db.sql.select().columns("nonprofit_id", "role").from("nonprofit_members")
            .where("account_id", .equal, SQLBind(account)).all(decoding: Row.self)
        var result: [(NonprofitRecord, NonprofitRole)] = []
        for row in rows {
            if let record = try await find(id: row.nonprofit_id) { result.append((record, NonprofitRole(rawValue: row.role) ?? .member)) }
        }
        return result.sorted { $0.0.name < $1.0.name }
    }
}
