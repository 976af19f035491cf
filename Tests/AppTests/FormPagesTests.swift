@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Form pages")
struct FormPagesTests {
    /// What a signed-in browser sends: its cookies, and the CSRF token its forms echo.
    struct Browser: Sendable {
        let cookie: String
        let csrf: String
    }

    /// Signs in through the sign-in page, as a person would.
    func signIn(_ app: TestHarness, _ login: String, password: String = "correct horse battery") async throws -> Browser {
        let page = try await app.request(.get, "/signin")
        let csrf = try #require(page.cookie(PageMiddleware.csrfCookie))
        let body = "login=\(login)&password=\(password.replacingOccurrences(of: " ", with: "+"))&_csrf=\(csrf)"
        let signedIn = try await app.request(.post, "/signin", headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "\(PageMiddleware.csrfCookie)=\(csrf)"], body: body)
        let session = try #require(signedIn.cookie(IdentityMiddleware.sessionCookie))
        return Browser(cookie: "\(PageMiddleware.csrfCookie)=\(csrf); \(IdentityMiddleware.sessionCookie)=\(session)", csrf: csrf)
    }

    /// A new account, signed up through the page.
    func newAccount(_ app: TestHarness, _ handle: String) async throws -> Browser {
        let (cookie, csrf) = try await ChallengePagesTests().signedInCookies(app, handle: handle)
        return Browser(cookie: cookie, csrf: csrf)
    }

    func get(_ app: TestHarness, _ path: String, as browser: Browser? = nil, language: String? = nil) async throws -> TestHarness.Reply {
        var headers: HTTPFields = [:]
        if let browser { headers[.cookie] = browser.cookie }
        if let language { headers[.acceptLanguage] = language }
        return try await app.request(.get, path, headers: headers)
    }

    /// Posts a form, fields in order (a name may repeat, as checkboxes do), with the CSRF token.
    func post(_ app: TestHarness, _ path: String, as browser: Browser, _ fields: [(String, String)], language: String? = nil) async throws -> TestHarness.Reply {
        func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text }
        let body = (fields + [("_csrf", browser.csrf)]).map { "\(encoded($0.0))=\(encoded($0.1))" }.joined(separator: "&")
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .cookie: browser.cookie]
        if let language { headers[.acceptLanguage] = language }
        return try await app.request(.post, path, headers: headers, body: body)
    }

    @Test("a new live: the form for any account, sign-in first, a goal typed in the page's language, times read as UTC, refusals shown again", arguments: DatabaseKind.enabled)
    func newLive(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            // setup
            let cause = try await app.verifiedFundraiser()
            let owner = try await signIn(app, "rednoseday")
            let (_, applicant) = try await app.signUp("newcomer")
            let pending = try await app.applyNonprofit(applicant, name: "Pending Org", number: "999")
            // act, check: who sees the form
            let anonymous = try await get(app, "/lives/new?nonprofit=\(cause.nonprofit)")
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers[.location] == "/signin?next=/lives/new%3Fnonprofit%3D\(cause.nonprofit)")
            let form = try await get(app, "/lives/new?nonprofit=\(cause.nonprofit)", as: owner)
            #expect(form.status == .ok && form.text.contains(#"id="live-form""#) && form.text.contains(#"type="datetime-local""#))
            #expect(form.text.contains(#"<option value="\#(cause.nonprofit.lowercased())" selected>Red Nose Day</option>"#))
            #expect(form.text.contains("Times are in UTC") && form.text.contains(#"<option value="GBP" selected>"#))
            #expect(try await get(app, "/lives/new?nonprofit=\(pending)", as: owner).status == .notFound)

            // Created through the live service: a fundraiser for the nonprofit, the time as UTC.
            let created = try await post(app, "/lives/new", as: owner, [
                ("title", "Noses on"), ("description", "An evening of sketches"), ("language", "en"), ("scheduledAt", "2030-11-30T19:00"),
                ("playbackUrl", "https://www.youtube.com/embed/abc123"), ("currency", "GBP"), ("fundraiserNonprofitId", cause.nonprofit),
                ("goal", "1,234.50"), ("ticketPrice", ""), ("ticketNonprofitId", ""),
            ])
            #expect(created.status == .seeOther)
            let location = try #require(created.headers[.location])
            #expect(location.hasPrefix("/lives/") && location.hasSuffix("/host"))
            let id = location.split(separator: "/")[1]
            let live = try await app.request(.get, "/api/v1/lives/\(id)", token: cause.ownerToken).json()
            #expect(live["title"] as? String == "Noses on" && live["scheduledAt"] as? String == "2030-11-30T19:00:00Z")
            #expect(live["playbackUrl"] as? String == "https://www.youtube.com/embed/abc123")
            let fundraiser = try await app.fundraiser(try #require(live["fundraiserId"] as? String))
            #expect(money(fundraiser["goal"]) == 123_450 && (fundraiser["goal"] as? [String: Any])?["currency"] as? String == "GBP")
            #expect(try await get(app, location, as: owner).status == .ok)

            // Refused: the form again, with each field's message beside what was typed.
            let refused = try await post(app, "/lives/new", as: owner, [
                ("title", "Second live"), ("playbackUrl", "http://example.org/live.m3u8"), ("currency", "USD"),
                ("fundraiserNonprofitId", cause.nonprofit), ("goal", "lots"),
            ])
            #expect(refused.status == .unprocessableContent && refused.text.contains(#"id="live-form""#))
            #expect(refused.text.contains("<strong>Goal</strong>: write the amount with digits only, such as $12.50"))
            #expect(refused.text.contains(#"value="Second live""#))
            let badURL = try await post(app, "/lives/new", as: owner, [("title", "Second live"), ("playbackUrl", "http://example.org/live.m3u8"), ("currency", "USD")])
            #expect(badURL.status == .unprocessableContent && badURL.text.contains("<strong>Playback address (optional)</strong>: must be an https address"))
            #expect(try await app.request(.get, "/api/v1/lives/\(id)").status == .ok)
        }
    }

    @Test("the live form in French: amounts written the French way, refusals in French around the service's message", arguments: DatabaseKind.enabled)
    func newLiveInFrench(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            // setup
            let cause = try await app.verifiedFundraiser(country: "FR")
            let owner = try await signIn(app, "rednoseday")
            // check
            let form = try await get(app, "/lives/new?nonprofit=\(cause.nonprofit)", as: owner, language: "fr")
            #expect(form.text.contains(#"<html lang="fr">"#) && form.text.contains("Les heures sont en UTC") && form.text.contains(#"<option value="EUR" selected>"#))
            #expect(form.text.contains("1\u{202F}000,00"))
            let refused = try await post(app, "/lives/new", as: owner, [
                ("title", "Nez rouges"), ("currency", "EUR"), ("fundraiserNonprofitId", cause.nonprofit), ("goal", "12.50"),
            ], language: "fr")
            #expect(refused.status == .unprocessableContent && refused.text.contains(#"<html lang="fr">"#))
            #expect(refused.text.contains("<strong>Objectif</strong>: write the amount with digits only, such as 12,50\u{00A0}€"))
            let created = try await post(app, "/lives/new", as: owner, [
                ("title", "Nez rouges"), ("language", "fr"), ("currency", "EUR"), ("fundraiserNonprofitId", cause.nonprofit),
                ("goal", "1 234,50"), ("ticketPrice", "12,50"), ("ticketNonprofitId", cause.nonprofit),
            ], language: "fr")
            #expect(created.status == .seeOther)
            let id = try #require(created.headers[.location]).split(separator: "/")[1]
            let live = try await app.request(.get, "/api/v1/lives/\(id)", token: cause.ownerToken).json()
            #expect(money(live["ticketPrice"]) == 1_250 && live["language"] as? String == "fr" && (live["scheduledAt"] as? String) == nil)
            #expect(money(try await app.fundraiser(try #require(live["fundraiserId"] as? String))["goal"]) == 123_450)
        }
    }

    @Test("a new challenge: the team of a verified nonprofit launches it in its name; others are refused; unbranded ones are for admins", arguments: DatabaseKind.enabled)
    func newChallenge(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            // setup
            let cause = try await app.verifiedFundraiser()
            let owner = try await signIn(app, "rednoseday")
            let stranger = try await newAccount(app, "stranger")
            // check: who sees the form
            let anonymous = try await get(app, "/challenges/new")
            #expect(anonymous.status == .seeOther && anonymous.headers[.location] == "/signin?next=/challenges/new")
            #expect(try await get(app, "/challenges/new", as: stranger).status == .forbidden)
            #expect(try await get(app, "/challenges/new?nonprofit=\(cause.nonprofit)", as: stranger).status == .forbidden)
            let form = try await get(app, "/challenges/new?nonprofit=\(cause.nonprofit)", as: owner)
            #expect(form.status == .ok && form.text.contains(#"id="challenge-form""#) && form.text.contains("Times are in UTC"))
            #expect(form.text.contains(#"<option value="\#(cause.nonprofit.lowercased())" selected>Red Nose Day</option>"#))
            #expect(form.text.contains(#"id="branded" checked"#) && form.text.contains(#"id="branded-hint""#))

            // act: launched through the challenge service, then its page
            let fields: [(String, String)] = [
                ("hashtag", "#FormDay"), ("title", "Form day"), ("description", "Fill in a form, on video"), ("rules", "One form per video"),
                ("effect", "Red nose"), ("startsAt", "2030-01-01T10:00"), ("endsAt", "2030-01-15T10:00"), ("nonprofitId", cause.nonprofit),
            ]
            let created = try await post(app, "/challenges/new", as: owner, fields + [("branded", "on")])
            #expect(created.status == .seeOther && created.headers[.location] == "/challenges/FormDay")
            let challenge = try await app.request(.get, "/api/v1/challenges/formday").json()
            #expect(challenge["title"] as? String == "Form day" && challenge["branded"] as? Bool == true && challenge["effect"] as? String == "Red nose")
            #expect(challenge["startsAt"] as? String == "2030-01-01T10:00:00Z" && challenge["endsAt"] as? String == "2030-01-15T10:00:00Z")
            #expect((challenge["nonprofit"] as? [String: Any])?["name"] as? String == "Red Nose Day")

            // Refused: dates the wrong way round, a hashtag taken, unbranded by a member, a stranger's post.
            var backwards = fields
            backwards[0] = ("hashtag", "OtherDay")
            backwards[6] = ("endsAt", "2029-12-01T10:00")
            let refused = try await post(app, "/challenges/new", as: owner, backwards + [("branded", "on")])
            #expect(refused.status == .unprocessableContent && refused.text.contains("<strong>Ends</strong>: must be after startsAt"))
            #expect(refused.text.contains(#"value="OtherDay""#) && refused.text.contains(#"value="2029-12-01T10:00""#))
            let taken = try await post(app, "/challenges/new", as: owner, fields + [("branded", "on")])
            #expect(taken.status == .conflict && taken.text.contains("<strong>Hashtag</strong>: is taken"))
            var other = fields
            other[0] = ("hashtag", "OtherDay")
            let unbranded = try await post(app, "/challenges/new", as: owner, other)
            #expect(unbranded.status == .forbidden && unbranded.text.contains("only platform admins launch unbranded challenges"))
            #expect(unbranded.text.contains(#"id="challenge-form""#) && !unbranded.text.contains(#"id="branded" checked"#))
            #expect(try await post(app, "/challenges/new", as: stranger, other + [("branded", "on")]).status == .forbidden)
            #expect(try await app.request(.get, "/api/v1/challenges/otherday").status == .notFound)

            // A platform admin may launch one in no nonprofit's name.
            let admin = try await signIn(app, "root", password: "admin password 1")
            let adminForm = try await get(app, "/challenges/new", as: admin)
            #expect(adminForm.status == .ok && adminForm.text.contains(#"<option value="" selected>No nonprofit (unbranded)</option>"#))
            var platform = other
            platform[7] = ("nonprofitId", "")
            #expect(try await post(app, "/challenges/new", as: admin, platform).headers[.location] == "/challenges/OtherDay")
            #expect(try await app.request(.get, "/api/v1/challenges/otherday").json()["branded"] as? Bool == false)
        }
    }

    @Test("editing the nonprofit's profile: owners only, every field from the form, refusals shown again (in French too)", arguments: DatabaseKind.enabled)
    func editProfile(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            // setup
            let cause = try await app.verifiedFundraiser()
            let owner = try await signIn(app, "rednoseday")
            let teammate = try await newAccount(app, "teammate")
            let stranger = try await newAccount(app, "stranger")
            let added = try await app.request(.post, "/api/v1/nonprofits/\(cause.nonprofit)/members", json: #"{"handle":"teammate","role":"member"}"#, token: cause.ownerToken)
            #expect(added.status == .created)
            let path = "/nonprofits/\(cause.nonprofit.lowercased())/edit"
            // check: who sees the form, and the links to it
            let anonymous = try await get(app, path)
            #expect(anonymous.status == .seeOther && anonymous.headers[.location] == "/signin?next=\(path)")
            #expect(try await get(app, path, as: teammate).status == .forbidden)
            #expect(try await get(app, path, as: stranger).status == .forbidden)
            let form = try await get(app, path, as: owner)
            #expect(form.status == .ok && form.text.contains(#"id="profile-form""#) && form.text.contains(#"value="https://example.org""#))
            #expect(form.text.contains(#"id="cause-humanitarian-relief" checked"#) && !form.text.contains(#"id="cause-education" checked"#))
            let profile = try await get(app, "/nonprofits/\(cause.nonprofit)", as: owner).text
            #expect(profile.contains(#"href="\#(path)" id="edit-profile-link""#) && profile.contains(#"id="payout-details-link""#))
            #expect(profile.contains(#"id="new-live-link""#) && profile.contains(#"id="new-challenge-link""#))
            let teamView = try await get(app, "/nonprofits/\(cause.nonprofit)", as: teammate).text
            #expect(!teamView.contains(#"id="edit-profile-link""#) && teamView.contains(#"id="new-challenge-link""#))
            #expect(!(try await get(app, "/nonprofits/\(cause.nonprofit)", as: stranger).text.contains(#"id="new-live-link""#)))

            // act: saved through the profile service, then the nonprofit's page
            let saved = try await post(app, path, as: owner, [
                ("description", "Comic relief\nsince 1988"), ("website", "https://www.comicrelief.com"), ("causes", "education"), ("causes", "community"),
            ])
            #expect(saved.status == .seeOther && saved.headers[.location] == "/nonprofits/\(cause.nonprofit.lowercased())")
            let nonprofit = try await app.request(.get, "/api/v1/nonprofits/\(cause.nonprofit)").json()
            #expect(nonprofit["description"] as? String == "Comic relief\nsince 1988" && nonprofit["website"] as? String == "https://www.comicrelief.com")
            #expect(Set(nonprofit["causes"] as? [String] ?? []) == ["education", "community"])
            #expect(try await post(app, path, as: teammate, [("description", ""), ("website", "https://example.org"), ("causes", "hunger")]).status == .forbidden)

            // Refused: the form again, with what was typed; in French, French labels around the service's message.
            let refused = try await post(app, path, as: owner, [("description", "Shorter"), ("website", "https://www.comicrelief.com")])
            #expect(refused.status == .unprocessableContent && refused.text.contains("<strong>Causes</strong>: choose at least one cause"))
            #expect(refused.text.contains(">Shorter</textarea>"))
            let french = try await post(app, path, as: owner, [("description", ""), ("website", "nope"), ("causes", "hunger")], language: "fr")
            #expect(french.status == .unprocessableContent && french.text.contains(#"<html lang="fr">"#) && french.text.contains("Modifier le profil"))
            #expect(french.text.contains("<strong>Site web</strong>: "))
            #expect(try await app.request(.get, "/api/v1/nonprofits/\(cause.nonprofit)").json()["website"] as? String == "https://www.comicrelief.com")
        }
    }

    @Test("payout details: the team sees them masked, owners set an IBAN or a US account, the full number never shows", arguments: DatabaseKind.enabled)
    func payoutDetails(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            // setup
            let cause = try await app.verifiedFundraiser()
            let owner = try await signIn(app, "rednoseday")
            let teammate = try await newAccount(app, "teammate")
            let stranger = try await newAccount(app, "stranger")
            _ = try await app.request(.post, "/api/v1/nonprofits/\(cause.nonprofit)/members", json: #"{"handle":"teammate","role":"member"}"#, token: cause.ownerToken)
            let path = "/nonprofits/\(cause.nonprofit.lowercased())/payout-details"
            // check: who sees what
            let anonymous = try await get(app, path)
            #expect(anonymous.status == .seeOther && anonymous.headers[.location] == "/signin?next=\(path)")
            #expect(try await get(app, path, as: stranger).status == .forbidden)
            let teamView = try await get(app, path, as: teammate)
            #expect(teamView.status == .ok && teamView.text.contains(#"id="no-payout-details""#) && teamView.text.contains(#"id="owners-only""#))
            #expect(!teamView.text.contains(#"id="payout-form""#))
            let form = try await get(app, path, as: owner)
            #expect(form.status == .ok && form.text.contains(#"id="payout-form""#) && form.text.contains(#"id="method-iban" checked"#))
            let iban: [(String, String)] = [
                ("accountHolder", "Red Nose Day"), ("method", "iban"), ("iban", "gb82 west 1234 5698 7654 32"), ("routingNumber", ""), ("accountNumber", ""),
            ]
            #expect(try await post(app, path, as: teammate, iban).status == .forbidden)

            // act: an IBAN, through the payout-details service; back to the page, masked
            let saved = try await post(app, path, as: owner, iban)
            #expect(saved.status == .seeOther && saved.headers[.location] == "\(path)?saved=1")
            let shown = try await get(app, "\(path)?saved=1", as: owner)
            #expect(shown.text.contains(#"id="payout-saved""#) && shown.text.contains(#"<dd id="current-masked">IBAN GB82 •••• 5432</dd>"#))
            #expect(!shown.text.contains("12345698765432") && !shown.text.contains("WEST"))
            #expect(try await get(app, path, as: teammate).text.contains("IBAN GB82 •••• 5432"))
            let api = try await app.request(.get, "/api/v1/nonprofits/\(cause.nonprofit)/payout-details", token: cause.ownerToken).json()
            #expect(api["masked"] as? String == "IBAN GB82 •••• 5432" && api["method"] as? String == "iban")

            // Refused: a typo in the routing number; what was typed comes back except the numbers.
            let us: [(String, String)] = [("accountHolder", "Red Nose Day US"), ("method", "us_bank"), ("iban", ""), ("routingNumber", "011000016"), ("accountNumber", "123456789")]
            let refused = try await post(app, path, as: owner, us)
            #expect(refused.status == .unprocessableContent && refused.text.contains("<strong>Routing number (ABA, 9 digits)</strong>: is not a valid ABA routing number"))
            #expect(refused.text.contains(#"value="Red Nose Day US""#) && refused.text.contains(#"id="method-us" checked"#) && !refused.text.contains("123456789"))
            #expect(try await post(app, path, as: owner, [("accountHolder", "Red Nose Day")]).text.contains("<strong>IBAN</strong>: send an IBAN"))
            var fixed = us
            fixed[3] = ("routingNumber", "011000015")
            #expect(try await post(app, path, as: owner, fixed).status == .seeOther)
            let usAPI = try await app.request(.get, "/api/v1/nonprofits/\(cause.nonprofit)/payout-details", token: cause.ownerToken).json()
            #expect(usAPI["masked"] as? String == "US •••• 6789" && usAPI["accountHolder"] as? String == "Red Nose Day US")
        }
    }
}
