@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Giving program pages")
struct ProgramPagesTests {
    /// Signs in through the page form; returns the cookies a browser would then send.
    func signIn(_ app: TestHarness, login: String, password: String) async throws -> (cookie: String, csrf: String) {
        let page = try await app.request(.get, "/signin")
        let csrf = try #require(page.cookie(PageMiddleware.csrfCookie))
        let body = "login=\(login)&password=\(password.replacingOccurrences(of: " ", with: "+"))&_csrf=\(csrf)"
        let signedIn = try await app.request(.post, "/signin", headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "\(PageMiddleware.csrfCookie)=\(csrf)"], body: body)
        let session = try #require(signedIn.cookie(IdentityMiddleware.sessionCookie))
        return ("\(PageMiddleware.csrfCookie)=\(csrf); \(IdentityMiddleware.sessionCookie)=\(session)", csrf)
    }

    func post(_ app: TestHarness, _ path: String, _ browser: (cookie: String, csrf: String), _ fields: String) async throws -> TestHarness.Reply {
        try await app.request(.post, path, headers: [.contentType: "application/x-www-form-urlencoded", .cookie: browser.cookie], body: fields + "&_csrf=\(browser.csrf)")
    }

    func get(_ app: TestHarness, _ path: String, _ browser: (cookie: String, csrf: String)) async throws -> TestHarness.Reply {
        try await app.request(.get, path, headers: [.cookie: browser.cookie])
    }

    /// A program made through the API: a $60 grant to the cause, and maya invited for $15.
    func program(_ app: TestHarness, _ cause: TestHarness.Cause, deadline: Date) async throws {
        let body = #"{"slug":"creators-for-good","title":"Creators for good","description":"Money from the platform.","budget":{"amount":10000,"currency":"USD"},"creatorDeadline":"\#(ISO8601DateFormatter().string(from: deadline))"}"#
        let created = try await app.request(.post, "/api/v1/admin/programs", json: body, token: cause.adminToken)
        #expect(created.status == .created, "\(created.text)")
        let granted = try await app.request(.post, "/api/v1/admin/programs/creators-for-good/grants", json: #"{"nonprofitId":"\#(cause.nonprofit)","amount":6000}"#,
                                            token: cause.adminToken, headers: [.init("Idempotency-Key")!: "grant-1"])
        #expect(granted.status == .created, "\(granted.text)")
        let invited = try await app.request(.post, "/api/v1/admin/programs/creators-for-good/invitations", json: #"{"handle":"maya","amount":1500}"#, token: cause.adminToken)
        #expect(invited.status == .created, "\(invited.text)")
    }

    @Test("anyone sees where the money went; an invited creator chooses once, from the page", arguments: DatabaseKind.enabled)
    func publicPageAndChoice(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            // setup
            let cause = try await app.verifiedFundraiser()
            let nonprofit = cause.nonprofit.lowercased()
            let maya = try await ChallengePagesTests().signedInCookies(app, handle: "maya")
            try await program(app, cause, deadline: Date().addingTimeInterval(7 * 86_400))

            // act: anonymous visitors
            var shown = try await app.request(.get, "/programs/creators-for-good")
            #expect(shown.status == .ok)
            #expect(shown.text.contains(#"id="program-budget">$100.00<"#) && shown.text.contains(#"id="program-granted">$60.00<"#), "\(shown.text)")
            #expect(shown.text.contains(#"id="program-left">$25.00<"#) && shown.text.contains(#"id="program-waiting">1<"#))
            #expect(shown.text.contains(#"href="/nonprofits/\#(nonprofit)">Red Nose Day</a>"#) && !shown.text.contains("@maya"))
            let french = try await app.request(.get, "/programs/creators-for-good", headers: [.acceptLanguage: "fr"])
            #expect(french.text.contains(#"<html lang="fr">"#) && french.text.contains("id=\"program-granted\">60,00\u{00A0}$<"), "\(french.text)")
            #expect(french.text.contains("Où est allé l’argent"))
            #expect(try await app.request(.get, "/programs/no-such-program").status == .notFound)
            let anonymous = try await app.request(.get, "/me/program-invitations")
            #expect(anonymous.status == .seeOther && anonymous.headers[.location] == "/signin?next=/me/program-invitations")

            // act: maya's invitations, a search, then her choice
            var mine = try await get(app, "/me/program-invitations", maya)
            #expect(mine.status == .ok && mine.text.contains("Creators for good") && mine.text.contains("$15.00"))
            #expect(mine.text.contains(#"action="/me/program-invitations/creators-for-good/choose""#) && mine.text.contains(#"<option value="\#(nonprofit)">"#))
            let searched = try await get(app, "/me/program-invitations?q=nothing+like+it", maya)
            #expect(searched.text.contains(#"id="no-match""#) && !searched.text.contains("choose-form"))
            #expect(try await get(app, "/me/program-invitations?q=red+nose", maya).text.contains(#"<option value="\#(nonprofit)">"#))
            let forged = try await app.request(.post, "/me/program-invitations/creators-for-good/choose", headers: [.contentType: "application/x-www-form-urlencoded", .cookie: maya.cookie],
                                               body: "nonprofitId=\(cause.nonprofit)&_csrf=guess")
            #expect(forged.status == .forbidden)
            let chose = try await post(app, "/me/program-invitations/creators-for-good/choose", maya, "nonprofitId=\(cause.nonprofit)")
            #expect(chose.status == .seeOther && chose.headers[.location] == "/me/program-invitations", "\(chose.text)")

            // check: the choice shows, read-only; a second one is refused with the reason
            mine = try await get(app, "/me/program-invitations", maya)
            #expect(mine.text.contains("You gave your share to") && mine.text.contains(#"class="chosen-nonprofit">Red Nose Day<"#))
            #expect(!mine.text.contains("choose-form") && mine.text.contains(#"data-status="given""#))
            let again = try await post(app, "/me/program-invitations/creators-for-good/choose", maya, "nonprofitId=\(cause.nonprofit)")
            #expect(again.status == .conflict && again.text.contains("you have given your share already"), "\(again.text)")
            shown = try await app.request(.get, "/programs/creators-for-good")
            #expect(shown.text.contains("chosen by @maya") && shown.text.contains(#"id="program-waiting">0<"#))
            #expect(shown.text.contains(#"class="total-amount">$75.00<"#) && shown.text.contains(#"id="program-granted">$75.00<"#))
            // Someone not invited is told so.
            let luca = try await ChallengePagesTests().signedInCookies(app, handle: "luca")
            #expect(try await get(app, "/me/program-invitations", luca).text.contains(#"id="no-invitations""#))
            let stranger = try await post(app, "/me/program-invitations/creators-for-good/choose", luca, "nonprofitId=\(cause.nonprofit)")
            #expect(stranger.status == .forbidden && stranger.text.contains("not invited"))
            try await app.verifyLedger()
        }
    }

    @Test("admins create, grant, invite and close from the pages; others get 403", arguments: DatabaseKind.enabled)
    func adminPages(_ kind: DatabaseKind) async throws {
        let clock = ShiftableClock()
        try await withTestApp(kind, clock: clock.appClock) { app in
            // setup
            let cause = try await app.verifiedFundraiser()
            let maya = try await ChallengePagesTests().signedInCookies(app, handle: "maya")
            let admin = try await signIn(app, login: "root", password: "admin password 1")

            // Only platform admins; visitors sign in first.
            #expect(try await app.request(.get, "/admin/programs/new").headers[.location] == "/signin?next=/admin/programs/new")
            #expect(try await get(app, "/admin/programs/new", maya).status == .forbidden)
            #expect(try await post(app, "/admin/programs/new", maya, "title=Mine&slug=mine").status == .forbidden)
            #expect(try await post(app, "/admin/programs/creators-for-good/close", maya, "").status == .forbidden)

            // act: create, with a mistake first; the form keeps what was typed
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
            let deadline = formatter.string(from: clock.appClock.now().addingTimeInterval(7 * 86_400))
            let fields = "title=Creators+for+good&description=From+the+platform&amount=100&currency=USD&creatorDeadline=\(deadline)&unchosen=default&defaultNonprofitId=\(cause.nonprofit)"
            let refused = try await post(app, "/admin/programs/new", admin, fields + "&slug=no")
            #expect(refused.status == .unprocessableContent && refused.text.contains("must be 3 to 40 characters") && refused.text.contains(#"value="Creators for good""#))
            let created = try await post(app, "/admin/programs/new", admin, fields + "&slug=creators-for-good")
            #expect(created.status == .seeOther && created.headers[.location] == "/admin/programs/creators-for-good", "\(created.text)")
            var page = try await get(app, "/admin/programs/creators-for-good", admin)
            #expect(page.status == .ok && page.text.contains(#"id="program-budget">$100.00<"#))
            #expect(try await get(app, "/admin/programs/new", admin).text.contains(#"href="/admin/programs/creators-for-good""#))
            #expect(try await get(app, "/admin/programs/creators-for-good", maya).status == .forbidden)
            let home = try await get(app, "/", maya)
            #expect(page.text.contains(#"id="nav-programs""#) && !home.text.contains(#"id="nav-programs""#))

            // Grants carry the form's idempotency key: a double submit grants once.
            let key = try #require(page.text.firstMatch(of: /name="idempotencyKey" value="([^"]+)"/)?.1)
            let grant = "nonprofitId=\(cause.nonprofit)&amount=25.50&idempotencyKey=\(key)"
            #expect(try await post(app, "/admin/programs/creators-for-good/grants", admin, grant).status == .seeOther)
            #expect(try await post(app, "/admin/programs/creators-for-good/grants", admin, grant).status == .seeOther)
            let badAmount = try await post(app, "/admin/programs/creators-for-good/grants", admin, "nonprofitId=\(cause.nonprofit)&amount=lots&idempotencyKey=k-2")
            #expect(badAmount.status == .unprocessableContent && badAmount.text.contains("digits"))
            let tooMuch = try await post(app, "/admin/programs/creators-for-good/grants", admin, "nonprofitId=\(cause.nonprofit)&amount=1000&idempotencyKey=k-3")
            #expect(tooMuch.status == .conflict && tooMuch.text.contains("has not that much left"))
            #expect(money(try await app.request(.get, "/api/v1/programs/creators-for-good").json()["granted"]) == 2550)

            // Invitations: by handle, with an amount in the page's language.
            #expect(try await post(app, "/admin/programs/creators-for-good/invitations", admin, "handle=%40maya&amount=10").status == .seeOther)
            let unknown = try await post(app, "/admin/programs/creators-for-good/invitations", admin, "handle=nobody&amount=10")
            #expect(unknown.status == .unprocessableContent && unknown.text.contains("is not an account"))
            page = try await get(app, "/admin/programs/creators-for-good", admin)
            #expect(page.text.contains("@maya · $10.00"))
            #expect(try await get(app, "/me/program-invitations", maya).text.contains("$10.00"))

            // Closing: refused before the deadline; after it, maya's unchosen share goes to the default.
            let early = try await post(app, "/admin/programs/creators-for-good/close", admin, "")
            #expect(early.status == .conflict && early.text.contains("close the program after it"))
            clock.advance(8 * 86_400)
            #expect(try await get(app, "/me/program-invitations", maya).text.contains("The deadline has passed."))
            #expect(try await post(app, "/admin/programs/creators-for-good/close", admin, "").status == .seeOther)
            #expect(try await get(app, "/admin/programs/creators-for-good", admin).text.contains(#"id="program-closed""#))
            let shown = try await app.request(.get, "/programs/creators-for-good?lang=it")
            #expect(shown.text.contains("quota non assegnata di @maya") && shown.text.contains("id=\"program-granted\">35,50\u{00A0}$<"), "\(shown.text)")
            #expect(try await get(app, "/me/program-invitations", maya).text.contains(#"data-status="defaulted""#))
            try await app.verifyLedger()
        }
    }
}
