@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Accounts")
struct AccountTests {
    @Test("sign up, sign in by handle and by email, who am I", arguments: DatabaseKind.enabled)
    func signUpAndIn(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind, .live) { app in
            // act
            let created = try await app.request(.post, "/api/v1/accounts", json: #"{"handle":"@Maya.Dance","email":"Maya@Example.org","password":"a long password","displayName":"Maya"}"#)
            // check
            #expect(created.status == .created)
            let account = try created.json()
            #expect(account["handle"] as? String == "maya.dance")
            #expect(account["email"] as? String == "maya@example.org")
            #expect(account["passwordHash"] == nil && !created.text.contains("$2"))

            let byHandle = try await app.request(.post, "/api/v1/sessions", json: #"{"handle":"maya.dance","password":"a long password"}"#)
            #expect(byHandle.status == .created)
            let byEmail = try await app.request(.post, "/api/v1/sessions", json: #"{"email":"MAYA@example.org","password":"a long password"}"#)
            #expect(byEmail.status == .created)
            let token = try byEmail.json()["token"] as! String

            let me = try await app.request(.get, "/api/v1/me", token: token)
            #expect(me.status == .ok)
            #expect(try me.json()["displayName"] as? String == "Maya")
            #expect(try me.json()["role"] as? String == "member")
        }
    }

    @Test("sign-up rules: duplicates conflict, short passwords and bad emails are refused", arguments: DatabaseKind.enabled)
    func signUpRules(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            _ = try await app.signUp("sam")
            let sameHandle = try await app.request(.post, "/api/v1/accounts", json: #"{"handle":"SAM","email":"other@example.org","password":"0123456789"}"#)
            #expect(sameHandle.status == .conflict)
            let sameEmail = try await app.request(.post, "/api/v1/accounts", json: #"{"handle":"sam2","email":"sam@example.org","password":"0123456789"}"#)
            #expect(sameEmail.status == .conflict)
            let weak = try await app.request(.post, "/api/v1/accounts", json: #"{"handle":"sam3","email":"not-an-email","password":"short"}"#)
            #expect(weak.status == .unprocessableContent)
            let fields = (try weak.json()["errors"] as? [[String: String]])?.compactMap { $0["field"] }
            #expect(fields == ["email", "password"])
        }
    }

    @Test("a wrong password and an unknown account get the same 401", arguments: DatabaseKind.enabled)
    func wrongPassword(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            _ = try await app.signUp("luca")
            let wrong = try await app.request(.post, "/api/v1/sessions", json: #"{"handle":"luca","password":"not the password"}"#)
            let unknown = try await app.request(.post, "/api/v1/sessions", json: #"{"handle":"nobody","password":"not the password"}"#)
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(try wrong.json()["detail"] as? String == unknown.json()["detail"] as? String)
            // A NUL byte (which PostgreSQL refuses in text) is just a login that matches nobody.
            let nul = try await app.request(.post, "/api/v1/sessions", json: #"{"login":"lu\u0000ca","password":"not the password"}"#)
            #expect(nul.status == .unauthorized)
        }
    }

    @Test("signing out revokes the token; other tokens can be listed and revoked", arguments: DatabaseKind.enabled)
    func revokeTokens(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let (_, first) = try await app.signUp("ana")
            let second = try await app.request(.post, "/api/v1/sessions", json: #"{"handle":"ana","password":"correct horse battery"}"#).json()["token"] as! String

            let list = try await app.request(.get, "/api/v1/me/tokens", token: first).json()["items"] as! [[String: Any]]
            #expect(list.count == 2)
            let secondID = try #require(list.first { $0["current"] as? Bool == false }?["id"] as? String)

            #expect(try await app.request(.delete, "/api/v1/me/tokens/\(secondID)", token: first).status == .noContent)
            #expect(try await app.request(.get, "/api/v1/me", token: second).status == .unauthorized)

            #expect(try await app.request(.delete, "/api/v1/sessions/current", token: first).status == .noContent)
            let after = try await app.request(.get, "/api/v1/me", token: first)
            #expect(after.status == .unauthorized)
            #expect(after.headers[.contentType] == "application/problem+json")
        }
    }

    @Test("sign-in attempts are limited per account, with Retry-After", arguments: DatabaseKind.enabled)
    func signInRateLimit(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind, configure: { $0.signInLimitPerAccount = 3 }) { app in
            _ = try await app.signUp("target")
            for _ in 0..<3 {
                #expect(try await app.request(.post, "/api/v1/sessions", json: #"{"handle":"target","password":"guess guess guess"}"#).status == .unauthorized)
            }
            let limited = try await app.request(.post, "/api/v1/sessions", json: #"{"handle":"target","password":"correct horse battery"}"#)
            #expect(limited.status == .tooManyRequests)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
            // Another account is not affected.
            _ = try await app.signUp("bystander")
        }
    }

    @Test("sign-in attempts are limited per client address", arguments: [DatabaseKind.sqlite])
    func signInAddressLimit(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind, configure: { $0.signInLimitPerAddress = 4 }) { app in
            for index in 0..<4 {
                _ = try await app.request(.post, "/api/v1/sessions", json: #"{"handle":"someone\#(index)","password":"guess guess guess"}"#)
            }
            let limited = try await app.request(.post, "/api/v1/sessions", json: #"{"handle":"someone-else","password":"guess guess guess"}"#)
            #expect(limited.status == .tooManyRequests)
        }
    }
}
