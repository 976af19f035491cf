@testable import App
import Foundation
import GoodcastCore
import SQLKit

/// The analytics figures recomputed from scratch from every raw row, in memory and in a
/// different way from the roll-up (one pass over all rows, not a query per day), to compare
/// with what the roll-up stored.
enum RawAnalytics {
    typealias Figures = [String: Int64]

    static func key(_ scope: String, _ id: UUID, _ day: UTCDay, _ metric: String, _ currency: String = "") -> String {
        "\(scope)|\(id.uuidString.lowercased())|\(day.iso)|\(metric)|\(currency)"
    }

    static func stored(_ sql: any SQLDatabase) async throws -> Figures {
        struct Row: Decodable { let scope: String; let scope_id: UUID; let day: Int64; let metric: String; let currency: String; let value: Int64 }
        var figures: Figures = [:]
        for row in try await sql.select().columns("scope", "scope_id", "day", "metric", "currency", "value").from("analytics_daily").all(decoding: Row.self) {
            figures[key(row.scope, row.scope_id, UTCDay(number: row.day), row.metric, row.currency)] = row.value
        }
        return figures
    }

    static func difference(_ a: Figures, _ b: Figures) -> String {
        Set(a.keys).union(b.keys).sorted().compactMap { key in a[key] == b[key] ? nil : "\(key): stored \(a[key].map(String.init) ?? "-") raw \(b[key].map(String.init) ?? "-")" }
            .joined(separator: "; ")
    }

    static func compute(_ sql: any SQLDatabase) async throws -> Figures {
        var figures: Figures = [:]
        func add(_ key: String, _ value: Int64) { if value != 0 { figures[key, default: 0] += value } }

        struct Fundraiser: Decodable { let id: UUID; let nonprofit_id: UUID }
        let fundraiserNonprofit = Dictionary(uniqueKeysWithValues: try await sql.select().columns("id", "nonprofit_id").from("fundraisers").all(decoding: Fundraiser.self).map { ($0.id, $0.nonprofit_id) })
        struct Live: Decodable { let id: UUID; let fundraiser_id: UUID? }
        let lives = try await sql.select().columns("id", "fundraiser_id").from("lives").all(decoding: Live.self)
        struct Challenge: Decodable { let id: UUID; let nonprofit_id: UUID? }
        let challengeNonprofit = Dictionary(uniqueKeysWithValues: try await sql.select().columns("id", "nonprofit_id").from("challenges").all(decoding: Challenge.self).map { ($0.id, $0.nonprofit_id) })
        func scopes(fundraiser: UUID) -> [(String, UUID)] {
            [("fundraiser", fundraiser), ("nonprofit", fundraiserNonprofit[fundraiser]!)] + lives.filter { $0.fundraiser_id == fundraiser }.map { ("live", $0.id) }
        }

        // Donations, and donors new (first gift to the scope that day) or returning.
        struct Gift: Decodable { let fundraiser_id: UUID; let donor_id: UUID; let created_at: Date }
        let gifts = try await sql.select().columns("fundraiser_id", "donor_id", "created_at").from("donations")
            .where("status", .equal, "succeeded").all(decoding: Gift.self)
        var firstDay: [String: UTCDay] = [:]
        var donorDays: Set<String> = []
        for gift in gifts {
            for (scope, id) in scopes(fundraiser: gift.fundraiser_id) {
                let day = UTCDay(gift.created_at)
                add(key(scope, id, day, "donations"), 1)
                let donor = "\(scope)|\(id)|\(gift.donor_id)"
                firstDay[donor] = min(firstDay[donor] ?? day, day)
                donorDays.insert("\(donor)|\(day.number)")
            }
        }
        for entry in donorDays {
            let parts = entry.split(separator: "|")
            let (scope, id, donor, day) = (String(parts[0]), UUID(uuidString: String(parts[1]))!, "\(parts[0])|\(parts[1])|\(parts[2])", UTCDay(number: Int64(parts[3])!))
            add(key(scope, id, day, firstDay[donor] == day ? "donors_new" : "donors_returning"), 1)
        }

        // Net: every entry tagged with a fundraiser, on its transaction's day, credits positive.
        struct Entry: Decodable { let fundraiser_id: UUID; let currency: String; let amount: Int64; let created_at: Date }
        let entries = try await sql.raw("SELECT e.fundraiser_id, e.currency, e.amount, t.created_at FROM ledger_entries e, ledger_transactions t WHERE t.id = e.transaction_id AND e.fundraiser_id IS NOT NULL")
            .all(decoding: Entry.self)
        for entry in entries {
            for (scope, id) in scopes(fundraiser: entry.fundraiser_id) { add(key(scope, id, UTCDay(entry.created_at), "net", entry.currency), -entry.amount) }
        }

        struct Follow: Decodable { let nonprofit_id: UUID; let change: Int64; let at: Date }
        for follow in try await sql.select().columns("nonprofit_id", "change", "at").from("nonprofit_follow_events").all(decoding: Follow.self) where follow.change > 0 {
            add(key("nonprofit", follow.nonprofit_id, UTCDay(follow.at), "followers_gained"), 1)
        }

        // Videos still in a challenge, their creators, and their views (hour rows).
        struct Joined: Decodable { let challenge_id: UUID; let video_id: UUID; let creator_id: UUID; let posted_at: Date; let removed_at: Date? }
        let joined = try await sql.select().columns("challenge_id", "video_id", "creator_id", "posted_at", "removed_at").from("challenge_videos")
            .all(decoding: Joined.self).filter { $0.removed_at == nil }
        var distinct: [String: Set<UUID>] = [:]
        for entry in joined {
            let day = UTCDay(entry.posted_at)
            var owners = [("challenge", entry.challenge_id)]
            if let nonprofit = challengeNonprofit[entry.challenge_id] ?? nil { owners.append(("nonprofit", nonprofit)) }
            for (scope, id) in owners {
                distinct[key(scope, id, day, "videos"), default: []].insert(entry.video_id)
                distinct[key(scope, id, day, "participants"), default: []].insert(entry.creator_id)
            }
        }
        for (key, set) in distinct { add(key, Int64(set.count)) }
        struct View: Decodable { let video_id: UUID; let viewer: String; let hour: Int64 }
        var viewSets: [String: Set<String>] = [:]
        for view in try await sql.select().columns("video_id", "viewer", "hour").from("video_views").all(decoding: View.self) {
            for entry in joined where entry.video_id == view.video_id {
                var owners = [("challenge", entry.challenge_id)]
                if let nonprofit = challengeNonprofit[entry.challenge_id] ?? nil { owners.append(("nonprofit", nonprofit)) }
                for (scope, id) in owners {
                    viewSets[key(scope, id, UTCDay(hour: view.hour), "views"), default: []].insert("\(view.video_id)|\(view.viewer)|\(view.hour)")
                }
            }
        }
        for (key, set) in viewSets { add(key, Int64(set.count)) }
        return figures
    }
}
