@testable import App
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Who may call what, for every API operation the router has: a declarative table checked
/// against `buildRouter(...).routes`, so that a new route without a line here fails the suite.
/// Each operation is then called by every kind of caller on a fixture built through the API:
/// the callers it allows must get an answer other than 401/403 (and never a 5xx); every other
/// caller must get 401 (no account) or 403 (signed in), or 404 where the code deliberately hides
/// that the thing exists (`hiddenAs404`).
@Suite("Authorization matrix")
struct AuthorizationMatrixTests {
    // MARK: - The table

    static let expectedAccess: [String: Access] = [
        // Operations: probes and scrapers need no account. `/metrics` is public by design
        // (DESIGN.md); production restricts it by network.
        "GET /healthz": .anyone,
        "GET /metrics": .anyone,
        "GET /openapi.json": .anyone,

        // Accounts and sessions.
        "POST /api/v1/accounts": .anyone,
        "POST /api/v1/sessions": .anyone,
        "DELETE /api/v1/sessions/current": .signedIn,
        "GET /api/v1/me": .signedIn,
        "GET /api/v1/me/tokens": .signedIn,
        // One's own tokens only; another account's token id answers like one that does not exist.
        "DELETE /api/v1/me/tokens/{tokenId}": Access.resourceOwner("the token's account").hiddenAs404,
        "GET /api/v1/me/nonprofits": .signedIn,
        "GET /api/v1/me/donations": .signedIn,
        "GET /api/v1/me/stickers": .signedIn,
        "GET /api/v1/me/stories/feed": .signedIn,
        "GET /api/v1/me/program-invitations": .signedIn,

        // Nonprofits. Probed on a verified one; a pending one is hidden (see `variants`).
        "GET /api/v1/causes": .anyone,
        "POST /api/v1/nonprofits": .signedIn,
        "GET /api/v1/nonprofits": .anyone,
        "GET /api/v1/nonprofits/{nonprofitId}": .anyone,
        "PATCH /api/v1/nonprofits/{nonprofitId}": .nonprofitOwner,
        "GET /api/v1/nonprofits/{nonprofitId}/payout-details": .nonprofitMember,
        "GET /api/v1/nonprofits/{nonprofitId}/donations": .nonprofitMember,
        "PUT /api/v1/nonprofits/{nonprofitId}/payout-details": .nonprofitOwner,
        "GET /api/v1/nonprofits/{nonprofitId}/members": .nonprofitMember,
        "POST /api/v1/nonprofits/{nonprofitId}/members": .nonprofitOwner,
        // Removing someone else takes an owner (a member may remove only themself).
        "DELETE /api/v1/nonprofits/{nonprofitId}/members/{accountId}": .nonprofitOwner,
        "GET /api/v1/nonprofits/{nonprofitId}/followers": .nonprofitMember,
        "POST /api/v1/nonprofits/{nonprofitId}/follow": .signedIn,
        "DELETE /api/v1/nonprofits/{nonprofitId}/follow": .signedIn,
        "GET /api/v1/nonprofits/{nonprofitId}/payouts": .nonprofitOwner,
        "GET /api/v1/nonprofits/{nonprofitId}/analytics": .nonprofitMember,
        "GET /api/v1/nonprofits/{nonprofitId}/ad-credits": .nonprofitMember,
        "POST /api/v1/nonprofits/{nonprofitId}/promotions": .nonprofitMember,
        "GET /api/v1/promotions/{promotionId}": .nonprofitMember,
        "POST /api/v1/promotions/{promotionId}/stop": .nonprofitMember,

        // Platform admins.
        "GET /api/v1/admin/nonprofits": .platformAdmin,
        "POST /api/v1/admin/nonprofits/{nonprofitId}/verify": .platformAdmin,
        "POST /api/v1/admin/nonprofits/{nonprofitId}/reject": .platformAdmin,
        "POST /api/v1/admin/nonprofits/{nonprofitId}/ad-credits": .platformAdmin,
        "POST /api/v1/admin/payouts/run": .platformAdmin,
        "POST /api/v1/admin/programs": .platformAdmin,
        "POST /api/v1/admin/programs/{slug}/grants": .platformAdmin,
        "POST /api/v1/admin/programs/{slug}/invitations": .platformAdmin,
        "POST /api/v1/admin/programs/{slug}/close": .platformAdmin,

        // Fundraisers and donations.
        "POST /api/v1/fundraisers": .signedIn,
        "GET /api/v1/fundraisers/{fundraiserId}": .anyone,
        "POST /api/v1/fundraisers/{fundraiserId}/donations": .signedIn,
        "GET /api/v1/fundraisers/{fundraiserId}/story": .anyone,
        // Its donor, the nonprofit's team (any role) and platform admins; to anyone else it does not exist.
        "GET /api/v1/donations/{donationId}": Access.donorOrNonprofitTeam.hiddenAs404,
        "GET /api/v1/donations/{donationId}/receipt": Access.donorOrNonprofitTeam.hiddenAs404,
        "POST /api/v1/donations/{donationId}/refunds": .nonprofitOwner,
        "POST /api/v1/payments/webhooks/{processor}": .webhookSignature,

        // Lives: the host's tools are the host's alone (platform admins included out).
        "POST /api/v1/lives": .signedIn,
        "GET /api/v1/lives": .anyone,
        "GET /api/v1/lives/{liveId}": .anyone,
        "POST /api/v1/lives/{liveId}/start": .resourceOwner("the live's host"),
        "POST /api/v1/lives/{liveId}/end": .resourceOwner("the live's host"),
        "POST /api/v1/lives/{liveId}/thanks": .resourceOwner("the live's host"),
        "POST /api/v1/lives/{liveId}/donations/{donationId}/hide": .resourceOwner("the live's host"),
        "GET /api/v1/lives/{liveId}/supporters": .resourceOwner("the live's host"),
        "GET /api/v1/lives/{liveId}/overlay": .resourceOwner("the live's host"),
        "PUT /api/v1/lives/{liveId}/overlay": .resourceOwner("the live's host"),
        // Probed on a paid-entry live (a free live's feed is anyone's: see `variants`).
        "GET /api/v1/lives/{liveId}/feed": .hostAndTicketHolders,
        "POST /api/v1/lives/{liveId}/tickets": .signedIn,
        "GET /api/v1/lives/{liveId}/tickets": .resourceOwner("the live's host"),
        "POST /api/v1/lives/{liveId}/tickets/{ticketId}/revoke": .resourceOwner("the live's host"),
        "POST /api/v1/lives/{liveId}/cancel": .resourceOwner("the live's host"),

        // Campaigns.
        "POST /api/v1/campaigns": .platformAdmin,
        "GET /api/v1/campaigns/{slug}": .anyone,
        "POST /api/v1/campaigns/{slug}/lives": .resourceOwner("the live's host", orAdmin: true),
        "POST /api/v1/campaigns/{slug}/nonprofits": .platformAdmin,
        "GET /api/v1/campaigns/{slug}/story": .anyone,

        // Videos and views.
        "POST /api/v1/videos": .signedIn,
        "GET /api/v1/videos/{videoId}": .anyone,
        "DELETE /api/v1/videos/{videoId}": .resourceOwner("the video's uploader", orAdmin: true),
        "POST /api/v1/views": .anyone,

        // Challenges. A branded challenge is launched by its nonprofit's team (an unbranded
        // one by admins only: see `variants`).
        "POST /api/v1/challenges": .nonprofitMember,
        "GET /api/v1/challenges": .anyone,
        "GET /api/v1/challenges/{hashtag}": .anyone,
        "GET /api/v1/challenges/{hashtag}/videos": .anyone,
        "POST /api/v1/challenges/{hashtag}/pledges": .signedIn,
        "POST /api/v1/challenges/{hashtag}/settle": .platformAdmin,

        // Stories and following accounts.
        "POST /api/v1/stories": .signedIn,
        "GET /api/v1/stories/{storyId}": .anyone,
        "PUT /api/v1/stories/{storyId}": .resourceOwner("the story's poster"),
        "DELETE /api/v1/stories/{storyId}": .resourceOwner("the story's poster", orAdmin: true),
        "GET /api/v1/accounts/{handle}/stories": .anyone,
        "POST /api/v1/accounts/{handle}/follow": .signedIn,
        "DELETE /api/v1/accounts/{handle}/follow": .signedIn,

        // Giving programs.
        "GET /api/v1/programs/{slug}": .anyone,
        "POST /api/v1/programs/{slug}/choice": .resourceOwner("the invited creator"),
    ]

