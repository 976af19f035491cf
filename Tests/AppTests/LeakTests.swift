@testable import App
import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// What donors keep to themselves stays theirs: after an anonymous gift, a gift with its amount
/// hidden and a public one, no public or stranger-visible answer (API, live feed over SSE, pages)
/// holds a donor's email, the payment token, the hidden amount or the anonymous donor's name.
@Suite("No leaks of donors' private data")
struct LeakTests {
    /// A donor with a name and an email that occur nowhere else.
    struct Donor {
        let handle: String
        let displayName: String
        let email: String
        let token: String
    }

    func donor(_ app: TestHarness, _ handle: String, _ displayName: String, _ email: String) async throws -> Donor {
        let created = try await app.request(.post, "/api/v1/accounts", json: #"{"handle":"\#(handle)","email":"\#(email)","password":"correct horse battery","displayName":"\#(displayName)"}"#)
        guard created.status == .created else { throw TestFailure("sign-up: \(created.status) \(created.text)") }
        let session = try await app.request(.post, "/api/v1/sessions", json: #"{"handle":"\#(handle)","password":"correct horse battery"}"#)
        return Donor(handle: handle, displayName: displayName, email: email, token: try session.json()["token"] as! String)
    }

    func id(_ reply: TestHarness.Reply, _ key: String = "id") throws -> String {
        guard (200..<300).contains(reply.status.code), let id = try reply.json()[key] as? String else { throw TestFailure("\(reply.status) \(reply.text.prefix(300))") }
        return id
    }

    /// The live's feed as Server-Sent Events from `after=0`, read until the event `last` arrives.
    /// The client's read timeout ends the stream if it stalls (a stream never ends on its own).
    func serverSentEvents(_ app: TestHarness, live: String, until last: Int) async throws -> String {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(app.client.port!)/api/v1/lives/\(live)/feed?after=0")
        request.headers.add(name: "Accept", value: "text/event-stream")
        let configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: .seconds(5)))
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        var text = ""
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            guard response.headers.first(name: "Content-Type") == "text/event-stream" else { throw TestFailure("not an event stream: \(response.status)") }
            for try await chunk in response.body {
                text += String(buffer: chunk)
                if text.contains("id: \(last)\n") { break }
            }
        } catch {
            try? await client.shutdown()
            throw TestFailure("the event stream stopped before event \(last) (\(error)): \(text.suffix(500))")
        }
        try await client.shutdown()
        return text
    }

    @Test("anonymous and hide-amount gifts: no email, payment token, hidden amount or anonymous donor's name leaks", arguments: [DatabaseKind.sqlite])
    func noLeaks(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind, .live) { app in
            // setup: a nonprofit with a member, a host's fundraising live on a campaign, a challenge
            let cause = try await app.verifiedFundraiser()
            let (_, member) = try await app.signUp("np.member")
            #expect(try await app.request(.post, "/api/v1/nonprofits/\(cause.nonprofit)/members", json: #"{"handle":"np.member"}"#, token: cause.ownerToken).status == .created)
            let (_, host) = try await app.signUp("host.maya")
            let (_, stranger) = try await app.signUp("stranger")
            let live = try await app.request(.post, "/api/v1/lives", json: """
                {"title":"Global Give Back","scheduledAt":"2030-11-30T19:00:00Z","fundraiser":{"nonprofitId":"\(cause.nonprofit)","goal":{"amount":500000,"currency":"USD"}}}
                """, token: host)
            let liveID = try id(live)
            let liveFundraiser = try id(live, "fundraiserId")
            #expect(try await app.request(.post, "/api/v1/campaigns", json: """
                {"slug":"leakcheck","title":"Leak check","startsAt":"2030-11-01T00:00:00Z","endsAt":"2030-12-31T00:00:00Z","nonprofitIds":["\(cause.nonprofit)"]}
                """, token: cause.adminToken).status == .created)
            #expect(try await app.request(.post, "/api/v1/campaigns/leakcheck/lives", json: #"{"liveId":"\#(liveID)"}"#, token: host).status == .ok)
            let iso = { (days: Double) in ISO8601DateFormatter().string(from: Date().addingTimeInterval(days * 86_400)) }
            #expect(try await app.request(.post, "/api/v1/challenges", json: """
                {"hashtag":"#LeakDay","nonprofitId":"\(cause.nonprofit)","title":"Leak Day","startsAt":"\(iso(-0.05))","endsAt":"\(iso(2))","branded":true}
                """, token: cause.ownerToken).status == .created)
            #expect(try await app.request(.post, "/api/v1/lives/\(liveID)/start", token: host).status == .ok)

            // act: an anonymous gift, a gift with its amount hidden, a public one; on the live and on the nonprofit's fundraiser
            let anonymous = try await donor(app, "ziggy.anon", "Ziggy Stardust", "ziggy.private@mailbox.example")
            let hider = try await donor(app, "hilda.hidden", "Hilda Quietly", "hilda.private@mailbox.example")
            let open = try await donor(app, "pat.public", "Pat Public", "pat.private@mailbox.example")
            let hiddenAmount: Int64 = 17_777
            var gifts: [String: String] = [:]
            for fundraiser in [liveFundraiser, cause.fundraiser] {
                let anonymousGift = try await app.donate(fundraiser, token: anonymous.token, amount: 2_345, extra: #","visibility":"anonymous","message":"From a secret fan""#)
                let hiddenGift = try await app.donate(fundraiser, token: hider.token, amount: hiddenAmount, extra: #","visibility":"hide-amount","message":"Keep going""#)
                let publicGift = try await app.donate(fundraiser, token: open.token, amount: 1_000, extra: #","visibility":"public""#)
                #expect([anonymousGift, hiddenGift, publicGift].allSatisfy { $0.status == .created })
                if fundraiser == liveFundraiser {
                    gifts = ["anonymous": try id(anonymousGift), "hidden": try id(hiddenGift)]
                }
            }
            // The anonymous donor shares a story with the gift's sticker; the hider pledges on the challenge.
            let stickers = try await app.request(.get, "/api/v1/me/stickers", token: anonymous.token).json()["items"] as! [[String: Any]]
            let sticker = try #require(stickers.first { $0["donationId"] as? String == gifts["anonymous"] }?["id"] as? String)
            let story = try id(try await app.postStory(try Samples.bytes("story.jpg"), stickers: #"[{"stickerId":"\#(sticker)","x":0.5,"y":0.8,"scale":1,"rotation":0}]"#, token: anonymous.token))
            #expect(try await app.request(.post, "/api/v1/challenges/LeakDay/pledges", json: #"{"perVideo":{"amount":1,"currency":"USD"},"budget":{"amount":100,"currency":"USD"},"paymentToken":"tok_visa"}"#,
                                          token: hider.token, headers: [.init("Idempotency-Key")!: UUID().uuidString]).status == .created)
            // A stranger follows the anonymous donor: their stories feed must not tie the story to them either.
            _ = try await app.request(.post, "/api/v1/accounts/ziggy.anon/follow", token: stranger)

            // check: everything the public and a stranger can fetch
            var publicTexts: [(String, String)] = []
            let publicPaths = [
                "/api/v1/fundraisers/\(liveFundraiser)", "/api/v1/fundraisers/\(cause.fundraiser)", "/api/v1/lives/\(liveID)",
                "/api/v1/lives/\(liveID)/feed?after=0", "/api/v1/campaigns/leakcheck", "/api/v1/challenges/LeakDay", "/api/v1/challenges",
                "/api/v1/challenges/LeakDay/videos", "/api/v1/fundraisers/\(liveFundraiser)/story", "/api/v1/fundraisers/\(cause.fundraiser)/story",
                "/api/v1/campaigns/leakcheck/story", "/api/v1/stories/\(story)", "/api/v1/accounts/ziggy.anon/stories",
                "/api/v1/nonprofits/\(cause.nonprofit)", "/api/v1/nonprofits",
                // Pages.
                "/fundraisers/\(liveFundraiser)", "/fundraisers/\(cause.fundraiser)", "/lives/\(liveID)", "/campaigns/leakcheck",
                "/challenges/LeakDay", "/fundraisers/\(liveFundraiser)/story", "/campaigns/leakcheck/story", "/stories/\(story)",
                "/nonprofits/\(cause.nonprofit)",
            ]
            for path in publicPaths {
                for (who, token) in [("anonymous", String?.none), ("stranger", stranger)] {
                    let reply = try await app.request(.get, path, token: path.hasPrefix("/api/") ? token : nil)
                    #expect(reply.status == .ok, "\(path) as \(who): \(reply.status)")
                    publicTexts.append(("\(path) as \(who)", reply.text))
                }
            }
            publicTexts.append(("/api/v1/me/stories/feed as a follower", try await app.request(.get, "/api/v1/me/stories/feed", token: stranger).text))
            // The host's own dashboard follows the donors' choices too.
            let supporters = try await app.request(.get, "/api/v1/lives/\(liveID)/supporters", token: host)
            #expect(supporters.status == .ok)
            publicTexts.append(("supporters as the host", supporters.text))
            // The live feed over Server-Sent Events, from the start.
            let last = try await app.request(.get, "/api/v1/lives/\(liveID)/feed?after=0").json()["next"] as! Int
            #expect(last >= 4)
            publicTexts.append(("the feed over SSE", try await serverSentEvents(app, live: liveID, until: last)))
            // A stranger cannot read someone else's donation or its receipt at all.
            for gift in gifts.values {
                for path in ["/api/v1/donations/\(gift)", "/api/v1/donations/\(gift)/receipt"] {
                    let reply = try await app.request(.get, path, token: stranger)
                    #expect(reply.status == .notFound || reply.status == .forbidden, "\(path) as a stranger: \(reply.status)")
                    publicTexts.append(("\(path) as a stranger", reply.text))
                }
            }

            let emails = [anonymous.email, hider.email, open.email]
            let anonymousNames = [anonymous.handle, anonymous.displayName]
            for (label, text) in publicTexts {
                for email in emails { #expect(!text.contains(email), "\(label) holds the donor's email \(email)") }
                #expect(!text.contains("tok_"), "\(label) holds a payment token")
                for name in anonymousNames { #expect(!text.contains(name), "\(label) names the anonymous donor (\(name))") }
                #expect(!Self.holdsAmount(text, hiddenAmount), "\(label) holds the hidden amount")
            }
            // The checks look at real answers: the gifts show as their donors chose.
            #expect(publicTexts.contains { $0.1.contains("Pat Public") && $0.1.contains("10.00") })
            #expect(publicTexts.contains { $0.1.contains("Anonymous") && $0.1.contains("23.45") })
            #expect(publicTexts.contains { $0.1.contains("Hilda Quietly") })
            #expect(publicTexts.contains { $0.0 == "the feed over SSE" && $0.1.contains("event: donation\n") && $0.1.contains("Anonymous") })

            // The nonprofit's team sees its donations (amounts included) but no email or payment token.
            for gift in gifts.values {
                for path in ["/api/v1/donations/\(gift)", "/api/v1/donations/\(gift)/receipt"] {
                    let reply = try await app.request(.get, path, token: member)
                    #expect(reply.status == .ok, "\(path) as a member: \(reply.status)")
                    for email in emails { #expect(!reply.text.contains(email), "\(path) as a member holds \(email)") }
                    #expect(!reply.text.contains("tok_"), "\(path) as a member holds a payment token")
                    #expect(!reply.text.contains(anonymous.handle), "\(path) as a member holds the anonymous donor's handle")
                }
            }
            // The amount check finds an amount where there is one (the team sees the hidden amount).
            #expect(Self.holdsAmount(try await app.request(.get, "/api/v1/donations/\(gifts["hidden"]!)", token: member).text, hiddenAmount))
        }
    }

    /// Whether `text` shows `amount` (minor units) as a JSON number or as money text ("177.77", "177,77").
    static func holdsAmount(_ text: String, _ amount: Int64) -> Bool {
        let major = "\(amount / 100)", minor = String(format: "%02d", Int(amount % 100))
        for pattern in ["(?<![0-9A-Za-z.,])\(amount)(?![0-9])", "(?<![0-9])\(major)[.,]\(minor)(?![0-9])"] {
            if text.range(of: pattern, options: .regularExpression) != nil { return true }
        }
        return false
    }
}
