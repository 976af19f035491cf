@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Platform giving programs")
struct ProgramTests {
    @Test("a program grants to nonprofits and on behalf of creators, never beyond its budget; unchosen shares return or go to a default", arguments: DatabaseKind.enabled)
    func program(_ kind: DatabaseKind) async throws {
        let clock = ShiftableClock()
        try await withTestApp(kind, clock: clock.appClock) { app in
            // setup
            let cause = try await app.verifiedFundraiser()
            let (_, maya) = try await app.signUp("maya")
            let (_, luca) = try await app.signUp("luca")
            let admin = cause.adminToken
            let deadline = ISO8601DateFormatter().string(from: clock.appClock.now().addingTimeInterval(7 * 86_400))
            let body = #"{"slug":"creators-for-good","title":"Creators for good","budget":{"amount":10000,"currency":"USD"},"creatorDeadline":"\#(deadline)","unchosen":"return"}"#
            #expect(try await app.request(.post, "/api/v1/admin/programs", json: body, token: maya).status == .forbidden)
            let created = try await app.request(.post, "/api/v1/admin/programs", json: body, token: admin)
            #expect(created.status == .created, "\(created.text)")
            #expect(try await app.request(.post, "/api/v1/admin/programs", json: body, token: admin).status == .conflict)

            // act: a direct grant (idempotent), two creators invited, one chooses
            func grant(_ amount: Int, key: String) async throws -> TestHarness.Reply {
                try await app.request(.post, "/api/v1/admin/programs/creators-for-good/grants", json: #"{"nonprofitId":"\#(cause.nonprofit)","amount":\#(amount)}"#,
                                      token: admin, headers: [.init("Idempotency-Key")!: key])
            }
            #expect(try await grant(6000, key: "g-1").status == .created)
            #expect(try await grant(6000, key: "g-1").status == .created)
            #expect(try await grant(6000, key: "g-2").status == .conflict)
            for (handle, amount) in [("maya", 1500), ("luca", 1500)] {
                let invited = try await app.request(.post, "/api/v1/admin/programs/creators-for-good/invitations", json: #"{"handle":"\#(handle)","amount":\#(amount)}"#, token: admin)
                #expect(invited.status == .created, "\(invited.text)")
            }
            #expect(try await app.request(.post, "/api/v1/admin/programs/creators-for-good/invitations", json: #"{"handle":"maya","amount":1}"#, token: admin).status == .conflict)
            #expect(try await grant(1001, key: "g-3").status == .conflict)
            #expect(try await app.request(.post, "/api/v1/programs/creators-for-good/choice", json: #"{"nonprofitId":"\#(UUID())"}"#, token: maya).status == .unprocessableContent)
            let chose = try await app.request(.post, "/api/v1/programs/creators-for-good/choice", json: #"{"nonprofitId":"\#(cause.nonprofit)"}"#, token: maya)
            #expect(chose.status == .ok, "\(chose.text)")
            #expect(try chose.json()["status"] as? String == "given")
            #expect(try await app.request(.post, "/api/v1/programs/creators-for-good/choice", json: #"{"nonprofitId":"\#(cause.nonprofit)"}"#, token: maya).status == .conflict)
            #expect(try await app.request(.post, "/api/v1/programs/creators-for-good/choice", json: #"{"nonprofitId":"\#(cause.nonprofit)"}"#, token: cause.ownerToken).status == .forbidden)
            #expect(try await app.request(.get, "/api/v1/me/program-invitations", token: luca).json()["items"] as? [[String: Any]] != nil)

            // check: the public page says where the money went
            var shown = try await app.request(.get, "/api/v1/programs/creators-for-good").json()
            #expect(money(shown["granted"]) == 7500 && money(shown["offeredToCreators"]) == 1500 && money(shown["unassigned"]) == 1000)
            let grants = shown["grants"] as! [[String: Any]]
            #expect(grants.count == 2 && grants.contains { $0["onBehalfOf"] as? String == "maya" })

            // Closing: only after the deadline; luca's unchosen share and the rest go back.
            #expect(try await app.request(.post, "/api/v1/admin/programs/creators-for-good/close", token: admin).status == .conflict)
            clock.advance(8 * 86_400)
            #expect(try await app.request(.post, "/api/v1/programs/creators-for-good/choice", json: #"{"nonprofitId":"\#(cause.nonprofit)"}"#, token: luca).status == .conflict)
            shown = try await app.request(.post, "/api/v1/admin/programs/creators-for-good/close", token: admin).json()
            #expect(shown["status"] as? String == "closed" && money(shown["granted"]) == 7500 && money(shown["unassigned"]) == 0)
            #expect(try await app.request(.post, "/api/v1/admin/programs/creators-for-good/close", token: admin).json()["status"] as? String == "closed")
        }
    }

    @Test("concurrent grants never take a program below zero", arguments: DatabaseKind.enabled)
    func concurrentGrants(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let cause = try await app.verifiedFundraiser()
            let deadline = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
            #expect(try await app.request(.post, "/api/v1/admin/programs", json: #"{"slug":"seven-million","title":"$7M","budget":{"amount":1000,"currency":"USD"},"creatorDeadline":"\#(deadline)"}"#, token: cause.adminToken).status == .created)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        try await app.request(.post, "/api/v1/admin/programs/seven-million/grants", json: #"{"nonprofitId":"\#(cause.nonprofit)","amount":300}"#,
                                              token: cause.adminToken, headers: [.init("Idempotency-Key")!: "c-\(index)"]).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 3, "\(statuses)")
            #expect(money(try await app.request(.get, "/api/v1/programs/seven-million").json()["unassigned"]) == 100)
        }
    }
}