    /// How to call each operation: which fixture resource fills each `{param}`, the body, and
    /// whether each caller needs a fresh resource of its own (requests that use one up).
    static let probes: [String: Probe] = [
        "POST /api/v1/accounts": Probe(body: .json { _ in
            let handle = "p" + Self.hex(12)
            return #"{"handle":"\#(handle)","email":"\#(handle)@example.org","password":"correct horse battery"}"#
        }),
        "POST /api/v1/sessions": Probe(body: .json { _ in #"{"handle":"signin.probe","password":"correct horse battery"}"# }),
        // Ends the caller's own session: each caller signs in anew for it.
        "DELETE /api/v1/sessions/current": Probe(freshToken: true),
        "DELETE /api/v1/me/tokens/{tokenId}": Probe(fresh: { app, fixture in
            ["tokenId": try await fixture.signIn(app, .creator).tokenID]
        }),
        "POST /api/v1/nonprofits": Probe(body: .json { _ in Self.application() }),
        "PATCH /api/v1/nonprofits/{nonprofitId}": Probe(body: .json { _ in #"{"description":"Red noses for good."}"# }),
        "PUT /api/v1/nonprofits/{nonprofitId}/payout-details": Probe(body: .json { _ in #"{"accountHolder":"Red Nose Day","iban":"GB82 WEST 1234 5698 7654 32"}"# }),
        "POST /api/v1/nonprofits/{nonprofitId}/members": Probe(body: .json { _ in #"{"handle":"recruit"}"# }),
        "DELETE /api/v1/nonprofits/{nonprofitId}/members/{accountId}": Probe(fresh: { app, fixture in
            let handle = "m" + Self.hex(10)
            let (id, _) = try await app.signUp(handle)
            let added = try await app.request(.post, "/api/v1/nonprofits/\(fixture[.nonprofit])/members", json: #"{"handle":"\#(handle)"}"#, token: fixture.token(.nonprofitOwner))
            try Self.require(added, .created)
            return ["accountId": id]
        }),
        "POST /api/v1/nonprofits/{nonprofitId}/promotions": Probe(body: .json { fixture in Self.promotionBody(fixture) }),
        "POST /api/v1/promotions/{promotionId}/stop": Probe(fresh: { app, fixture in
            let made = try await app.request(.post, "/api/v1/nonprofits/\(fixture[.nonprofit])/promotions", json: Self.promotionBody(fixture), token: fixture.token(.nonprofitOwner))
            return ["promotionId": try Self.id(made)]
        }),
        "POST /api/v1/admin/nonprofits/{nonprofitId}/verify": Probe(fresh: { app, fixture in
            ["nonprofitId": try await app.applyNonprofit(fixture.token(.creator), number: Self.registration())]
        }),
        "POST /api/v1/admin/nonprofits/{nonprofitId}/reject": Probe(body: .json { _ in #"{"reason":"We could not confirm the registration."}"# }, fresh: { app, fixture in
            ["nonprofitId": try await app.applyNonprofit(fixture.token(.creator), number: Self.registration())]
        }),
        "POST /api/v1/admin/nonprofits/{nonprofitId}/ad-credits": Probe(body: .json { _ in #"{"credits":5}"# }, money: true),
        // After every other case: refunds and the rest have settled first.
        "POST /api/v1/admin/payouts/run": Probe(last: true),
        "POST /api/v1/admin/programs": Probe(body: .json { _ in
            #"{"slug":"probe-\#(Self.hex(8))","title":"Probe","budget":{"amount":1000,"currency":"USD"},"creatorDeadline":"\#(Self.iso(days: 7))"}"#
        }),
        "POST /api/v1/admin/programs/{slug}/grants": Probe(body: .json { fixture in #"{"nonprofitId":"\#(fixture[.nonprofit])","amount":100}"# }, money: true),
        "POST /api/v1/admin/programs/{slug}/invitations": Probe(body: .json { _ in #"{"handle":"recruit","amount":100}"# }),
        "POST /api/v1/fundraisers": Probe(body: .json { fixture in
            #"{"nonprofitId":"\#(fixture[.nonprofit])","title":"Probe","goal":{"amount":10000,"currency":"USD"}}"#
        }),
        "POST /api/v1/fundraisers/{fundraiserId}/donations": Probe(body: .json { _ in Self.gift }, money: true),
        "POST /api/v1/donations/{donationId}/refunds": Probe(money: true, fresh: { app, fixture in
            ["donationId": try Self.id(try await app.donate(fixture[.fundraiser], token: fixture.token(.creator), amount: 700))]
        }),
        "POST /api/v1/payments/webhooks/{processor}": Probe(body: .json { _ in #"{"id":"evt_probe","type":"charge.dispute.created","data":{"object":{}}}"# }),
        "POST /api/v1/lives": Probe(body: .json { _ in #"{"title":"Probe live"}"# }),
        "POST /api/v1/lives/{liveId}/end": Probe(fresh: { app, fixture in
            ["liveId": try Self.id(try await app.request(.post, "/api/v1/lives", json: #"{"title":"To end"}"#, token: fixture.token(.creator)))]
        }),
        "POST /api/v1/lives/{liveId}/thanks": Probe(body: .json { _ in #"{"message":"Thank you all!"}"# }),
        "PUT /api/v1/lives/{liveId}/overlay": Probe(body: .json { _ in #"{"minAmount":100}"# }),
        "GET /api/v1/lives/{liveId}/feed": Probe(params: ["liveId": .paidLive]),
        // A live of its own, so that the purchases leave the paid live's audience as it is.
        "POST /api/v1/lives/{liveId}/tickets": Probe(params: ["liveId": .salesLive], body: .json { _ in #"{"paymentToken":"tok_visa"}"# }, money: true),
        "GET /api/v1/lives/{liveId}/tickets": Probe(params: ["liveId": .paidLive]),
        "POST /api/v1/lives/{liveId}/tickets/{ticketId}/revoke": Probe(fresh: { app, fixture in
            let live = try await Self.paidLive(app, fixture)
            let bought = try await app.request(.post, "/api/v1/lives/\(live)/tickets", json: #"{"paymentToken":"tok_visa"}"#, token: fixture.token(.spareFan),
                                               headers: [.idempotencyKey: UUID().uuidString])
            return ["liveId": live, "ticketId": try Self.id(bought)]
        }),
        "POST /api/v1/lives/{liveId}/cancel": Probe(fresh: { app, fixture in ["liveId": try await Self.paidLive(app, fixture)] }),
        "POST /api/v1/campaigns": Probe(body: .json { fixture in
            #"{"slug":"probe-\#(Self.hex(8))","title":"Probe","startsAt":"2030-11-01T00:00:00Z","endsAt":"2030-12-31T00:00:00Z","nonprofitIds":["\#(fixture[.nonprofit])"]}"#
        }),
        "POST /api/v1/campaigns/{slug}/lives": Probe(body: .json { fixture in #"{"liveId":"\#(fixture[.live])"}"# }),
        "POST /api/v1/campaigns/{slug}/nonprofits": Probe(body: .json { fixture in #"{"nonprofitId":"\#(fixture[.otherNonprofit])"}"# }),
        "POST /api/v1/videos": Probe(body: .video),
        "DELETE /api/v1/videos/{videoId}": Probe(fresh: { app, fixture in
            ["videoId": try Self.id(try await app.upload(try Samples.bytes("dance.mp4"), caption: "#ProbeDay", token: fixture.token(.creator)))]
        }),
        "POST /api/v1/views": Probe(body: .json { fixture in #"[{"videoId":"\#(fixture[.video])","viewerId":"probe-\#(Self.hex(6))","at":"\#(Self.iso(days: 0))"}]"# }),
        "POST /api/v1/challenges": Probe(body: .json { fixture in Self.challengeBody(nonprofit: fixture[.nonprofit]) }),
        "POST /api/v1/challenges/{hashtag}/pledges": Probe(body: .json { _ in
            #"{"perVideo":{"amount":1,"currency":"USD"},"budget":{"amount":100,"currency":"USD"},"paymentToken":"tok_visa"}"#
        }, money: true),
        "POST /api/v1/stories": Probe(body: .story),
        "PUT /api/v1/stories/{storyId}": Probe(body: .json { _ in #"{"highlight":true}"# }),
        "DELETE /api/v1/stories/{storyId}": Probe(fresh: { app, fixture in
            ["storyId": try Self.id(try await app.postStory(try Samples.bytes("story.jpg"), token: fixture.token(.creator)))]
        }),
        "POST /api/v1/programs/{slug}/choice": Probe(body: .json { fixture in #"{"nonprofitId":"\#(fixture[.nonprofit])"}"# }),
    ]

    /// Further cases of a routed operation on another kind of resource.
    static let variants: [(operation: String, access: Access, probe: Probe)] = [
        // A pending nonprofit: its applicant and admins see it; to everyone else it does not exist.
        ("GET /api/v1/nonprofits/{nonprofitId}", Access.resourceOwner("its applicant", orAdmin: true).hiddenAs404,
         Probe(params: ["nonprofitId": .pendingNonprofit])),
        ("PATCH /api/v1/nonprofits/{nonprofitId}", Access.resourceOwner("its applicant", orAdmin: true).hiddenAs404,
         Probe(params: ["nonprofitId": .pendingNonprofit], body: .json { _ in #"{"description":"Still pending."}"# })),
        ("GET /api/v1/nonprofits/{nonprofitId}/members", Access.resourceOwner("its applicant", orAdmin: true).hiddenAs404,
         Probe(params: ["nonprofitId": .pendingNonprofit])),
        // A free live's feed is anyone's.
        ("GET /api/v1/lives/{liveId}/feed", .anyone, Probe()),
        // An unbranded challenge is the platform's to launch.
        ("POST /api/v1/challenges", .platformAdmin, Probe(body: .json { _ in Self.challengeBody(nonprofit: nil) })),
    ]

    // MARK: - The tests

    @Test("every routed API operation has a line in the table, and every line is a routed operation")
    func tableMatchesRoutes() async throws {
        let routed = Set(try await routedAPIOperations())
        let table = Set(Self.expectedAccess.keys)
        #expect(routed.subtracting(table).sorted() == [], "routes with no line in AuthorizationMatrixTests.expectedAccess: say who may call them")
        #expect(table.subtracting(routed).sorted() == [], "lines in AuthorizationMatrixTests.expectedAccess for operations that are not routed")
        #expect(Set(Self.probes.keys).subtracting(routed).sorted() == [], "probes for operations that are not routed")
        #expect(Set(Self.variants.map(\.operation)).subtracting(routed).sorted() == [], "variants of operations that are not routed")
    }

    @Test("each operation answers every kind of caller as the table says", arguments: [DatabaseKind.sqlite])
    func matrix(_ kind: DatabaseKind) async throws {
        let routed = try await routedAPIOperations()
        try await withTestApp(kind, configure: {
            $0.signInLimitPerAddress = 100_000
            $0.signInLimitPerAccount = 100_000
        }) { app in
            let fixture = try await Fixture.build(app)
            var cases: [(operation: String, access: Access, probe: Probe)] = []
            for operation in routed.sorted() {
                guard let access = Self.expectedAccess[operation] else { continue } // reported by tableMatchesRoutes
                cases.append((operation, access, Self.probes[operation] ?? Probe()))
            }
            cases += Self.variants
            cases = cases.filter { !$0.probe.last } + cases.filter(\.probe.last)

            var checked = 0
            var lines: [String] = []
            for (operation, access, probe) in cases {
                // Refused callers first, while every resource is as the fixture made it.
                let callers = Caller.allCases.filter { !access.allows($0) } + Caller.allCases.filter { access.allows($0) }
                var row: [String] = []
                for caller in callers {
                    let reply = try await Self.call(app, fixture, operation, probe, as: caller)
                    let verdict = access.verdict(for: caller, status: Int(reply.status.code))
                    #expect(verdict == nil, "\(operation) as \(caller): \(verdict ?? "") — got \(reply.status.code) \(String(reply.text.prefix(300)))")
                    checked += 1
                    row.append("\(caller)=\(reply.status.code)")
                }
                lines.append("\(operation) [\(access)]: " + row.joined(separator: " "))
            }
            if let path = ProcessInfo.processInfo.environment["GOODCAST_MATRIX_OUT"] {
                try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
            }
            #expect(checked == cases.count * Caller.allCases.count)
            #expect(cases.count >= Self.expectedAccess.count)

            // A page session's secret is no API token, even sent as one.
            let secret = fixture.cookie.components(separatedBy: "; ").first { $0.hasPrefix(IdentityMiddleware.sessionCookie + "=") }?.split(separator: "=", maxSplits: 1).last
            #expect(try await app.request(.get, "/api/v1/me", token: String(try #require(secret))).status == .unauthorized)
        }
    }

    // MARK: - Calling

    static func call(_ app: TestHarness, _ fixture: Fixture, _ operation: String, _ probe: Probe, as caller: Caller) async throws -> TestHarness.Reply {
        let parts = operation.split(separator: " ", maxSplits: 1)
        let method = HTTPRequest.Method(rawValue: String(parts[0]))!
        let template = String(parts[1])
        let own = try await probe.fresh?(app, fixture) ?? [:]
        var path = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            path += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            guard let value = own[name] ?? probe.params[name].map({ fixture[$0] }) ?? Self.defaultResource(name, in: template).map({ fixture[$0] }) else {
                throw TestFailure("\(operation): nothing fills {\(name)}; give the probe a resource for it")
            }
            path += value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? value
            rest = rest[rest.index(after: close)...]
        }
        path += rest

        var headers: HTTPFields = [:]
        switch caller {
        case .anonymous: break
        case .sessionCookieOnly: headers[.cookie] = fixture.cookie
        default:
            let token = if probe.freshToken { try await fixture.signIn(app, caller).token } else { try fixture.token(caller) }
            headers[.authorization] = "Bearer \(token)"
        }
        if probe.money { headers[.idempotencyKey] = UUID().uuidString }
        var body: ByteBuffer?
        switch probe.body ?? ([.get, .delete].contains(method) ? .none : .json { _ in "{}" }) {
        case .none: break
        case .json(let make):
            headers[.contentType] = "application/json"
            body = ByteBuffer(string: make(fixture))
        case .video:
            var form = Multipart()
            form.field("caption", "Noses on #ProbeDay")
            form.file("file", filename: "clip.mp4", type: "video/mp4", try Samples.bytes("dance.mp4"))
            headers[.contentType] = form.contentType
            body = form.finished()
        case .story:
            var form = Multipart()
            form.file("media", filename: "story", type: "image/jpeg", try Samples.bytes("story.jpg"))
            headers[.contentType] = form.contentType
            body = form.finished()
        }
        let response = try await app.client.executeRequest(uri: path, method: method, headers: headers, body: body)
        return TestHarness.Reply(status: response.status, headers: response.headers, body: response.body)
    }

    /// What fills a path parameter unless the probe says otherwise.
    static func defaultResource(_ name: String, in template: String) -> Resource? {
        switch name {
        case "nonprofitId": .nonprofit
        case "fundraiserId": .fundraiser
        case "donationId": template.contains("/lives/") ? .liveDonation : .donation
        case "liveId": .live
        case "ticketId": .ticket
        case "slug": template.contains("programs/") ? .program : .campaign
        case "hashtag": .challenge
        case "videoId": .video
        case "storyId": .story
        case "promotionId": .promotion
        case "handle": .creatorHandle
        case "processor": .processor
        default: nil
        }
    }

    // MARK: - Bodies and helpers

    static let gift = #"{"amount":{"amount":500,"currency":"USD"},"paymentToken":"tok_visa"}"#

    static func hex(_ count: Int) -> String {
        String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(count))
    }

    static func registration() -> String { String(Int.random(in: 10_000_000...99_999_999)) }

    static func application() -> String {
        #"{"name":"Probe Relief","country":"GB","registrationNumber":"\#(registration())","causes":["humanitarian-relief"],"website":"https://example.org"}"#
    }

    static func iso(days: Double) -> String { ISO8601DateFormatter().string(from: Date().addingTimeInterval(days * 86_400)) }

    static func challengeBody(nonprofit: String?) -> String {
        let owner = nonprofit.map { #""nonprofitId":"\#($0)","branded":true"# } ?? #""branded":false"#
        return ##"{"hashtag":"#Probe\##(hex(8))",\##(owner),"title":"Probe","startsAt":"\##(iso(days: -0.05))","endsAt":"\##(iso(days: 2))"}"##
    }

    static func promotionBody(_ fixture: Fixture) -> String {
        #"{"challenge":"\#(fixture[.challenge])","budget":1,"endsAt":"\#(iso(days: 1))"}"#
    }

    static func paidLive(_ app: TestHarness, _ fixture: Fixture) async throws -> String {
        try id(try await app.request(.post, "/api/v1/lives", json: #"{"title":"Paid","playbackUrl":"https://video.example/p.m3u8","ticket":{"price":{"amount":500,"currency":"USD"}}}"#,
                                     token: fixture.token(.creator)))
    }

    static func require(_ reply: TestHarness.Reply, _ status: HTTPResponse.Status, _ what: String = "fixture") throws {
        guard reply.status == status else { throw TestFailure("\(what): \(reply.status) \(reply.text.prefix(300))") }
    }

    static func id(_ reply: TestHarness.Reply, _ key: String = "id") throws -> String {
        guard (200..<300).contains(reply.status.code), let id = try reply.json()[key] as? String else {
            throw TestFailure("fixture: \(reply.status) \(reply.text.prefix(300))")
        }
        return id
    }
}

// MARK: - Callers, access, probes

/// The kinds of caller every operation is tried with.
enum Caller: String, CaseIterable, Sendable, CustomStringConvertible {
    /// No credentials at all.
    case anonymous
    /// A page session cookie and no bearer token: the API must not take it (pages check CSRF, the API does not).
    case sessionCookieOnly
    /// "Another member": signed in, no relation to anything here.
    case stranger
    /// The owner of another verified nonprofit: the same powers, elsewhere.
    case otherNonprofitOwner
    case nonprofitMember
    case nonprofitOwner
    case platformAdmin
    /// The resources' own account: the live's host, the video's uploader, the story's poster, the
    /// donation's donor, the invited creator, the applicant of the pending nonprofit.
    case creator
    /// Holds a ticket to the paid-entry live.
    case ticketHolder
    /// Used for fixtures only (buys the tickets that get revoked); never a caller.
    case spareFan

    static var allCases: [Caller] { [.anonymous, .sessionCookieOnly, .stranger, .otherNonprofitOwner, .nonprofitMember, .nonprofitOwner, .platformAdmin, .creator, .ticketHolder] }

    var description: String { rawValue }
}

/// Who may call an operation.
struct Access: Sendable, CustomStringConvertible {
    let name: String
    let allowed: Set<Caller>
    /// Refused callers get 404, as for something that does not exist (a caller with no account may get 401).
    var hidden = false
    /// No account is involved: the processor signs the request; a bad signature is a 400.
    var webhook = false

    init(_ name: String, _ allowed: Set<Caller>) {
        self.name = name
        self.allowed = allowed
    }

    static let everyone: Set<Caller> = Set(Caller.allCases)
    static let anyone = Access("anyone", everyone)
    static let signedIn = Access("signed in", everyone.subtracting([.anonymous, .sessionCookieOnly]))
    /// Members and owners of the nonprofit in the path, and platform admins.
    static let nonprofitMember = Access("nonprofit member", [.nonprofitMember, .nonprofitOwner, .platformAdmin])
    /// Owners of the nonprofit in the path, and platform admins.
    static let nonprofitOwner = Access("nonprofit owner", [.nonprofitOwner, .platformAdmin])
    static let platformAdmin = Access("platform admin", [.platformAdmin])
    static let donorOrNonprofitTeam = Access("its donor, the nonprofit's team, admins", [.creator, .nonprofitMember, .nonprofitOwner, .platformAdmin])
    static let hostAndTicketHolders = Access("the host and ticket holders", [.creator, .ticketHolder])
    static var webhookSignature: Access {
        var access = Access("processor signature", [])
        access.webhook = true
        return access
    }

    static func resourceOwner(_ who: String, orAdmin: Bool = false) -> Access {
        Access(who + (orAdmin ? " or an admin" : ""), orAdmin ? [.creator, .platformAdmin] : [.creator])
    }

    var hiddenAs404: Access {
        var access = self
        access.hidden = true
        return access
    }

    func allows(_ caller: Caller) -> Bool { allowed.contains(caller) }

    /// Why `status` is the wrong answer for `caller`, or nil.
    func verdict(for caller: Caller, status: Int) -> String? {
        if status >= 500 { return "a server error" }
        if webhook { return status == 400 ? nil : "an unsigned webhook must be a 400" }
        let signedIn = ![.anonymous, .sessionCookieOnly].contains(caller)
        if allows(caller) {
            if status == 401 || status == 403 { return "allowed (\(name)) but refused" }
            if status == 404 { return "allowed (\(name)) but told it does not exist" }
            return nil
        }
        if !signedIn { return status == 401 || (hidden && status == 404) ? nil : "not allowed (\(name)): expected 401\(hidden ? " or 404" : "")" }
        if hidden { return status == 404 ? nil : "not allowed (\(name)): expected the 404 that hides it" }
        return status == 403 ? nil : "not allowed (\(name)): expected 403"
    }

    var description: String { name + (hidden ? ", else 404" : "") }
}

/// The fixture's resources that fill path parameters.
enum Resource: String, Sendable {
    case nonprofit, otherNonprofit, pendingNonprofit, fundraiser, donation, liveDonation, live, paidLive, salesLive, ticket
    case campaign, challenge, video, story, promotion, program, creatorHandle, processor
}

/// How to call one operation.
struct Probe: Sendable {
    enum Body: Sendable {
        case none
        case json(@Sendable (Fixture) -> String)
        /// Multipart with the sample video.
        case video
        /// Multipart with the sample photo.
        case story
    }

    /// The resource for a path parameter, where not the default one.
    var params: [String: Resource] = [:]
    /// Nil: none for GET and DELETE, `{}` otherwise.
    var body: Body?
    /// Sends a fresh `Idempotency-Key`.
    var money = false
    /// The caller signs in anew for this request (it ends its own session).
    var freshToken = false
    /// Makes, for each caller, a resource of its own: parameter name to value.
    var fresh: (@Sendable (TestHarness, Fixture) async throws -> [String: String])?
    /// Runs after every other case.
    var last = false
}

// MARK: - The fixture, built through the API

struct Fixture: Sendable {
    var ids: [Resource: String] = [:]
    var tokens: [Caller: String] = [:]
    var handles: [Caller: String] = [:]
    var cookie = ""

    /// The resource's id (or slug, hashtag, handle); an id that matches nothing if the fixture lacks it.
    subscript(_ resource: Resource) -> String { ids[resource] ?? "no-\(resource.rawValue)" }

    func token(_ caller: Caller) throws -> String {
        guard let token = tokens[caller] else { throw TestFailure("\(caller) has no token") }
        return token
    }

    func password(_ caller: Caller) -> String { caller == .platformAdmin ? "admin password 1" : "correct horse battery" }

    /// A new session for `caller`: its token and the token's id.
    func signIn(_ app: TestHarness, _ caller: Caller) async throws -> (token: String, tokenID: String) {
        guard let handle = handles[caller] else { throw TestFailure("\(caller) cannot sign in") }
        let reply = try await app.request(.post, "/api/v1/sessions", json: #"{"handle":"\#(handle)","password":"\#(password(caller))"}"#)
        let json = try reply.json()
        guard reply.status == .created, let token = json["token"] as? String, let id = json["tokenId"] as? String else {
            throw TestFailure("sign-in of \(caller): \(reply.status) \(reply.text)")
        }
        return (token, id)
    }

    static func build(_ app: TestHarness) async throws -> Fixture {
        var fixture = Fixture()
        typealias T = AuthorizationMatrixTests
        func ok(_ reply: TestHarness.Reply, _ status: HTTPResponse.Status = .created, _ what: String) throws { try T.require(reply, status, what) }

        // People.
        fixture.tokens[.platformAdmin] = try await app.admin("root")
        fixture.handles[.platformAdmin] = "root"
        let people: [(Caller, String)] = [
            (.nonprofitOwner, "np.owner"), (.nonprofitMember, "np.member"), (.otherNonprofitOwner, "other.owner"), (.stranger, "stranger"),
            (.creator, "creator"), (.ticketHolder, "fan"), (.spareFan, "spare.fan"),
        ]
        for (caller, handle) in people {
            fixture.tokens[caller] = try await app.signUp(handle).token
            fixture.handles[caller] = handle
        }
        _ = try await app.signUp("recruit")
        _ = try await app.signUp("signin.probe")
        fixture.ids[.creatorHandle] = "creator"
        fixture.ids[.processor] = "sandbox"
        fixture.cookie = try await pageSession(app, handle: "cookie.user")
        let admin = try fixture.token(.platformAdmin), owner = try fixture.token(.nonprofitOwner), creator = try fixture.token(.creator)
        let fan = try fixture.token(.ticketHolder)

        // Nonprofits: ours (an owner and a member), another verified one, one still pending.
        let nonprofit = try await app.applyNonprofit(owner, number: T.registration())
        try ok(try await app.request(.post, "/api/v1/admin/nonprofits/\(nonprofit)/verify", token: admin), .ok, "verify")
        let other = try await app.applyNonprofit(try fixture.token(.otherNonprofitOwner), name: "Movember", country: "AU", number: T.registration())
        try ok(try await app.request(.post, "/api/v1/admin/nonprofits/\(other)/verify", token: admin), .ok, "verify other")
        fixture.ids[.nonprofit] = nonprofit
        fixture.ids[.otherNonprofit] = other
        fixture.ids[.pendingNonprofit] = try await app.applyNonprofit(creator, name: "Pending Cause", number: T.registration())
        try ok(try await app.request(.post, "/api/v1/nonprofits/\(nonprofit)/members", json: #"{"handle":"np.member"}"#, token: owner), .created, "member")
        try ok(try await app.request(.put, "/api/v1/nonprofits/\(nonprofit)/payout-details", json: #"{"accountHolder":"Red Nose Day","iban":"GB82 WEST 1234 5698 7654 32"}"#, token: owner), .ok, "payout details")

        // Money: a fundraiser and the creator's gift to it.
        let fundraiser = try T.id(try await app.request(.post, "/api/v1/fundraisers", json: #"{"nonprofitId":"\#(nonprofit)","title":"Red Nose Day","goal":{"amount":100000,"currency":"USD"}}"#, token: owner))
        fixture.ids[.fundraiser] = fundraiser
        let donation = try T.id(try await app.donate(fundraiser, token: creator, amount: 1_500))
        fixture.ids[.donation] = donation

        // Lives: the creator's fundraising live (a fan gave to it) and two paid-entry lives.
        let live = try await app.request(.post, "/api/v1/lives", json: """
            {"title":"Global Give Back","scheduledAt":"2030-11-30T19:00:00Z","fundraiser":{"nonprofitId":"\(nonprofit)","goal":{"amount":500000,"currency":"USD"}}}
            """, token: creator)
        fixture.ids[.live] = try T.id(live)
        fixture.ids[.liveDonation] = try T.id(try await app.donate(try T.id(live, "fundraiserId"), token: fan, amount: 2_000, extra: #","message":"Go go go""#))
        let paid = try await T.paidLive(app, fixture)
        fixture.ids[.paidLive] = paid
        fixture.ids[.ticket] = try T.id(try await app.request(.post, "/api/v1/lives/\(paid)/tickets", json: #"{"paymentToken":"tok_visa"}"#, token: fan,
                                                              headers: [.idempotencyKey: UUID().uuidString]))
        fixture.ids[.salesLive] = try await T.paidLive(app, fixture)

        // A campaign with the live on its program.
        let campaign = try await app.request(.post, "/api/v1/campaigns", json: """
            {"slug":"probe-campaign","title":"Probe campaign","startsAt":"2030-11-01T00:00:00Z","endsAt":"2030-12-31T00:00:00Z","nonprofitIds":["\(nonprofit)"]}
            """, token: admin)
        fixture.ids[.campaign] = try T.id(campaign, "slug")
        try ok(try await app.request(.post, "/api/v1/campaigns/probe-campaign/lives", json: #"{"liveId":"\#(fixture[.live])"}"#, token: creator), .ok, "campaign live")

        // A branded challenge with a pledge and the creator's video.
        let challenge = try await app.request(.post, "/api/v1/challenges", json: """
            {"hashtag":"#ProbeDay","nonprofitId":"\(nonprofit)","title":"Probe Day","startsAt":"\(T.iso(days: -0.05))","endsAt":"\(T.iso(days: 2))","branded":true}
            """, token: owner)
        try ok(challenge, .created, "challenge")
        fixture.ids[.challenge] = "ProbeDay"
        try ok(try await app.request(.post, "/api/v1/challenges/ProbeDay/pledges", json: #"{"perVideo":{"amount":1,"currency":"USD"},"budget":{"amount":500,"currency":"USD"},"paymentToken":"tok_visa"}"#,
                                     token: creator, headers: [.idempotencyKey: UUID().uuidString]), .created, "pledge")
        fixture.ids[.video] = try T.id(try await app.upload(try Samples.bytes("dance.mp4"), caption: "Noses on #ProbeDay", token: creator))

        // The creator's story with the "I donated" sticker of its gift.
        let stickers = try await app.request(.get, "/api/v1/me/stickers", token: creator).json()["items"] as? [[String: Any]] ?? []
        guard let sticker = stickers.first(where: { $0["donationId"] as? String == donation })?["id"] as? String else { throw TestFailure("no sticker for the gift") }
        let story = try await app.postStory(try Samples.bytes("story.jpg"), stickers: #"[{"stickerId":"\#(sticker)","x":0.5,"y":0.8,"scale":1,"rotation":0}]"#, token: creator)
        fixture.ids[.story] = try T.id(story)

        // Ad credits and a promotion of the challenge.
        try ok(try await app.request(.post, "/api/v1/admin/nonprofits/\(nonprofit)/ad-credits", json: #"{"credits":1000}"#, token: admin,
                                     headers: [.idempotencyKey: UUID().uuidString]), .created, "ad credits")
        fixture.ids[.promotion] = try T.id(try await app.request(.post, "/api/v1/nonprofits/\(nonprofit)/promotions", json: T.promotionBody(fixture), token: owner))

        // A giving program that invites the creator.
        try ok(try await app.request(.post, "/api/v1/admin/programs", json: """
            {"slug":"probe-program","title":"Creators for good","budget":{"amount":100000,"currency":"USD"},"creatorDeadline":"\(T.iso(days: 7))"}
            """, token: admin), .created, "program")
        fixture.ids[.program] = "probe-program"
        try ok(try await app.request(.post, "/api/v1/admin/programs/probe-program/invitations", json: #"{"handle":"creator","amount":500}"#, token: admin), .created, "invitation")

        // The fan starts following the creator, so that stories feeds have something in them.
        _ = try await app.request(.post, "/api/v1/accounts/creator/follow", token: fan)
        try ok(try await app.request(.post, "/api/v1/lives/\(fixture[.live])/start", token: creator), .ok, "start")
        return fixture
    }

    /// Signs up through the page form; returns the cookies a browser would send (no bearer token).
    static func pageSession(_ app: TestHarness, handle: String) async throws -> String {
        let page = try await app.request(.get, "/signup")
        guard let csrf = page.cookie(PageMiddleware.csrfCookie) else { throw TestFailure("no CSRF cookie on /signup") }
        let form = "handle=\(handle)&email=\(handle)%40example.org&password=a+long+password&_csrf=\(csrf)"
        let response = try await app.client.executeRequest(uri: "/signup", method: .post,
                                                           headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "\(PageMiddleware.csrfCookie)=\(csrf)"],
                                                           body: ByteBuffer(string: form))
        let reply = TestHarness.Reply(status: response.status, headers: response.headers, body: response.body)
        guard let session = reply.cookie(IdentityMiddleware.sessionCookie) else { throw TestFailure("page sign-up: \(reply.status)") }
        return "\(PageMiddleware.csrfCookie)=\(csrf); \(IdentityMiddleware.sessionCookie)=\(session)"
    }
}
