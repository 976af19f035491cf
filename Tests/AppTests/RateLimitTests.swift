@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Rate limits on sign-up, payments and uploads")
struct RateLimitTests {
    /// A 429 problem with a `Retry-After` of whole seconds within the window.
    func expectLimited(_ reply: TestHarness.Reply, window: Int, page: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.status == .tooManyRequests, "\(reply.status) \(reply.text.prefix(300))", sourceLocation: sourceLocation)
        let retry = reply.headers[.retryAfter].flatMap { Int($0) }
        #expect(retry.map { (1...window).contains($0) } == true, "Retry-After: \(reply.headers[.retryAfter] ?? "none")", sourceLocation: sourceLocation)
        if page {
            #expect(reply.headers[.contentType]?.hasPrefix("text/html") == true && reply.text.contains(#"class="error-page""#), sourceLocation: sourceLocation)
        } else {
            #expect(reply.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
            #expect((try? reply.json())?["type"] as? String == ProblemKind.rateLimited.typeURI, sourceLocation: sourceLocation)
        }
    }

    func signUp(_ app: TestHarness, _ handle: String, password: String = "a long password") async throws -> TestHarness.Reply {
        try await app.request(.post, "/api/v1/accounts", json: #"{"handle":"\#(handle)","email":"\#(handle)@example.org","password":"\#(password)"}"#)
    }

    @Test("the sign-up after the limit from one address gets 429 with Retry-After, from the API and the page form; typos do not count; after the window it works again",
          arguments: DatabaseKind.enabled)
    func signUps(_ kind: DatabaseKind) async throws {
        let clock = ShiftableClock()
        try await withTestApp(kind, clock: clock.appClock, configure: { $0.signUpLimitPerAddress = 3; $0.signUpWindowSeconds = 600 }) { app in
            // Input that fails validation costs nothing.
            for _ in 0..<4 { #expect(try await signUp(app, "x", password: "short").status == .unprocessableContent) }
            for index in 0..<2 { #expect(try await signUp(app, "member\(index)").status == .created) }
            // The page form shares the count.
            let form = try await app.request(.get, "/signup")
            let csrf = try #require(form.cookie(PageMiddleware.csrfCookie))
            func pageSignUp(_ handle: String) async throws -> TestHarness.Reply {
                try await app.request(.post, "/signup", headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "\(PageMiddleware.csrfCookie)=\(csrf)"],
                                      body: "handle=\(handle)&email=\(handle)%40example.org&password=a+long+password&_csrf=\(csrf)")
            }
            #expect(try await pageSignUp("member2").status == .seeOther)

            // act: one more
            expectLimited(try await signUp(app, "member3"), window: 600)
            expectLimited(try await pageSignUp("member3"), window: 600, page: true)
            // Signing in is not a sign-up.
            #expect(try await app.request(.post, "/api/v1/sessions", json: #"{"handle":"member0","password":"a long password"}"#).status == .created)

            // After the window, sign-ups are welcome again.
            clock.advance(601)
            #expect(try await signUp(app, "member3").status == .created)
        }
    }

    @Test("the payment after the limit gets 429 with Retry-After; a retry with a used Idempotency-Key is still answered and never counted; another account is not affected; after the window it works again",
          arguments: DatabaseKind.enabled)
    func donations(_ kind: DatabaseKind) async throws {
        let clock = ShiftableClock()
        try await withTestApp(kind, clock: clock.appClock, configure: { $0.donationLimitPerAccount = 3; $0.donationWindowSeconds = 60 }) { app in
            // setup
            let cause = try await app.verifiedFundraiser()
            let (_, ana) = try await app.signUp("ana")
            let (_, ben) = try await app.signUp("ben")
            var first: [String: Any] = [:]
            for index in 0..<3 {
                let gift = try await app.donate(cause.fundraiser, token: ana, key: "gift-\(index)")
                #expect(gift.status == .created, "\(gift.text)")
                if index == 0 {
                    first = try gift.json()
                    // Retries of a used key do not count: gifts 1 and 2 still go through.
                    for _ in 0..<2 { #expect(try await app.donate(cause.fundraiser, token: ana, key: "gift-0").text == gift.text) }
                }
            }

            // act: a fourth, with a new key
            expectLimited(try await app.donate(cause.fundraiser, token: ana, key: "gift-3"), window: 60)
            // A client that lost an answer still learns it.
            let replay = try await app.donate(cause.fundraiser, token: ana, key: "gift-0")
            #expect(replay.status == .created)
            #expect(try replay.json()["id"] as? String == first["id"] as? String)
            // Tickets share the count (the same payment path).
            let (_, host) = try await app.signUp("chef")
            let live = try await app.request(.post, "/api/v1/lives", json: #"{"title":"Cooking class","playbackUrl":"https://video.example/class.m3u8","ticket":{"price":{"amount":500,"currency":"USD"}}}"#, token: host).json()
            let ticket = try await app.request(.post, "/api/v1/lives/\(live["id"] as! String)/tickets", json: #"{"paymentToken":"tok_visa"}"#,
                                               token: ana, headers: [.init("Idempotency-Key")!: "ticket-1"])
            expectLimited(ticket, window: 60)
            // The page's donate form: the error page, with 429 and Retry-After.
            let browser = try await ConsolePagesTests.pageSession(app, login: "ana")
            let form = "amount=10.00&paymentToken=tok_visa&idempotencyKey=page-gift-1&_csrf=\(browser.csrf)"
            let fromPage = try await app.request(.post, "/fundraisers/\(cause.fundraiser)/donate",
                                                 headers: [.contentType: "application/x-www-form-urlencoded", .cookie: browser.cookie], body: form)
            expectLimited(fromPage, window: 60, page: true)
            // Another account gives as before.
            #expect(try await app.donate(cause.fundraiser, token: ben, key: "gift-0").status == .created)

            // After the window, the refused key goes through as a new donation.
            clock.advance(61)
            let later = try await app.donate(cause.fundraiser, token: ana, key: "gift-3")
            #expect(later.status == .created, "\(later.text)")
            #expect(try later.json()["id"] as? String != first["id"] as? String)
            let gifts = try await app.request(.get, "/api/v1/me/donations", token: ana).json()["items"] as! [[String: Any]]
            #expect(gifts.count == 4)
        }
    }

    @Test("the upload after the limit gets 429 with Retry-After, videos and stories alike, API and pages; another account is not affected; after the window it works again",
          arguments: DatabaseKind.enabled)
    func uploads(_ kind: DatabaseKind) async throws {
        let clock = ShiftableClock()
        try await withTestApp(kind, clock: clock.appClock, configure: { $0.uploadLimitPerAccount = 2; $0.uploadWindowSeconds = 3600 }) { app in
            // setup
            let cause = try await app.verifiedFundraiser()
            _ = try await ChallengeTests().challenge(app, cause)
            let clip = try Samples.bytes("dance.mp4")
            let (_, ben) = try await app.signUp("ben")
            let ana = try await ChallengePagesTests().signedInCookies(app, handle: "ana")
            let anaToken = try await app.request(.post, "/api/v1/sessions", json: #"{"handle":"ana","password":"a long password"}"#).json()["token"] as! String
            for index in 0..<2 {
                let uploaded = try await app.upload(clip, caption: "take \(index)", token: anaToken)
                #expect(uploaded.status == .created, "\(uploaded.text)")
            }

            // act: one more, whichever way
            expectLimited(try await app.upload(clip, caption: "take 3", token: anaToken), window: 3600)
            expectLimited(try await app.postStory(try Samples.bytes("story.jpg"), token: anaToken), window: 3600)
            let fromChallenge = try await ChallengePagesTests().post(app, "/challenges/rednoseday/videos?_csrf=\(ana.csrf)", cookie: ana.cookie, file: clip, caption: "#RedNoseDay")
            expectLimited(fromChallenge, window: 3600, page: true)
            let story = try await StoryPagesTests().post(app, "/stories?_csrf=\(ana.csrf)", cookie: ana.cookie, parts: [], media: try Samples.bytes("story.jpg"))
            expectLimited(story, window: 3600, page: true)
            // Another account uploads as before.
            #expect(try await app.upload(clip, caption: "mine", token: ben).status == .created)

            // After the window, uploads are welcome again.
            clock.advance(3601)
            #expect(try await app.upload(clip, caption: "take 3", token: anaToken).status == .created)
        }
    }
}
