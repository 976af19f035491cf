@testable import App
import Foundation
import GoodcastCore
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing

@Suite("Nonprofit analytics")
struct AnalyticsTests {
    /// Starts the test's clock an hour after the next UTC midnight, so that each of its days'
    /// events fall on one UTC day whenever the test runs.
    static func morningClock() -> ShiftableClock {
        let clock = ShiftableClock()
        let now = Date()
        clock.advance(UTCDay(now).advanced(by: 1).start.timeIntervalSince(now) + 3_600)
        return clock
    }

    struct World {
        let cause: TestHarness.Cause
        let live: String
        let liveFundraiser: String
        let challenge: String
        let donors: [String: String]
        let creators: [String: String]
    }

    func views(_ app: TestHarness, _ video: String, viewers: [String], at: Date) async throws {
        let at = ISO8601DateFormatter().string(from: at)
        let batch = "[" + viewers.map { #"{"videoId":"\#(video)","viewerId":"\#($0)","at":"\#(at)"}"# }.joined(separator: ",") + "]"
        #expect(try await app.request(.post, "/api/v1/views", json: batch).status == .accepted)
        try await app.services.views.flush()
    }

    func upload(_ app: TestHarness, _ token: String) async throws -> String {
        let reply = try await app.upload(try Samples.bytes("dance.mp4"), caption: "my take on #GiveDaily", token: token)
        guard reply.status == .created else { throw TestFailure("upload: \(reply.text)") }
        return try reply.json()["id"] as! String
    }

    /// Day 0: three gifts from two donors, one video with three viewers, a follow; then the
    /// roll-up. Day 1: a returning and a new donor (to the live), a refund, three more videos,
    /// follows and an unfollow. Day 3: a roll-up; day 0's video is deleted, a gift; the roll-up again.
    func scenario(_ app: TestHarness, clock: ShiftableClock) async throws -> World {
        let now = { clock.appClock.now() }
        let cause = try await app.verifiedFundraiser()
        var donors: [String: String] = [:]
        for name in ["ada", "bob", "cyd"] { donors[name] = try await app.signUp(name).token }
        var creators: [String: String] = [:]
        for name in ["maya", "leo"] { creators[name] = try await app.signUp(name).token }
        let live = try await app.request(.post, "/api/v1/lives", json: """
            {"title":"Evening live","playbackUrl":"https://www.youtube.com/embed/abc","fundraiser":{"nonprofitId":"\(cause.nonprofit)","goal":{"amount":50000,"currency":"EUR"}}}
            """, token: creators["leo"]!).json()
        let iso = { (offset: Double) in ISO8601DateFormatter().string(from: now().addingTimeInterval(offset)) }
        let challenge = try await app.request(.post, "/api/v1/challenges", json: #"{"hashtag":"GiveDaily","nonprofitId":"\#(cause.nonprofit)","title":"Give daily","startsAt":"\#(iso(-600))","endsAt":"\#(iso(10 * 86_400))","branded":true}"#, token: cause.ownerToken).json()

        // Day 0
        #expect(try await app.donate(cause.fundraiser, token: donors["ada"]!, amount: 1_000).status == .created)
        let boGift = try await app.donate(cause.fundraiser, token: donors["bob"]!, amount: 2_000).json()["id"] as! String
        #expect(try await app.donate(cause.fundraiser, token: donors["ada"]!, amount: 500).status == .created)
        let firstVideo = try await upload(app, creators["maya"]!)
        try await views(app, firstVideo, viewers: ["v1", "v2", "v3"], at: now())
        #expect(try await app.request(.post, "/api/v1/nonprofits/\(cause.nonprofit)/follow", token: donors["ada"]!).status == .ok)
        let first = try await app.services.analytics.rollup.run()
        #expect(first.days >= 1 && first.figures > 0)

        // Day 1
        clock.advance(86_400)
        #expect(try await app.donate(cause.fundraiser, token: donors["ada"]!, amount: 700).status == .created)
        #expect(try await app.donate(live["fundraiserId"] as! String, token: donors["cyd"]!, amount: 3_000, currency: "EUR").status == .created)
        let refund = try await app.request(.post, "/api/v1/donations/\(boGift)/refunds", json: #"{"amount":{"amount":500,"currency":"USD"}}"#,
                                           token: cause.ownerToken, headers: [.init("Idempotency-Key")!: "refund-bo"])
        #expect(refund.status == .created, "\(refund.text)")
        let leosVideo = try await upload(app, creators["leo"]!)
        for token in [creators["leo"]!, creators["maya"]!] { _ = try await upload(app, token) }
        try await views(app, firstVideo, viewers: ["v1", "v4"], at: now())
        try await views(app, leosVideo, viewers: ["v5", "v6", "v5"], at: now())
        for name in ["bob", "cyd"] {
            #expect(try await app.request(.post, "/api/v1/nonprofits/\(cause.nonprofit)/follow", token: donors[name]!).status == .ok)
        }
        #expect(try await app.request(.delete, "/api/v1/nonprofits/\(cause.nonprofit)/follow", token: donors["cyd"]!).status == .ok)

        // Day 3
        clock.advance(2 * 86_400)
        // A roll-up now covers days 2 and 3 next time: day 0's deleted video must still be caught.
        try await app.services.analytics.rollup.run()
        #expect(try await app.request(.delete, "/api/v1/videos/\(firstVideo)", token: creators["maya"]!).status == .noContent)
        #expect(try await app.donate(cause.fundraiser, token: donors["cyd"]!, amount: 400).status == .created)
        try await views(app, leosVideo, viewers: ["v5"], at: now())
        try await app.services.analytics.rollup.run()
        return World(cause: cause, live: live["id"] as! String, liveFundraiser: live["fundraiserId"] as! String,
                     challenge: challenge["id"] as! String, donors: donors, creators: creators)
    }

    @Test("roll-ups equal the raw data they summarise, incrementally and rebuilt; the API and CSV read them", arguments: DatabaseKind.enabled)
    func rollupsMatchRawData(_ kind: DatabaseKind) async throws {
        let clock = Self.morningClock()
        try await withTestApp(kind, clock: clock.appClock, configure: { $0.analyticsRollupSeconds = 86_400 }) { app in
            let world = try await scenario(app, clock: clock)
            let raw = try await RawAnalytics.compute(app.services.db.sql)
            let stored = try await RawAnalytics.stored(app.services.db.sql)
            #expect(stored == raw, "incremental roll-up differs from the raw data: \(RawAnalytics.difference(stored, raw))")
            try await app.services.analytics.rollup.run(rebuild: true)
            #expect(try await RawAnalytics.stored(app.services.db.sql) == raw)

            // Figures worked out by hand, through the API.
            let today = UTCDay(clock.appClock.now())
            let day0 = today.advanced(by: -3)
            let path = "/api/v1/nonprofits/\(world.cause.nonprofit)/analytics?from=\(day0.iso)&to=\(today.iso)"
            let report = try await app.request(.get, path, token: world.cause.ownerToken)
            #expect(report.status == .ok, "\(report.text)")
            let json = try report.json()
            #expect(json["days"] as? [String] == (0...3).map { day0.advanced(by: Int64($0)).iso })
            #expect(json["previousTo"] as? String == day0.advanced(by: -1).iso)
            let metrics = json["metrics"] as! [[String: Any]]
            func series(_ metric: String, _ currency: String? = nil) -> [Int64] {
                let found = metrics.first { $0["metric"] as? String == metric && $0["currency"] as? String == currency }
                return (found?["series"] as? [NSNumber])?.map(\.int64Value) ?? []
            }
            #expect(series("donations") == [3, 2, 0, 1])
            #expect(series("donors_new") == [2, 1, 0, 0])
            #expect(series("donors_returning") == [0, 1, 0, 1])
            #expect(series("followers_gained") == [1, 2, 0, 0])
            #expect(series("videos") == [0, 3, 0, 0], "day 0's video was deleted")
            #expect(series("participants") == [0, 2, 0, 0])
            #expect(series("views") == [0, 2, 0, 1], "the deleted video's views are gone")
            let usd = series("net", "USD")
            #expect(usd.count == 4 && usd[0] > 0 && usd[2] == 0 && usd[3] > 0)
            #expect(series("net", "EUR") .count == 4 && series("net", "EUR")[1] > 0 && series("net", "EUR")[0] == 0)
            let raised = money(try await app.fundraiser(world.cause.fundraiser)["raised"])
            #expect(usd.reduce(0, +) == raised, "the days' net adds up to the fundraiser's net raised")
            let items = json["items"] as! [[String: Any]]
            #expect(Set(items.map { $0["kind"] as! String }) == ["challenge", "live", "fundraiser"])

            // One scope; a CSV of it; the previous period and its change.
            let live = try await app.request(.get, "/api/v1/nonprofits/\(world.cause.nonprofit)/analytics?from=\(day0.iso)&to=\(today.iso)&scope=live:\(world.live)", token: world.cause.adminToken).json()
            #expect((live["metrics"] as! [[String: Any]]).map { $0["metric"] as! String } == ["donations", "donors_new", "donors_returning", "net"])
            let csv = try await app.request(.get, path, token: world.cause.ownerToken, headers: [.accept: "text/csv"])
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true && csv.headers[.contentDisposition]?.contains("attachment") == true)
            let lines = csv.text.split(separator: "\n")
            #expect(lines.first == "date,views,videos,participants,donations,donors_new,donors_returning,followers_gained,net_EUR,net_USD")
            #expect(lines.count == 1 + 4 + 2 && lines[1].hasPrefix("\(day0.iso),0,0,0,3,2,0,1,"))
            let later = try await app.request(.get, "/api/v1/nonprofits/\(world.cause.nonprofit)/analytics?from=\(today.iso)&to=\(today.iso)&format=csv", token: world.cause.ownerToken)
            #expect(later.text.split(separator: "\n").dropFirst().first?.hasPrefix("\(today.iso),1,0,0,1,0,1,0,") == true)
            let change = try await app.request(.get, "/api/v1/nonprofits/\(world.cause.nonprofit)/analytics?from=\(day0.advanced(by: 2).iso)&to=\(today.iso)", token: world.cause.ownerToken).json()
            let donations = (change["metrics"] as! [[String: Any]]).first { $0["metric"] as? String == "donations" }!
            #expect(donations["total"] as? Int == 1 && donations["previousTotal"] as? Int == 5 && donations["change"] as? Int == -4 && donations["changePercent"] as? String == "-80.0")
        }
    }

    @Test("only the nonprofit's members and platform admins read its analytics; bad ranges and scopes are refused", arguments: DatabaseKind.enabled)
    func access(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let cause = try await app.verifiedFundraiser()
            let (_, stranger) = try await app.signUp("stranger")
            let path = "/api/v1/nonprofits/\(cause.nonprofit)/analytics"
            #expect(try await app.request(.get, path).status == .unauthorized)
            #expect(try await app.request(.get, path, token: stranger).status == .forbidden)
            let empty = try await app.request(.get, path, token: cause.adminToken)
            #expect(empty.status == .ok)
            #expect((try empty.json()["days"] as? [String])?.count == 28)
            for (query, field) in [("from=yesterday", "from"), ("from=2026-02-30", "from"), ("from=2026-11-20&to=2026-11-01", "from"),
                                   ("from=2024-01-01&to=2026-01-01", "to"), ("scope=challenge:nope", "scope"), ("scope=planet:\(UUID())", "scope"),
                                   ("format=xml", "format")] {
                let reply = try await app.request(.get, "\(path)?\(query)", token: cause.ownerToken)
                #expect(reply.status == .unprocessableContent && reply.text.contains(field), "\(query): \(reply.text)")
            }
            let (_, otherOwner) = try await app.signUp("otherowner")
            let other = try await app.applyNonprofit(otherOwner, name: "Other Cause", number: "999")
            #expect(try await app.request(.post, "/api/v1/admin/nonprofits/\(other)/verify", token: cause.adminToken).status == .ok)
            let otherFundraiser = try await app.request(.post, "/api/v1/fundraisers", json: #"{"nonprofitId":"\#(other)","title":"Other","goal":{"amount":1000,"currency":"USD"}}"#, token: otherOwner).json()["id"] as! String
            #expect(try await app.request(.get, "\(path)?scope=fundraiser:\(otherFundraiser)", token: cause.ownerToken).status == .notFound)
            #expect(try await app.request(.get, "\(path)?scope=fundraiser:\(cause.fundraiser)", token: cause.ownerToken).status == .ok)
            #expect(try await app.request(.get, "/api/v1/nonprofits/\(UUID())/analytics", token: cause.adminToken).status == .notFound)
        }
    }
}
