import Foundation
import GoodcastCore
import SQLKit

/// What a feed event reports. `viewers` and `resync` are never stored: they carry no `seq`.
enum FeedKind: String, Codable, Sendable {
    case donation, total, refund, thanks
    case goalReached = "goal_reached"
    case messageHidden = "message_hidden"
    case liveStarted = "live_started"
    case liveEnded = "live_ended"
    case viewers, resync
}

/// One event of a feed, as viewers receive it.
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

/// Appends to and reads from the event log. A feed is a fundraiser's (with the events of the
/// live raising it) or, for a live without a fundraiser, the live's own.
enum FeedLog {
    typealias NewEvent = (feed: UUID, kind: FeedKind, data: [String: FeedValue])

    /// Appends events for several feeds inside the caller's transaction; numbers follow each
    /// feed's last `seq` (a concurrent writer on another node loses on the unique key and
    /// retries), so a feed's events become visible in `seq` order with no hole.
    static func append(_ events: [NewEvent], on sql: any SQLDatabase, at now: Date) async throws {
        guard !events.isEmpty else { return }
        let ids = Array(Set(events.map(\.feed)))
        try await lock(ids, on: sql)
        // One MAX per feed, not one grouped query: only `MAX(seq) ... WHERE feed_id = ?` reads a
        // single index entry on both engines; the grouped form scans the feed's whole history,
        // which made every batch of a long live slower than the one before.
        var next: [UUID: Int64] = [:]
        for id in ids { next[id] = try await lastSeq(feed: id, on: sql) + 1 }
        var rows: [[any Encodable & Sendable]] = []
        for event in events {
            let seq = next[event.feed, default: 1]
            next[event.feed] = seq + 1
            let payload = payload(event.data)
            rows.append([event.feed, seq, event.kind.rawValue, payload, now])
        }
        try await SQLRowsInsert(into: "feed_events", columns: ["feed_id", "seq", "kind", "payload", "created_at"], rows: rows).run(on: sql)
        FeedCommitNotes.current?.note(ids)
    }

    /// An event's fields as stored: `APIJSON`'s text (sorted keys), written directly, since
    /// every donation's batch writes one or two (see `JSONText`).
    static func payload(_ data: [String: FeedValue]) -> String {
        var json = JSONText(capacity: 256)
        json.object { json in
            for (key, value) in data.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                switch value {
                case .text(let text): json.field(key, text)
                case .number(let number): json.field(key, number)
                }
            }
        }
        return json.string
    }

    /// Makes concurrent writers of the same feeds take turns until commit, so that seqs never
    /// collide and a total read after the lock includes every earlier commit. On PostgreSQL it
    /// locks the feeds' fundraiser and live rows (NO KEY UPDATE: inserts that reference them
    /// are not blocked), in id order so that two batches never wait for each other; SQLite has
    /// one writer, which is a lock already. Call it before reading anything a feed event reports.
    static func lock(_ feeds: some Collection<UUID>, on sql: any SQLDatabase) async throws {
        guard !feeds.isEmpty, sql.dialect.name == "postgresql" else { return }
        let ids = Array(feeds)
        for table in ["fundraisers", "lives"] {
            try await sql.raw("SELECT \(ident: "id") FROM \(ident: table) WHERE \(ident: "id") IN (\(binds: ids)) ORDER BY \(ident: "id") FOR NO KEY UPDATE").run()
        }
    }

    /// The feed's last `seq`, 0 when it has none.
    static func lastSeq(feed: UUID, on sql: any SQLDatabase) async throws -> Int64 {
        struct Row: Decodable { let seq: Int64? }
        return try await sql.raw("SELECT MAX(\"seq\") AS \"seq\" FROM \"feed_events\" WHERE \"feed_id\" = \(bind: feed)")
            .first(decoding: Row.self)?.seq ?? 0
    }

    static func read(feed: UUID, after: Int64, limit: Int, on sql: any SQLDatabase) async throws -> [FeedEvent] {
        struct Row: Decodable { let seq: Int64; let kind: String; let payload: String; let created_at: Date }
        let rows = try await sql.select().columns("seq", "kind", "payload", "created_at").from("feed_events")
            .where("feed_id", .equal, SQLBind(feed)).where("seq", .greaterThan, SQLBind(after))
            .orderBy("seq").limit(limit).all(decoding: Row.self)
        let decoder = JSONDecoder()
        return rows.map { row in
            FeedEvent(seq: row.seq, kind: row.kind, at: row.created_at,
                      data: (try? decoder.decode([String: FeedValue].self, from: Data(row.payload.utf8))) ?? [:])
        }
    }

    /// The public face of a donation in the feed: honours the donor's visibility.
    static func donation(_ record: DonationRecord, donorName: String) -> [String: FeedValue] {
        var data: [String: FeedValue] = ["donationId": .text(record.id.lowercasedString)]
        data["donor"] = .text(record.visibility == .anonymous ? "Anonymous" : donorName)
        if record.visibility != .hideAmount {
            data["amount"] = .number(record.amount)
            data["currency"] = .text(record.currencyCode)
        }
        if let message = record.message { data["message"] = .text(message) }
        return data
    }
}
