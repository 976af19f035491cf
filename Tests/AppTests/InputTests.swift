@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Bad input gets a clear 4xx problem, never a 500.
@Suite("Input and errors")
struct InputTests {
    @Test("malformed bodies get problem+json 4xx answers", arguments: [DatabaseKind.sqlite])
    func malformedBodies(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind, configure: { $0.maxBodyBytes = 4096 }) { app in
            let cases: [(String, HTTPResponse.Status, String)] = [
                (#"{"handle":"ok_handle","email":"a@b.co","password":"0123456789","admin":true}"#, .badRequest, "unknown-field"),
                (#"{"handle":5,"email":"a@b.co","password":"0123456789"}"#, .unprocessableContent, "validation-failed"),
                (#"{"handle":null}"#, .unprocessableContent, "validation-failed"),
                (#"[1,2]"#, .badRequest, "malformed-body"),
                (#""text""#, .badRequest, "malformed-body"),
                (#"{"handle":"#, .badRequest, "malformed-body"),
                ("", .badRequest, "malformed-body"),
                (String(repeating: "x", count: 5000), .contentTooLarge, "body-too-large"),
            ]
            for (body, status, type) in cases {
                let reply = try await app.request(.post, "/api/v1/accounts", json: body)
                #expect(reply.status == status, "\(body.prefix(40))")
                #expect(reply.headers[.contentType] == "application/problem+json")
                let problem = try reply.json()
                #expect(problem["type"] as? String == "/problems/\(type)")
                #expect((problem["detail"] as? String)?.isEmpty == false)
                #expect(problem["status"] as? Int == Int(status.code))
            }
            var invalidUTF8 = ByteBuffer(string: #"{"handle":""#)
            invalidUTF8.writeBytes([0xFF, 0xFE])
            invalidUTF8.writeString(#""}"#)
            let bad = try await app.client.executeRequest(uri: "/api/v1/accounts", method: .post, headers: [.contentType: "application/json"], body: invalidUTF8)
            #expect(bad.status == .badRequest)
            let form = try await app.request(.post, "/api/v1/accounts", json: "handle=x", headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(form.status == .unsupportedMediaType)
        }
    }

    @Test("unknown paths, bad ids and wrong tokens are problems too", arguments: [DatabaseKind.sqlite])
    func notFound(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let missing = try await app.request(.get, "/api/v1/nothing-here")
            #expect(missing.status == .notFound)
            #expect(try missing.json()["type"] as? String == "/problems/not-found")
            #expect(try await app.request(.get, "/api/v1/nonprofits/not-a-uuid").status == .notFound)
            #expect(try await app.request(.get, "/api/v1/nonprofits/\(UUID())").status == .notFound)
            let badScheme = try await app.request(.get, "/api/v1/me", headers: [.authorization: "Basic abc"])
            #expect(badScheme.status == .unauthorized)
            // Problem types explain themselves.
            let doc = try await app.request(.get, "/problems/validation-failed")
            #expect(doc.status == .ok)
            #expect(doc.text.contains("validation-failed"))
        }
    }

    @Test("pages get a readable HTML error page", arguments: [DatabaseKind.sqlite])
    func htmlErrors(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let reply = try await app.request(.get, "/no/such/page")
            #expect(reply.status == .notFound)
            #expect(reply.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(reply.text.contains("<h1>Something is not right</h1>"))
        }
    }
}

/// The sentence a wrong JSON type gets names the JSON type to send, not a Swift one.
@Suite("Decoding errors in JSON's words")
struct DecodingWordsTests {
    struct Money: Decodable { let amount: Int64; let currency: String }
    struct Gift: Decodable { let amount: Money; let tags: [Money]?; let share: Double? }

    @Test("an object, an array, a number: named as JSON names them")
    func jsonWords() throws {
        let cases: [(String, String, String)] = [
            (#"{"amount":"5,00 GBP"}"#, "amount", "must be an object"),
            (#"{"amount":{"amount":500,"currency":"GBP"},"tags":{}}"#, "tags", "must be an array"),
            (#"{"amount":{"amount":"500","currency":"GBP"}}"#, "amount.amount", "must be a whole number"),
            (#"{"amount":{"amount":500,"currency":"GBP"},"share":"half"}"#, "share", "must be a number"),
        ]
        for (body, field, message) in cases {
            do {
                _ = try JSONDecoder().decode(Gift.self, from: Data(body.utf8))
                Issue.record("\(body) decoded")
            } catch let error as DecodingError {
                let issue = try #require(Problem.decoding(error).issues.first, "\(body)")
                #expect(issue.field == field, "\(body)")
                #expect(issue.message == message, "\(body)")
                #expect(!issue.message.contains("Dictionary") && !issue.message.contains("Swift"), "\(body)")
            }
        }
    }
}
