@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Pages")
struct PagesTests {
    @Test("pages follow Accept-Language, and the switcher's choice sticks in a cookie", arguments: [DatabaseKind.sqlite])
    func languages(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let french = try await app.request(.get, "/", headers: [.acceptLanguage: "fr-CA,fr;q=0.9,en;q=0.5"])
            #expect(french.text.contains(#"<html lang="fr">"#))
            #expect(french.text.contains("Associations"))
            let italian = try await app.request(.get, "/nonprofits?lang=it")
            #expect(italian.text.contains(#"<html lang="it">"#))
            let cookie = try #require(italian.cookie(PageMiddleware.languageCookie))
            let again = try await app.request(.get, "/", headers: [.cookie: "\(PageMiddleware.languageCookie)=\(cookie)", .acceptLanguage: "en"])
            #expect(again.text.contains(#"<html lang="it">"#))
            #expect(french.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
        }
    }

    @Test("every page string is translated into French and Italian")
    func translationsComplete() {
        for feature in Strings.features {
            #expect(Set(feature.en.keys).subtracting(feature.fr.keys).sorted() == [])
            #expect(Set(feature.en.keys).subtracting(feature.it.keys).sorted() == [])
        }
        #expect(Strings.features.map(\.en.count).reduce(0, +) == Strings.allEnglish.count, "no key is defined twice")
    }

    @Test("forms without the CSRF token are refused; with it, sign-up signs in", arguments: DatabaseKind.enabled)
    func csrfAndSignUp(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let form = "handle=webuser&email=web%40example.org&password=a+long+password&_csrf="
            let forged = try await app.request(.post, "/signup", headers: [.contentType: "application/x-www-form-urlencoded"], body: form + "guess")
            #expect(forged.status == .forbidden)

            let page = try await app.request(.get, "/signup")
            let csrf = try #require(page.cookie(PageMiddleware.csrfCookie))
            #expect(page.text.contains(#"name="_csrf" value="\#(csrf)""#))
            let signedUp = try await app.request(.post, "/signup", headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "\(PageMiddleware.csrfCookie)=\(csrf)"], body: form + csrf)
            #expect(signedUp.status == .seeOther)
            let session = try #require(signedUp.cookie(IdentityMiddleware.sessionCookie))
            let setCookie = signedUp.headers[values: .setCookie].joined(separator: "\n")
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax"))

            let home = try await app.request(.get, "/", headers: [.cookie: "\(IdentityMiddleware.sessionCookie)=\(session)"])
            #expect(home.text.contains("@webuser"))
            // The session cookie is for pages only: the API wants a bearer token.
            #expect(try await app.request(.get, "/api/v1/me", headers: [.cookie: "\(IdentityMiddleware.sessionCookie)=\(session)"]).status == .unauthorized)
        }
    }
}

extension TestHarness {
    func request(_ method: HTTPRequest.Method, _ path: String, headers: HTTPFields, body: String) async throws -> Reply {
        let response = try await client.executeRequest(uri: path, method: method, headers: headers, body: ByteBuffer(string: body))
        return Reply(status: response.status, headers: response.headers, body: response.body)
    }
}
