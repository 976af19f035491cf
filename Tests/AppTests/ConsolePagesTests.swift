@testable import App
import Foundation
import GoodcastCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Nonprofit console page")
struct ConsolePagesTests {
    /// Signs in through the page form as an existing account; returns the browser's cookies.
    static func pageSession(_ app: TestHarness, login: String, password: String = "correct horse battery") async throws -> (cookie: String, csrf: String) {
        let page = try await app.request(.get, "/signin")
        let csrf = try #require(page.cookie(PageMiddleware.csrfCookie))
        let form = "login=\(login)&password=\(password.replacingOccurrences(of: " ", with: "+"))&_csrf=\(csrf)"
        let signedIn = try await app.request(.post, "/signin", headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "\(PageMiddleware.csrfCookie)=\(csrf)"], body: form)
        let session = try #require(signedIn.cookie(IdentityMiddleware.sessionCookie))
        return ("\(PageMiddleware.csrfCookie)=\(csrf); \(IdentityMiddleware.sessionCookie)=\(session)", csrf)
    }

    @Test("the console shows the checklist, the analytics with charts and a CSV, and spends ad credits on a promotion", arguments: DatabaseKind.enabled)
    func console(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let cause = try await app.verifiedFundraiser()
            let (_, donor) = try await app.signUp("donor")
            #expect(try await app.donate(cause.fundraiser, token: donor, amount: 2_500).status == .created)
            let window = { (days: Double) in ISO8601DateFormatter().string(from: Date().addingTimeInterval(days * 86_400)) }
            #expect(try await app.request(.post, "/api/v1/challenges", json: #"{"hashtag":"NoseOn","nonprofitId":"\#(cause.nonprofit)","title":"Nose on","startsAt":"\#(window(-1))","endsAt":"\#(window(5))","branded":true}"#, token: cause.ownerToken).status == .created)
            try await app.services.analytics.rollup.run()
            let path = "/nonprofits/\(cause.nonprofit)/console"
            #expect(try await app.request(.get, path).status == .seeOther, "anonymous: to sign-in")
            let owner = try await Self.pageSession(app, login: "rednoseday")
            let page = try await app.request(.get, path, headers: [.cookie: owner.cookie])
            #expect(page.status == .ok)
            let html = page.text
            // The checklist: verified, a fundraiser and a challenge; no live, no payout details.
            for (step, done) in [("verification", true), ("fundraiser", true), ("challenge", true), ("live", false), ("payout", false)] {
                #expect(html.contains(#"class="step \#(done ? "done" : "")" data-step="\#(step)""#), "step \(step)")
            }
            #expect(html.contains(#"href="/nonprofits/\#(cause.nonprofit.lowercased())/payout-details""#))
            // Figures and charts, drawn on the server; no script inline.
            #expect(html.contains(#"data-metric="donations""#) && html.contains(#"data-metric="net-usd""#))
            #expect(html.contains(#"<svg"#) && html.contains(#"role="img""#) && !html.contains("<script>"))
            let raised = Money(try #require(money(try await app.fundraiser(cause.fundraiser)["raised"])), .usd)
            #expect(html.contains(MoneyFormat.format(raised, language: "en")), "the day's net in dollars")
            #expect(html.contains(#"id="download-csv""#))

            // French: labels and numbers in French.
            let french = try await app.request(.get, path + "?lang=fr", headers: [.cookie: owner.cookie]).text
            #expect(french.contains("Premiers pas") && french.contains(MoneyFormat.format(raised, language: "fr")))

            // A bad range is shown beside the form, with the default figures.
            let bad = try await app.request(.get, path + "?from=2026-02-30", headers: [.cookie: owner.cookie])
            #expect(bad.status == .unprocessableContent && bad.text.contains("must be a day"))

            // The CSV of the range on screen, with the session cookie.
            let today = ISO8601DateFormatter().string(from: Date()).prefix(10)
            let csv = try await app.request(.get, "\(path)/analytics.csv?from=\(today)&to=\(today)", headers: [.cookie: owner.cookie])
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.text.contains("\n\(today),0,0,0,1,1,0,0,\(MoneyFormat.plain(raised))\n"), "\(csv.text)")

            // Someone else: forbidden.
            let stranger = try await ChallengePagesTests().signedInCookies(app, handle: "stranger")
            #expect(try await app.request(.get, path, headers: [.cookie: stranger.cookie]).status == .forbidden)

            // Ad credits: granted by an admin, spent on a promotion from the page, stopped.
            #expect(try await app.request(.post, "/api/v1/admin/nonprofits/\(cause.nonprofit)/ad-credits", json: #"{"credits":50}"#, token: cause.adminToken,
                                          headers: [.init("Idempotency-Key")!: "grant-1"]).status == .created)
            let form = { (budget: String) in "_csrf=\(owner.csrf)&target=challenge%3ANoseOn&budget=\(budget)&endsOn=\(window(3).prefix(10))" }
            let tooMuch = try await app.request(.post, "\(path)/promotions", headers: [.contentType: "application/x-www-form-urlencoded", .cookie: owner.cookie], body: form("80"))
            #expect(tooMuch.status == .conflict && tooMuch.text.contains(#"id="promote-form""#))
            let promoted = try await app.request(.post, "\(path)/promotions", headers: [.contentType: "application/x-www-form-urlencoded", .cookie: owner.cookie], body: form("20"))
            #expect(promoted.status == .seeOther)
            let credits = try await app.request(.get, "/api/v1/nonprofits/\(cause.nonprofit)/ad-credits", token: cause.ownerToken).json()
            #expect(credits["balance"] as? Int == 30)
            let promotion = ((credits["promotions"] as! [[String: Any]]).first!["id"] as! String).lowercased()
            #expect(try await app.request(.get, path, headers: [.cookie: owner.cookie]).text.contains(#"data-promotion-id="\#(promotion)""#))
            let stopped = try await app.request(.post, "\(path)/promotions/\(promotion)/stop", headers: [.contentType: "application/x-www-form-urlencoded", .cookie: owner.cookie], body: "_csrf=\(owner.csrf)")
            #expect(stopped.status == .seeOther)
            #expect(try await app.request(.get, "/api/v1/nonprofits/\(cause.nonprofit)/ad-credits", token: cause.ownerToken).json()["balance"] as? Int == 50)
        }
    }
}
