@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Lives")
struct LiveTests {
    @Test("a live with a fundraiser: created, started, ended by its host; donations go to its fundraiser", arguments: DatabaseKind.enabled)
    func fundraisingLive(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let cause = try await app.verifiedFundraiser()
            let (_, host) = try await app.signUp("livehost")
            let (_, viewer) = try await app.signUp("viewer")
            let created = try await app.request(.post, "/api/v1/lives", json: """
                {"title":"Global Give Back","language":"en","scheduledAt":"2026-11-30T19:00:00Z","playbackUrl":"https://www.youtube.com/embed/abc",
                 "fundraiser":{"nonprofitId":"\(cause.nonprofit)","goal":{"amount":500000,"currency":"USD"}}}
                """, token: host)
            #expect(created.status == .created)
            let live = try created.json()
            let id = live["id"] as! String
            let fundraiser = try #require(live["fundraiserId"] as? String)
            #expect(live["status"] as? String == "scheduled")
            #expect(try await app.request(.post, "/api/v1/lives/\(id)/start", token: viewer).status == .forbidden)
            #expect(try await app.request(.post, "/api/v1/lives/\(id)/start", token: host).json()["status"] as? String == "live")
            #expect(try await app.donate(fundraiser, token: viewer, amount: 2_000).status == .created)
            #expect(money(try await app.fundraiser(fundraiser)["raised"]) == 1_912)
            #expect(try await app.request(.post, "/api/v1/lives/\(id)/end", token: host).json()["status"] as? String == "ended")
            #expect(try await app.request(.post, "/api/v1/lives/\(id)/start", token: host).status == .conflict)
            #expect(try await app.request(.get, "/api/v1/lives/\(id)").json()["playbackUrl"] as? String == "https://www.youtube.com/embed/abc")
        }
    }

    @Test("paid-entry lives hide the stream from non-ticket holders; bad input is refused", arguments: [DatabaseKind.sqlite])
    func ticketsAndInput(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let (_, host) = try await app.signUp("chef.luca")
            let created = try await app.request(.post, "/api/v1/lives", json: #"{"title":"Cooking class","playbackUrl":"https://stream.example.org/live.m3u8","ticket":{"price":{"amount":500,"currency":"EUR"}}}"#, token: host)
            #expect(created.status == .created)
            let id = try created.json()["id"] as! String
            #expect(try created.json()["playbackUrl"] as? String == "https://stream.example.org/live.m3u8")
            #expect(try await app.request(.get, "/api/v1/lives/\(id)").json()["playbackUrl"] == nil)
            #expect(try await app.request(.post, "/api/v1/lives", json: #"{"title":"x","playbackUrl":"http://insecure.example.org/a"}"#, token: host).status == .unprocessableContent)
            #expect(try await app.request(.post, "/api/v1/lives", json: #"{"title":"x","language":"xx"}"#, token: host).status == .unprocessableContent)
            #expect(try await app.request(.post, "/api/v1/lives", json: #"{"title":"x","fundraiser":{"nonprofitId":"\#(UUID())","goal":{"amount":100,"currency":"USD"}}}"#, token: host).status == .unprocessableContent)
            #expect(try await app.request(.post, "/api/v1/lives", json: #"{"title":"x"}"#).status == .unauthorized)
        }
    }
}
