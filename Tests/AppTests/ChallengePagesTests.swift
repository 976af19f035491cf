@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Challenge pages")
struct ChallengePagesTests {
    /// Signs up through the page form; returns the cookies a browser would then send.
    func signedInCookies(_ app: TestHarness, handle: String) async throws -> (cookie: String, csrf: String) {
        let page = try await app.request(.get, "/signup")
        let csrf = try #require(page.cookie(PageMiddleware.csrfCookie))
        let form = "handle=\(handle)&email=\(handle)%40example.org&password=a+long+password&_csrf=\(csrf)"
        let signedUp = try await app.request(.post, "/signup", headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "\(PageMiddleware.csrfCookie)=\(csrf)"], body: form)
        let session = try #require(signedUp.cookie(IdentityMiddleware.sessionCookie))
        return ("\(PageMiddleware.csrfCookie)=\(csrf); \(IdentityMiddleware.sessionCookie)=\(session)", csrf)
    }

    func post(_ app: TestHarness, _ path: String, cookie: String, file: [UInt8], caption: String) async throws -> TestHarness.Reply {
        var form = Multipart()
        form.field("caption", caption)
        form.file("file", filename: "clip.mp4", type: "video/mp4", file)
        let response = try await app.client.executeRequest(uri: path, method: .post, headers: [.contentType: form.contentType, .cookie: cookie], body: form.finished())
        return TestHarness.Reply(status: response.status, headers: response.headers, body: response.body)
    }

    @Test("the directory and the challenge page show the challenge, its pledge meter and its videos", arguments: [DatabaseKind.sqlite])
    func pages(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind, configure: { $0.pledgeRules.minimumAccountAge = 0 }) { app in
            let cause = try await app.verifiedFundraiser()
            _ = try await ChallengeTests().challenge(app, cause)
            let (_, sponsor) = try await app.signUp("brand")
            let pledge = try await ChallengeTests().pledge(app, "rednoseday", token: sponsor, perVideo: 200, budget: 10_000).json()
            let id = (pledge["id"] as! String).lowercased()
            let directory = try await app.request(.get, "/challenges")
            #expect(directory.text.contains(#"data-hashtag="RedNoseDay""#) && directory.text.contains("For Red Nose Day"))
            #expect(try await app.request(.get, "/challenges?status=ended").text.contains(#"id="no-challenges""#))
            #expect(try await app.request(.get, "/challenges?cause=nonsense").status == .unprocessableContent)
            let page = try await app.request(.get, "/challenges/rednoseday?lang=fr")
            #expect(page.status == .ok)
            #expect(page.text.contains(#"<span id="pledge-\#(id)-per-video">2,00\#u{00A0}$</span>"#), "\(page.text)")
            #expect(page.text.contains(#"id="stat-videos">0<"#) && page.text.contains("Red nose"))
            #expect(page.text.contains(#"src="/static/js/challenge.js""#) && !page.text.contains("<script>"))
            #expect(try await app.request(.get, "/challenges/nosuchtag").status == .notFound)
        }
    }

    @Test("an upload from the page checks the CSRF token in its query and streams its body to the video service", arguments: DatabaseKind.enabled)
    func upload(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let cause = try await app.verifiedFundraiser()
            _ = try await ChallengeTests().challenge(app, cause)
            let (cookie, csrf) = try await signedInCookies(app, handle: "maya")
            let clip = try Samples.bytes("dance.mp4")
            // No token, or a wrong one: refused before the body is read.
            #expect(try await post(app, "/challenges/RedNoseDay/videos", cookie: cookie, file: clip, caption: "#RedNoseDay").status == .forbidden)
            #expect(try await post(app, "/challenges/RedNoseDay/videos?_csrf=guess", cookie: cookie, file: clip, caption: "#RedNoseDay").status == .forbidden)
            #expect(try await app.request(.get, "/api/v1/challenges/rednoseday/videos").json()["total"] as? Int == 0)
            // With it: stored, joined, and back to the challenge page.
            let posted = try await post(app, "/challenges/RedNoseDay/videos?_csrf=\(csrf)", cookie: cookie, file: clip, caption: "#RedNoseDay noses on")
            #expect(posted.status == .seeOther && posted.headers[.location] == "/challenges/RedNoseDay")
            #expect(try await app.request(.get, "/api/v1/challenges/rednoseday/videos").json()["total"] as? Int == 1)
            // Not a video: the page again, with the reason.
            let refused = try await post(app, "/challenges/RedNoseDay/videos?_csrf=\(csrf)", cookie: cookie, file: Array("hello".utf8), caption: "#RedNoseDay")
            #expect(refused.status == .unsupportedMediaType && refused.text.contains(#"id="upload-form""#) && refused.text.contains("not a video Goodcast takes"))
            // A challenge that has not started takes no videos from its page.
            let soon = ChallengeTests.iso(Date().addingTimeInterval(86_400))
            let later = ChallengeTests.iso(Date().addingTimeInterval(2 * 86_400))
            let upcoming = try await app.request(.post, "/api/v1/challenges", json: #"{"hashtag":"SoonDay","nonprofitId":"\#(cause.nonprofit)","title":"Soon","startsAt":"\#(soon)","endsAt":"\#(later)","branded":true}"#, token: cause.ownerToken)
            #expect(upcoming.status == .created)
            let early = try await post(app, "/challenges/SoonDay/videos?_csrf=\(csrf)", cookie: cookie, file: clip, caption: "#SoonDay")
            #expect(early.status == .conflict && early.text.contains(#"id="not-running""#))
            #expect(try await app.request(.get, "/api/v1/challenges/rednoseday/videos").json()["total"] as? Int == 1)
        }
    }
}
