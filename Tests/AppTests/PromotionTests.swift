@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Ad credits and promotions")
struct PromotionTests {
    func grant(_ app: TestHarness, _ nonprofit: String, _ credits: Int, admin: String, key: String = UUID().uuidString) async throws -> TestHarness.Reply {
        try await app.request(.post, "/api/v1/admin/nonprofits/\(nonprofit)/ad-credits", json: #"{"credits":\#(credits)}"#, token: admin,
                              headers: [.init("Idempotency-Key")!: key])
    }

    func promote(_ app: TestHarness, _ nonprofit: String, hashtag: String, budget: Int, token: String) async throws -> TestHarness.Reply {
        let ends = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
        return try await app.request(.post, "/api/v1/nonprofits/\(nonprofit)/promotions", json: #"{"challenge":"\#(hashtag)","budget":\#(budget),"endsAt":"\#(ends)"}"#, token: token)
    }

    func balance(_ app: TestHarness, _ nonprofit: String, token: String) async throws -> Int {
        try await app.request(.get, "/api/v1/nonprofits/\(nonprofit)/ad-credits", token: token).json()["balance"] as! Int
    }

    @Test("admins grant credits; a nonprofit promotes its challenge, which comes first and pays per impression until its budget is spent", arguments: DatabaseKind.enabled)
    func promotion(_ kind: DatabaseKind) async throws {
        // The test charges impressions itself, round by round: the background charge stays out of its way.
        try await withTestApp(kind, configure: { $0.impressionsChargeSeconds = 3600 }) { app in
            // setup: two challenges, the older one to be promoted
            let cause = try await app.verifiedFundraiser()
            let window = { (days: Double) in ISO8601DateFormatter().string(from: Date().addingTimeInterval(days * 86_400)) }
            for (tag, start) in [("Promoted", -2.0), ("Newer", -1.0)] {
                let made = try await app.request(.post, "/api/v1/challenges", json: #"{"hashtag":"\#(tag)","nonprofitId":"\#(cause.nonprofit)","title":"\#(tag)","startsAt":"\#(window(start))","endsAt":"\#(window(5))","branded":true}"#, token: cause.ownerToken)
                #expect(made.status == .created, "\(made.text)")
            }
            let (_, stranger) = try await app.signUp("stranger")
            #expect(try await grant(app, cause.nonprofit, 10, admin: cause.ownerToken).status == .forbidden)
            #expect(try await grant(app, cause.nonprofit, 0, admin: cause.adminToken).status == .unprocessableContent)
            let granted = try await grant(app, cause.nonprofit, 10, admin: cause.adminToken, key: "g-1")
            #expect(granted.status == .created, "\(granted.text)")
            #expect(try await grant(app, cause.nonprofit, 10, admin: cause.adminToken, key: "g-1").text == granted.text)
            #expect(try await balance(app, cause.nonprofit, token: cause.ownerToken) == 10)
            #expect(try await app.request(.get, "/api/v1/nonprofits/\(cause.nonprofit)/ad-credits", token: stranger).status == .forbidden)

            // Promoting costs the budget at once; more than the balance is refused.
            #expect(try await promote(app, cause.nonprofit, hashtag: "Promoted", budget: 11, token: cause.ownerToken).status == .conflict)
            #expect(try await promote(app, cause.nonprofit, hashtag: "Promoted", budget: 3, token: stranger).status == .forbidden)
            let promotion = try await promote(app, cause.nonprofit, hashtag: "Promoted", budget: 3, token: cause.ownerToken)
            #expect(promotion.status == .created, "\(promotion.text)")
            #expect(try await balance(app, cause.nonprofit, token: cause.ownerToken) == 7)

            // act: listings show it first, each viewer an impression an hour (reloading costs nothing)
            var viewers: [String] = []
            for index in 0..<5 { viewers.append(try await app.signUp("viewer\(index)").token) }
            for (round, viewer) in viewers.enumerated() {
                for _ in 0..<3 {
                    let list = try await app.request(.get, "/api/v1/challenges?status=active", token: viewer).json()["items"] as! [[String: Any]]
                    #expect(list.first?["hashtag"] as? String == (round < 3 ? "Promoted" : "Newer"), "round \(round)")
                }
                #expect(await app.services.promotions.charge(await app.services.impressions.take()).isEmpty)
            }
            // check: three impressions paid for, then it stops being promoted
            let listed = try await app.request(.get, "/api/v1/challenges?status=active").json()["items"] as! [[String: Any]]
            #expect(listed.map { $0["hashtag"] as? String } == ["Newer", "Promoted"] && listed[1]["promoted"] as? Bool == false)
            let after = try await app.request(.get, "/api/v1/promotions/\(try promotion.json()["id"] as! String)", token: cause.ownerToken).json()
            #expect(after["spent"] as? Int == 3 && after["impressions"] as? Int == 3)

            // Stopping another promotion early gives its unspent credits back.
            let second = try await promote(app, cause.nonprofit, hashtag: "Newer", budget: 5, token: cause.ownerToken).json()
            #expect(try await balance(app, cause.nonprofit, token: cause.ownerToken) == 2)
            let stopped = try await app.request(.post, "/api/v1/promotions/\(second["id"] as! String)/stop", token: cause.ownerToken).json()
            #expect(stopped["status"] as? String == "stopped")
            #expect(try await balance(app, cause.nonprofit, token: cause.ownerToken) == 7)
        }
    }

    @Test("concurrent promotions never spend more credits than there are", arguments: DatabaseKind.enabled)
    func concurrentSpending(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let cause = try await app.verifiedFundraiser()
            let ends = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
            _ = try await app.request(.post, "/api/v1/challenges", json: #"{"hashtag":"Busy","nonprofitId":"\#(cause.nonprofit)","title":"Busy","startsAt":"\#(ISO8601DateFormatter().string(from: Date()))","endsAt":"\#(ends)","branded":true}"#, token: cause.ownerToken)
            #expect(try await grant(app, cause.nonprofit, 1000, admin: cause.adminToken).status == .created)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<16 { group.addTask { try await promote(app, cause.nonprofit, hashtag: "Busy", budget: 150, token: cause.ownerToken).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 6 && statuses.filter { $0 == .conflict }.count == 10, "\(statuses)")
            #expect(try await balance(app, cause.nonprofit, token: cause.ownerToken) == 100)
        }
    }

    @Test("a promoted live comes first in live discovery and pays per impression", arguments: DatabaseKind.enabled)
    func promotedLive(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind, configure: { $0.impressionsChargeSeconds = 3600 }) { app in
            let cause = try await app.verifiedFundraiser()
            let (_, host) = try await app.signUp("livehost")
            var ids: [String] = []
            for title in ["Older live", "Newer live"] {
                let live = try await app.request(.post, "/api/v1/lives", json: """
                    {"title":"\(title)","playbackUrl":"https://www.youtube.com/embed/abc","fundraiser":{"nonprofitId":"\(cause.nonprofit)","goal":{"amount":50000,"currency":"USD"}}}
                    """, token: host).json()
                ids.append(live["id"] as! String)
            }
            #expect(try await app.request(.post, "/api/v1/lives/\(ids[1])/start", token: host).status == .ok)
            func listed(_ token: String? = nil) async throws -> [(String, Bool)] {
                let items = try await app.request(.get, "/api/v1/lives", token: token).json()["items"] as! [[String: Any]]
                return items.map { (($0["live"] as! [String: Any])["id"] as! String, $0["promoted"] as! Bool) }
            }
            // On now comes first, until the other is promoted.
            #expect(try await listed().map(\.0) == [ids[1], ids[0]])
            #expect(try await grant(app, cause.nonprofit, 2, admin: cause.adminToken).status == .created)
            let ends = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
            let promotion = try await app.request(.post, "/api/v1/nonprofits/\(cause.nonprofit)/promotions", json: #"{"liveId":"\#(ids[0])","budget":2,"endsAt":"\#(ends)"}"#, token: cause.ownerToken)
            #expect(promotion.status == .created, "\(promotion.text)")
            var viewers: [String] = []
            for index in 0..<3 { viewers.append(try await app.signUp("liveviewer\(index)").token) }
            for (round, viewer) in viewers.enumerated() {
                let seen = try await listed(viewer)
                #expect(seen.first?.0 == (round < 2 ? ids[0] : ids[1]) && seen.first?.1 == (round < 2), "round \(round): \(seen)")
                #expect(await app.services.promotions.charge(await app.services.impressions.take()).isEmpty)
            }
            let after = try await app.request(.get, "/api/v1/promotions/\(try promotion.json()["id"] as! String)", token: cause.ownerToken).json()
            #expect(after["spent"] as? Int == 2 && after["impressions"] as? Int == 2)
            #expect(try await app.request(.get, "/api/v1/lives?perPage=0").status == .unprocessableContent)
        }
    }
}
