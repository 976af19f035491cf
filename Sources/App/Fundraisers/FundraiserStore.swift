import Foundation
import GoodcastCore
import SQLKit

struct FundraiserStore: Sendable {
    let db: AppDatabase
    let clock: AppClock

    func create(nonprofit: UUID, owner: UUID, title: String, description: String?, goal: Money, endsAt: Date?) async throws -> FundraiserRecord {
        let id = UUID()
        try await db.sql.insert(into: "fundraisers").columns(FundraiserRecord.columns)
            .values(SQLBind(id), SQLBind(nonprofit), SQLBind(owner), SQLBind(title), SQLBind(description),
                    SQLBind(goal.amount), SQLBind(goal.currency.code), SQLBind(endsAt), SQLBind(clock.now()))
            .run()
        return try await find(id)!
    }

    func find(_ id: UUID, on sql: (any SQLDatabase)? = nil) async throws -> FundraiserRecord? {
        try await (sql ?? db.reader).select().columns(FundraiserRecord.columns.map { SQLColumn($0) }).from("fundraisers")
            .where("id", .equal, SQLBind(id)).first(decoding: FundraiserRecord.self)
    }

    func list(nonprofit: UUID) async throws -> [FundraiserRecord] {
        try await db.sql.select().columns(FundraiserRecord.columns.map { SQLColumn($0) }).from("fundraisers")
            .where("nonprofit_id", .equal, SQLBind(nonprofit)).orderBy("created_at", .descending).limit(100)
            .all(decoding: FundraiserRecord.self)
    }

}
