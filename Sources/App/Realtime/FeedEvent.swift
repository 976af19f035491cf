import Foundation
import GoodcastCore
import SQLKit

/// One event of a fundraiser's feed, as viewers receive it.
struct FeedEvent: Codable, Sendable, Equatable {
    let seq: Int64
    let kind: String
    let at: Date
    /// The event's fields, already public: a donation shows what its donor allowed.
    let data: [String: FeedValue]
}

enum FeedValue: Codable, Sendable, Equatable {
    case text(String)
    case number(Int64)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) { self = .number(number) } else { self = .text(try container.decode(String.self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .number(let number): try container.encode(number)
        }
    }
}

/// Appends to and reads from the event log.
enum FeedLog {
    /// Appends events for several fundraisers inside the caller's transaction; numbers follow
    /// each fundraiser's last `seq` (a concurrent writer on another node loses on the unique key
    /// and retries).
    static func append(_ events: [(fundraiser: UUID, kind: String, data: [String: FeedValue])], on sql: any SQLDatabase, at now: Date) async throws {
        guard !events.isEmpty else { return }
        struct Last: Decodable { let fundraiser_id: UUID; let seq: Int64? }
        let ids = Array(Set(events.map(\.fundraiser)))
        let last = try await sql.select().column("fundraiser_id").column(SQLFunction("MAX", args: SQLColumn("seq")), as: "seq")
            .from("fundraiser_events").where("fundraiser_id", .in, SQLBind.group(ids)).groupBy("fundraiser_id")
            .all(decoding: Last.self)
        var next = Dictionary(uniqueKeysWithValues: last.map { ($0.fundraiser_id, ($0.seq ?? 0) + 1) })
        let encoder = APIJSON.encoder()
        var rows: [[any SQLExpression]] = []
        for event in events {
            let seq = next[event.fundraiser, default: 1]
            next[event.fundraiser] = seq + 1
            let payload = String(decoding: try encoder.encode(event.data), as: UTF8.self)
            rows.append([SQLBind(event.fundraiser), SQLBind(seq), SQLBind(event.kind), SQLBind(payload), SQLBind(now)])
        }
        try await sql.insert(into: "fundraiser_events").columns("fundraiser_id", "seq", "kind", "payload", "created_at").rows(rows).run()
    }

    static func read(fundraiser: UUID, after: Int64, limit: Int, on sql: any SQLDatabase) async throws -> [FeedEvent] {
        struct Row: Decodable { let seq: Int64; let kind: String; let payload: String; let created_at: Date }
        let rows = try await sql.select().columns("seq", "kind", "payload", "created_at").from("fundraiser_events")
            .where("fundraiser_id", .equal, SQLBind(fundraiser)).where("seq", .greaterThan, SQLBind(after))
            .orderBy("seq").limit(limit).all(decoding: Row.self)
        let decoder = JSONDecoder()
        return rows.map { row in
            FeedEvent(seq: row.seq, kind: row.kind, at: row.created_at,
                      data: (try? decoder.decode([String: FeedValue].self, from: Data(row.payload.utf8))) ?? [:])
        }
    }

    /// The public face of a donation in the feed: honours the donor's visibility.
    static func donation(_ record: DonationRecord, donorName: String) -> [String: FeedValue] {
        var data: [String: FeedValue] = ["donationId": .text(record.id.uuidString.lowercased())]
        data["donor"] = .text(record.visibility == .anonymous ? "Anonymous" : donorName)
        if record.visibility != .hideAmount {
            data["amount"] = .number(record.amount)
            data["currency"] = .text(record.currencyCode)
        }
        if let message = record.message { data["message"] = .text(message) }
        return data
    }
}
