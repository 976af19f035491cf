import Foundation
import GoodcastCore
import SQLKit

/// "I donated" stickers: one per succeeded donation, unlocked for its donor. The sticker's id
/// is its donation's id, and it is only ever checked against the donation's own donor, so a
/// sticker cannot be forged or borrowed.
struct StickerService: Sendable {
    let db: AppDatabase

    struct Row: Decodable, Sendable {
        let id: UUID
        let donor_id: UUID
        let fundraiser_id: UUID
        let fundraiser_title: String
        let nonprofit_id: UUID
        let nonprofit_name: String
        let visibility: String
        let status: String
        let amount: Int64
        let refunded: Int64
        let dispute: String
        let created_at: Date

        var available: Bool { status == "succeeded" && refunded < amount && dispute != "open" && dispute != "lost" }
    }

    private func select(_ sql: any SQLDatabase) -> SQLSelectBuilder {
        sql.select()
            .column(SQLColumn("id", table: "d")).column(SQLColumn("donor_id", table: "d")).column(SQLColumn("fundraiser_id", table: "d"))
            .column(SQLColumn("title", table: "f"), as: "fundraiser_title").column(SQLColumn("nonprofit_id", table: "d"))
            .column(SQLColumn("name", table: "n"), as: "nonprofit_name")
            .column(SQLColumn("visibility", table: "d")).column(SQLColumn("status", table: "d")).column(SQLColumn("amount", table: "d"))
            .column(SQLColumn("refunded", table: "d")).column(SQLColumn("dispute", table: "d")).column(SQLColumn("created_at", table: "d"))
            .from(SQLAlias(SQLIdentifier("donations"), as: SQLIdentifier("d")))
            .join(SQLAlias(SQLIdentifier("fundraisers"), as: SQLIdentifier("f")), on: SQLColumn("id", table: "f"), .equal, SQLColumn("fundraiser_id", table: "d"))
            .join(SQLAlias(SQLIdentifier("nonprofits"), as: SQLIdentifier("n")), on: SQLColumn("id", table: "n"), .equal, SQLColumn("nonprofit_id", table: "d"))
    }

    /// The stickers a donor has unlocked, newest first (withdrawn ones marked unavailable).
    func stickers(of donor: UUID) async throws -> [StickerOutput] {
        let rows = try await select(db.reader).where(SQLColumn("donor_id", table: "d"), .equal, SQLBind(donor))
            .where(SQLColumn("status", table: "d"), .equal, SQLBind("succeeded"))
            .orderBy(SQLOrderBy(expression: SQLColumn("created_at", table: "d"), direction: SQLDirection.descending))
            .limit(500).all(decoding: Row.self)
        let campaigns = try await campaigns(of: Array(Set(rows.map(\.fundraiser_id))))
        return rows.map {
            StickerOutput(id: $0.id, donationId: $0.id, nonprofit: .init(id: $0.nonprofit_id, name: $0.nonprofit_name),
                          fundraiser: .init(id: $0.fundraiser_id, title: $0.fundraiser_title), campaign: campaigns[$0.fundraiser_id],
                          anonymous: $0.visibility == DonationVisibility.anonymous.rawValue, available: $0.available, createdAt: $0.created_at)
        }
    }

    /// The stickers with these ids, if they are all the poster's and still available.
    func requireOwn(_ ids: [UUID], by poster: UUID) async throws -> [UUID: Row] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await select(db.sql).where(SQLColumn("id", table: "d"), .in, SQLBind.group(ids)).all(decoding: Row.self)
        let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0) })
        for (index, id) in ids.enumerated() {
            // Someone else's sticker and a made-up one get the same answer: nothing is revealed.
            guard let row = byID[id], row.donor_id == poster, row.status == "succeeded" else {
                throw Problem.forbidden("stickers[\(index)] is not one of your stickers: a sticker comes with your own succeeded donation")
            }
            guard row.available else {
                throw Problem.conflict("stickers[\(index)] was withdrawn: its donation was refunded or disputed")
            }
        }
        return byID
    }

    /// The campaign each fundraiser raises for (through a live in the campaign's program).
    func campaigns(of fundraisers: [UUID]) async throws -> [UUID: CampaignRef] {
        guard !fundraisers.isEmpty else { return [:] }
        struct Row: Decodable { let fundraiser_id: UUID; let slug: String; let title: String }
        let rows = try await db.reader.select()
            .column(SQLColumn("fundraiser_id", table: "l")).column(SQLColumn("slug", table: "c")).column(SQLColumn("title", table: "c"))
            .from(SQLAlias(SQLIdentifier("lives"), as: SQLIdentifier("l")))
            .join(SQLAlias(SQLIdentifier("campaign_lives"), as: SQLIdentifier("cl")), on: SQLColumn("live_id", table: "cl"), .equal, SQLColumn("id", table: "l"))
            .join(SQLAlias(SQLIdentifier("campaigns"), as: SQLIdentifier("c")), on: SQLColumn("id", table: "c"), .equal, SQLColumn("campaign_id", table: "cl"))
            .where(SQLColumn("fundraiser_id", table: "l"), .in, SQLBind.group(fundraisers))
            .all(decoding: Row.self)
        var result: [UUID: CampaignRef] = [:]
        for row in rows where result[row.fundraiser_id] == nil { result[row.fundraiser_id] = CampaignRef(slug: row.slug, title: row.title) }
        return result
    }
}
