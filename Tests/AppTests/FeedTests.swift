@testable import App
import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Live donor feed")
struct FeedTests {
    /// A live with a fundraiser; returns the live's id and the fundraiser's.
    func fundraisingLive(_ app: TestHarness) async throws -> (live: String, fundraiser: String) {
        let cause = try await app.verifiedFundraiser()
        let (_, host) = try await app.signUp("host")
        let live = try await app.request(.post, "/api/v1/lives", json: #"{"title":"Give Back","fundraiser":{"nonprofitId":"\#(cause.nonprofit)","goal":{"amount":100000,"currency":"USD"}}}"#, token: host).json()
        return (live["id"] as! String, live["fundraiserId"] as! String)
    }

    @Test("events are numbered in order; resuming after a seq gives exactly the missed ones", arguments: DatabaseKind.enabled)
    func resume(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let (live, fundraiser) = try await fundraisingLive(app)
            let (_, donor) = try await app.signUp("fan")
            _ = try await app.donate(fundraiser, token: donor, amount: 1_000, extra: #","message":"first""#)
            _ = try await app.donate(fundraiser, token: donor, amount: 2_000, extra: #","visibility":"anonymous""#)
            _ = try await app.donate(fundraiser, token: donor, amount: 3_000, extra: #","visibility":"hide-amount""#)
            let all = try await app.request(.get, "/api/v1/lives/\(live)/feed?after=0").json()["items"] as! [[String: Any]]
            #expect(all.map { $0["seq"] as? Int } == [1, 2, 3])
            let data = all.map { $0["data"] as! [String: Any] }
            #expect(data[0]["donor"] as? String == "fan" && data[0]["amount"] as? Int == 1_000 && data[0]["message"] as? String == "first")
            #expect(data[1]["donor"] as? String == "Anonymous" && data[1]["amount"] as? Int == 2_000)
            #expect(data[2]["donor"] as? String == "fan" && data[2]["amount"] == nil)
            let missed = try await app.request(.get, "/api/v1/lives/\(live)/feed?after=1").json()["items"] as! [[String: Any]]
            #expect(missed.map { $0["seq"] as? Int } == [2, 3])
            #expect(try await app.request(.get, "/api/v1/lives/\(live)/feed?after=-1").status == .unprocessableContent)
        }
    }

    @Test("Server-Sent Events over real HTTP: the missed events, then new ones as they happen", arguments: [DatabaseKind.sqlite])
    func serverSentEvents(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind, .live) { app in
            let (live, fundraiser) = try await fundraisingLive(app)
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
                if !donated && text.contains("id: 1\n") {
                    donated = true
                    _ = try await app.donate(fundraiser, token: donor, amount: 2_000)
                }
                if text.contains("id: 2\n") { break }
            }
            #expect(text.contains("id: 1\nevent: donation\n"))
            #expect(text.contains("id: 2\nevent: donation\n"))
            #expect(text.components(separatedBy: "id: 1\n").count == 2, "no duplicate")
            // Closing the connection ends the stream on the server (its next write fails).
            try await client.shutdown()
        }
    }
}
