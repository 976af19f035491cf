@testable import App
import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import Testing
import WSClient

@Suite("Live donor feed")
struct FeedTests {
    /// A live with a fundraiser; returns the live's id, the fundraiser's and the host's token.
    func fundraisingLive(_ app: TestHarness, goal: Int64 = 100_000) async throws -> (live: String, fundraiser: String, host: String) {
        let cause = try await app.verifiedFundraiser()
        let (_, host) = try await app.signUp("host")
        let live = try await app.request(.post, "/api/v1/lives", json: #"{"title":"Give Back","fundraiser":{"nonprofitId":"\#(cause.nonprofit)","goal":{"amount":\#(goal),"currency":"USD"}}}"#, token: host).json()
        return (live["id"] as! String, live["fundraiserId"] as! String, host)
    }

    func items(_ app: TestHarness, _ live: String, after: Int = 0, token: String? = nil) async throws -> [[String: Any]] {
        try await app.request(.get, "/api/v1/lives/\(live)/feed?after=\(after)", token: token).json()["items"] as! [[String: Any]]
    }

    @Test("each gift is followed by the ledger's total; resuming after a seq gives exactly the missed events", arguments: DatabaseKind.enabled)
    func resume(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let (live, fundraiser, _) = try await fundraisingLive(app)
            let (_, donor) = try await app.signUp("fan")
            _ = try await app.donate(fundraiser, token: donor, amount: 1_000, extra: #","message":"first""#)
            _ = try await app.donate(fundraiser, token: donor, amount: 2_000, extra: #","visibility":"anonymous""#)
            _ = try await app.donate(fundraiser, token: donor, amount: 3_000, extra: #","visibility":"hide-amount""#)
            let all = try await items(app, live)
            #expect(all.map { $0["seq"] as? Int } == [1, 2, 3, 4, 5, 6])
            #expect(all.map { $0["kind"] as? String } == ["donation", "total", "donation", "total", "donation", "total"])
            let gifts = all.filter { $0["kind"] as? String == "donation" }.map { $0["data"] as! [String: Any] }
            #expect(gifts[0]["donor"] as? String == "fan" && gifts[0]["amount"] as? Int == 1_000 && gifts[0]["message"] as? String == "first")
            #expect(gifts[1]["donor"] as? String == "Anonymous" && gifts[1]["amount"] as? Int == 2_000)
            #expect(gifts[2]["donor"] as? String == "fan" && gifts[2]["amount"] == nil)
            // The last total is the ledger's net raised, as the fundraiser reports it.
            let total = all[5]["data"] as! [String: Any]
            let summary = try await app.fundraiser(fundraiser)
            #expect(total["raised"] as? Int64 == money(summary["raised"]))
            #expect(total["donors"] as? Int == 1 && total["goal"] as? Int == 100_000)
            let missed = try await items(app, live, after: 2)
            #expect(missed.map { $0["seq"] as? Int } == [3, 4, 5, 6])
            #expect(try await app.request(.get, "/api/v1/lives/\(live)/feed?after=-1").status == .unprocessableContent)
            #expect(try await app.request(.get, "/api/v1/lives/\(UUID())/feed").status == .notFound)
        }
    }

    @Test("live started and ended, goal reached once, refunds: each an event with its change", arguments: DatabaseKind.enabled)
    func lifecycle(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let (live, fundraiser, host) = try await fundraisingLive(app, goal: 1_500)
            let (_, donor) = try await app.signUp("fan")
            #expect(try await app.request(.post, "/api/v1/lives/\(live)/start", token: host).status == .ok)
            #expect(try await app.request(.post, "/api/v1/lives/\(live)/start", token: host).status == .ok)
            let first = try await app.donate(fundraiser, token: donor, amount: 2_000).json()
            _ = try await app.donate(fundraiser, token: donor, amount: 1_000)
            let cause = try await app.request(.get, "/api/v1/fundraisers/\(fundraiser)").json()
            _ = cause
            // The owner of the nonprofit refunds part of the first gift.
            let owner = try await app.request(.post, "/api/v1/sessions", json: #"{"handle":"rednoseday","password":"correct horse battery"}"#).json()["token"] as! String
            let refund = try await app.request(.post, "/api/v1/donations/\(first["id"] as! String)/refunds", json: #"{"amount":{"amount":500,"currency":"USD"}}"#,
                                               token: owner, headers: [.init("Idempotency-Key")!: "r1"])
            #expect(refund.status == .created)
            #expect(try await app.request(.post, "/api/v1/lives/\(live)/end", token: host).status == .ok)
            let kinds = try await items(app, live).map { $0["kind"] as! String }
            #expect(kinds == ["live_started", "donation", "total", "goal_reached", "donation", "total", "refund", "total", "live_ended"])
            let all = try await items(app, live)
            let lastTotal = all[7]["data"] as! [String: Any]
            #expect(lastTotal["raised"] as? Int64 == money(try await app.fundraiser(fundraiser)["raised"]))
            let refunded = all[6]["data"] as! [String: Any]
            #expect(refunded["amount"] as? Int64 == 500 && refunded["currency"] as? String == "USD")

            // A gift whose donor hid its amount: its refund does not show the amount either.
            let hidden = try await app.donate(fundraiser, token: donor, amount: 3_700, extra: #","visibility":"hide-amount""#).json()
            let hiddenRefund = try await app.request(.post, "/api/v1/donations/\(hidden["id"] as! String)/refunds", json: "{}",
                                                     token: owner, headers: [.init("Idempotency-Key")!: "r2"])
            #expect(hiddenRefund.status == .created, "\(hiddenRefund.text)")
            let events = try await items(app, live, after: 8)
            let gift = try #require(events.first { $0["kind"] as? String == "donation" }?["data"] as? [String: Any])
            let back = try #require(events.first { $0["kind"] as? String == "refund" }?["data"] as? [String: Any])
            #expect(gift["amount"] == nil && back["amount"] == nil && back["currency"] == nil, "\(gift) \(back)")
            #expect(back["donationId"] as? String == (hidden["id"] as! String).lowercased())
        }
    }

    @Test("a dispute moves the live's total: taken when it opens, given back when it is won", arguments: DatabaseKind.enabled)
    func disputeTotals(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let (live, fundraiser, host) = try await fundraisingLive(app)
            let (_, donor) = try await app.signUp("fan")
            #expect(try await app.request(.post, "/api/v1/lives/\(live)/start", token: host).status == .ok)
            _ = try await app.donate(fundraiser, token: donor, amount: 2_000)
            let intent = try #require(await app.bank.intents.values.first)
            let before = try await items(app, live).count
            #expect(try await app.postWebhook("charge.dispute.created", SandboxBank.disputeWire(intent, status: "needs_response"), id: "evt_open").status == .ok)
            #expect(try await app.postWebhook("charge.dispute.closed", SandboxBank.disputeWire(intent, status: "won"), id: "evt_won").status == .ok)
            let added = try await items(app, live, after: before)
            #expect(added.map { $0["kind"] as? String } == ["total", "total"], "\(added)")
            let raised = added.compactMap { ($0["data"] as? [String: Any])?["raised"] as? Int64 }
            #expect(raised == [-88, 1_912], "the gift taken (its fee stays spent), then given back")
            #expect(raised.last == money(try await app.fundraiser(fundraiser)["raised"]))
        }
    }

    @Test("the host thanks a donor and everyone, and hides a message everywhere; others may not", arguments: DatabaseKind.enabled)
    func hostTools(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let (live, fundraiser, host) = try await fundraisingLive(app)
            let (_, donor) = try await app.signUp("fan")
            let gift = try await app.donate(fundraiser, token: donor, amount: 1_000, extra: #","message":"rude words""#).json()
            let giftID = gift["id"] as! String
            let thanked = try await app.request(.post, "/api/v1/lives/\(live)/thanks", json: #"{"donationId":"\#(giftID)","message":"Thank you!"}"#, token: host)
            #expect(thanked.status == .created)
            #expect(try await app.request(.post, "/api/v1/lives/\(live)/thanks", json: #"{"message":"Thanks, everyone"}"#, token: host).status == .created)
            #expect(try await app.request(.post, "/api/v1/lives/\(live)/thanks", json: #"{}"#, token: donor).status == .forbidden)
            #expect(try await app.request(.post, "/api/v1/lives/\(live)/thanks", json: #"{"donationId":"\#(UUID())"}"#, token: host).status == .notFound)
            #expect(try await app.request(.post, "/api/v1/lives/\(live)/thanks", json: #"{"donationId":"nope"}"#, token: host).status == .unprocessableContent)
            #expect(try await app.request(.post, "/api/v1/lives/\(live)/donations/\(giftID)/hide", token: donor).status == .forbidden)
            #expect(try await app.request(.post, "/api/v1/lives/\(live)/donations/\(giftID)/hide", token: host).status == .noContent)
            #expect(try await app.request(.post, "/api/v1/lives/\(live)/donations/\(giftID)/hide", token: host).status == .noContent)
            let all = try await items(app, live)
            #expect(all.map { $0["kind"] as! String } == ["donation", "total", "thanks", "thanks", "message_hidden"])
            let thanks = all[2]["data"] as! [String: Any]
            #expect(thanks["donor"] as? String == "fan" && thanks["message"] as? String == "Thank you!" && (thanks["donationId"] as? String)?.lowercased() == giftID.lowercased())
            #expect((all[3]["data"] as! [String: Any])["everyone"] as? String == "true")
            // The message is gone from the log, the fundraiser and the host's list.
            #expect((all[0]["data"] as! [String: Any])["message"] == nil)
            let recent = try await app.fundraiser(fundraiser)["recentDonations"] as! [[String: Any]]
            #expect(recent.first?["message"] == nil)
            let supporters = try await app.request(.get, "/api/v1/lives/\(live)/supporters", token: host).json()["items"] as! [[String: Any]]
            #expect(supporters.count == 1 && supporters[0]["messageHidden"] as? Bool == true && supporters[0]["donor"] as? String == "fan")
            #expect(try await app.request(.get, "/api/v1/lives/\(live)/supporters", token: donor).status == .forbidden)
        }
    }

    @Test("a paid-entry live's feed is for the host, ticket holders and the overlay's key", arguments: [DatabaseKind.sqlite])
    func paidFeed(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let (_, host) = try await app.signUp("chef")
            let (_, viewer) = try await app.signUp("viewer")
            let live = try await app.request(.post, "/api/v1/lives", json: #"{"title":"Cooking class","playbackUrl":"https://video.example/live.m3u8","ticket":{"price":{"amount":500,"currency":"USD"}}}"#, token: host).json()
            let id = live["id"] as! String
            #expect(try await app.request(.get, "/api/v1/lives/\(id)/feed").status == .unauthorized)
            #expect(try await app.request(.get, "/api/v1/lives/\(id)/feed", token: viewer).status == .forbidden)
            #expect(try await app.request(.get, "/api/v1/lives/\(id)/feed", token: host).status == .ok)
            let overlay = try await app.request(.get, "/api/v1/lives/\(id)/overlay", token: host).json()
            let url = overlay["url"] as! String
            let key = String(url.split(separator: "=").last!)
            #expect(try await app.request(.get, "/api/v1/lives/\(id)/feed?key=\(key)").status == .ok)
            #expect(try await app.request(.get, "/api/v1/lives/\(id)/feed?key=wrong").status == .unauthorized)
            // The live's own feed carries its events even without a fundraiser.
            #expect(try await app.request(.post, "/api/v1/lives/\(id)/start", token: host).status == .ok)
            #expect(try await items(app, id, token: host).map { $0["kind"] as! String } == ["live_started"])
            #expect(try await app.request(.get, "/api/v1/lives/\(id)/overlay", token: viewer).status == .forbidden)
            let updated = try await app.request(.put, "/api/v1/lives/\(id)/overlay", json: #"{"minAmount":500,"showAmounts":false,"rotateKey":true}"#, token: host).json()
            #expect(updated["minAmount"] as? Int == 500 && updated["showAmounts"] as? Bool == false && updated["url"] as? String != url)
            #expect(try await app.request(.get, "/api/v1/lives/\(id)/feed?key=\(key)").status == .unauthorized)
        }
    }

    @Test("Server-Sent Events over real HTTP: the missed events, then new ones as they happen", arguments: [DatabaseKind.sqlite])
    func serverSentEvents(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind, .live) { app in
            let (live, fundraiser, _) = try await fundraisingLive(app)
            let (_, donor) = try await app.signUp("streamer")
            _ = try await app.donate(fundraiser, token: donor, amount: 1_000)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(app.client.port!)/api/v1/lives/\(live)/feed?after=0")
            request.headers.add(name: "Accept", value: "text/event-stream")
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
            let response = try await client.execute(request, timeout: .seconds(10))
            #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
            var text = ""
            var donated = false
            for try await chunk in response.body {
                text += String(buffer: chunk)
                if !donated && text.contains("id: 2\n") {
                    donated = true
                    _ = try await app.donate(fundraiser, token: donor, amount: 2_000)
                }
                if text.contains("id: 4\n") { break }
            }
            #expect(text.contains("id: 1\nevent: donation\n"))
            #expect(text.contains("id: 2\nevent: total\n"))
            #expect(text.contains("id: 3\nevent: donation\n"))
            #expect(text.contains("id: 4\nevent: total\n"))
            #expect(text.components(separatedBy: "id: 1\n").count == 2, "no duplicate")
            try await client.shutdown()
        }
    }

    @Test("WebSocket: the backlog after `after`, then each new event once, in order, woken by the commit", arguments: DatabaseKind.enabled)
    func webSocket(_ kind: DatabaseKind) async throws {
        // Polling is off (an hour): a new gift can only arrive because its commit woke the broadcaster.
        try await withTestApp(kind, .live, configure: { $0.feedPollMilliseconds = 3_600_000 }) { app in
            let (live, fundraiser, _) = try await fundraisingLive(app)
            let (_, donor) = try await app.signUp("fan")
            _ = try await app.donate(fundraiser, token: donor, amount: 1_000)
            _ = try await app.donate(fundraiser, token: donor, amount: 1_500)
            let received = Received()
            try await withThrowingTaskGroup(of: Void.self) { group in
              group.addTask {
                try await Task.sleep(for: .seconds(60))
                throw TestFailure("no event arrived: the commit did not wake the broadcaster (seen: \(await received.seqs))")
              }
              group.addTask {
                try await app.client.ws("/api/v1/lives/\(live)/feed?after=2") { inbound, outbound, _ in
                var donated = false
                for try await message in inbound.messages(maxSize: 1 << 16) {
                    guard case .text(let text) = message else { continue }
                    let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
                    guard let seq = json["seq"] as? Int else { continue }
                    await received.add(seq)
                    if seq == 4 && !donated {
                        donated = true
                        _ = try await app.donate(fundraiser, token: donor, amount: 2_000)
                    }
                    if seq == 6 { break }
                }
                try await outbound.close(.normalClosure, reason: nil)
                }
              }
              try await group.next()
              group.cancelAll()
            }
            #expect(await received.seqs == [3, 4, 5, 6])
            // The viewer left: no broadcaster is kept for it.
            #expect(try await app.eventually { app.services.feedHub.viewers.isEmpty })
        }
    }
}

actor Received {
    var seqs: [Int] = []
    func add(_ seq: Int) { seqs.append(seq) }
}
