@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Campaigns")
struct CampaignTests {
    @Test("an admin creates #GivingSzn; hosts put lives on its program; it shows what is on now and its total", arguments: DatabaseKind.enabled)
    func campaign(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let cause = try await app.verifiedFundraiser()
            let admin = cause.adminToken
            let (_, host) = try await app.signUp("maya")
            let body = ##"{"slug":"#GivingSzn","title":"#GivingSzn","startsAt":"2026-11-30T00:00:00Z","endsAt":"2026-12-31T23:59:59Z","nonprofitIds":["\##(cause.nonprofit)"]}"##
            #expect(try await app.request(.post, "/api/v1/campaigns", json: body, token: host).status == .forbidden)
            let created = try await app.request(.post, "/api/v1/campaigns", json: body, token: admin)
            #expect(created.status == .created)
            #expect(try created.json()["slug"] as? String == "givingszn")
            #expect(try await app.request(.post, "/api/v1/campaigns", json: body, token: admin).status == .conflict)
            #expect(try await app.request(.post, "/api/v1/campaigns", json: #"{"slug":"a b","title":"x","startsAt":"2026-12-02T00:00:00Z","endsAt":"2026-12-01T00:00:00Z","nonprofitIds":["nope"]}"#, token: admin).status == .unprocessableContent)
            #expect(try await app.request(.get, "/api/v1/campaigns/nothing-here").status == .notFound)
            #expect(try await app.request(.get, "/api/v1/campaigns/%20").status == .notFound)

            // The Global Give Back at 11:00 PT, and a later live; a live without a time cannot join.
            let give = try await app.request(.post, "/api/v1/lives", json: #"{"title":"Global Give Back","scheduledAt":"2026-11-30T19:00:00Z","fundraiser":{"nonprofitId":"\#(cause.nonprofit)","goal":{"amount":100000,"currency":"USD"}}}"#, token: host).json()
            let later = try await app.request(.post, "/api/v1/lives", json: #"{"title":"Dance-off","scheduledAt":"2026-12-21T19:00:00Z"}"#, token: host).json()
            let unscheduled = try await app.request(.post, "/api/v1/lives", json: #"{"title":"Whenever"}"#, token: host).json()
            #expect(try await app.request(.post, "/api/v1/campaigns/givingszn/lives", json: #"{"liveId":"\#(later["id"] as! String)"}"#, token: host).status == .ok)
            #expect(try await app.request(.post, "/api/v1/campaigns/givingszn/lives", json: #"{"liveId":"\#(give["id"] as! String)"}"#, token: host).status == .ok)
            #expect(try await app.request(.post, "/api/v1/campaigns/givingszn/lives", json: #"{"liveId":"\#(give["id"] as! String)"}"#, token: host).status == .ok)
            #expect(try await app.request(.post, "/api/v1/campaigns/givingszn/lives", json: #"{"liveId":"\#(unscheduled["id"] as! String)"}"#, token: host).status == .unprocessableContent)
            let (_, stranger) = try await app.signUp("stranger")
            #expect(try await app.request(.post, "/api/v1/campaigns/givingszn/lives", json: #"{"liveId":"\#(later["id"] as! String)"}"#, token: stranger).status == .forbidden)

            // A gift to the live's fundraiser counts in the campaign's total, from the ledger.
            let (_, donor) = try await app.signUp("fan")
            _ = try await app.donate(give["fundraiserId"] as! String, token: donor, amount: 5_000)
            #expect(try await app.request(.post, "/api/v1/lives/\(give["id"] as! String)/start", token: host).status == .ok)
            let campaign = try await app.request(.get, "/api/v1/campaigns/GivingSzn").json()
            let program = campaign["program"] as! [[String: Any]]
            #expect(program.map { $0["title"] as? String } == ["Global Give Back", "Dance-off"])
            #expect((campaign["onNow"] as! [[String: Any]]).map { $0["title"] as? String } == ["Global Give Back"])
            let raised = campaign["raised"] as! [[String: Any]]
            #expect(raised.count == 1 && raised[0]["currency"] as? String == "USD")
            #expect((raised[0]["amount"] as? NSNumber)?.int64Value == money(try await app.fundraiser(give["fundraiserId"] as! String)["raised"]))
            #expect((campaign["nonprofits"] as! [[String: Any]]).count == 1)

            // The page shows the program with machine-readable times for the viewer's zone.
            let page = try await app.request(.get, "/campaigns/givingszn")
            #expect(page.status == .ok)
            #expect(page.text.contains(#"datetime="2026-11-30T19:00:00Z""#) && page.text.contains("Global Give Back"))
        }
    }
}
