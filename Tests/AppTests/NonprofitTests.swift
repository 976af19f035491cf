@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Nonprofits")
struct NonprofitTests {
    @Test("apply, verify, then listed in the directory", arguments: DatabaseKind.enabled)
    func applyAndVerify(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind, .live) { app in
            // setup
            let (_, owner) = try await app.signUp("rednose")
            let (_, stranger) = try await app.signUp("stranger")
            let admin = try await app.admin()
            // act
            let id = try await app.applyNonprofit(owner)
            // check: pending is private
            #expect(try await app.request(.get, "/api/v1/nonprofits").json()["total"] as? Int == 0)
            #expect(try await app.request(.get, "/api/v1/nonprofits/\(id)", token: stranger).status == .notFound)
            #expect(try await app.request(.get, "/api/v1/nonprofits/\(id)", token: owner).json()["status"] as? String == "pending")
            let queue = try await app.request(.get, "/api/v1/admin/nonprofits", token: admin).json()["items"] as! [[String: Any]]
            #expect(queue.map { $0["id"] as? String } == [id])
            // only admins verify
            #expect(try await app.request(.post, "/api/v1/admin/nonprofits/\(id)/verify", token: owner).status == .forbidden)
            #expect(try await app.request(.post, "/api/v1/admin/nonprofits/\(id)/verify").status == .unauthorized)
            let verified = try await app.request(.post, "/api/v1/admin/nonprofits/\(id)/verify", token: admin)
            #expect(try verified.json()["status"] as? String == "verified")
            let directory = try await app.request(.get, "/api/v1/nonprofits").json()
            #expect(directory["total"] as? Int == 1)
            #expect(try await app.request(.get, "/api/v1/nonprofits/\(id)").status == .ok)
        }
    }

    @Test("rejection needs a reason, which only the nonprofit's team sees", arguments: DatabaseKind.enabled)
    func reject(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let (_, owner) = try await app.signUp("applicant")
            let admin = try await app.admin()
            let id = try await app.applyNonprofit(owner)
            #expect(try await app.request(.post, "/api/v1/admin/nonprofits/\(id)/reject", json: #"{"reason":"  "}"#, token: admin).status == .unprocessableContent)
            let rejected = try await app.request(.post, "/api/v1/admin/nonprofits/\(id)/reject", json: #"{"reason":"registration number not found"}"#, token: admin)
            #expect(try rejected.json()["status"] as? String == "rejected")
            let seen = try await app.request(.get, "/api/v1/me/nonprofits", token: owner).json()["items"] as! [[String: Any]]
            #expect((seen.first?["nonprofit"] as? [String: Any])?["rejectionReason"] as? String == "registration number not found")
            #expect(try await app.request(.get, "/api/v1/nonprofits").json()["total"] as? Int == 0)
        }
    }

    @Test("the same registration in the same country cannot apply twice", arguments: DatabaseKind.enabled)
    func duplicateRegistration(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let (_, owner) = try await app.signUp("first")
            let (_, other) = try await app.signUp("second")
            _ = try await app.applyNonprofit(owner, number: "1075032")
            let again = try await app.request(.post, "/api/v1/nonprofits", json: #"{"name":"Copy","country":"GB","registrationNumber":"1075032","causes":["community"],"website":"example.org"}"#, token: other)
            #expect(again.status == .conflict)
            _ = try await app.applyNonprofit(other, name: "Same number elsewhere", country: "IE", number: "1075032")
        }
    }

    @Test("directory search by name, cause and country, paginated", arguments: DatabaseKind.enabled)
    func directorySearch(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let admin = try await app.admin()
            let (_, owner) = try await app.signUp("owner")
            let entries = [("Youth Music", "GB", #"["arts-and-music","community"]"#), ("UNICEF", "US", #"["childrens-rights"]"#),
                           ("Movember", "AU", #"["health-and-wellbeing"]"#), ("Music 100% Fund_", "IT", #"["arts-and-music"]"#)]
            for (index, entry) in entries.enumerated() {
                let id = try await app.applyNonprofit(owner, name: entry.0, country: entry.1, number: "R\(index)", causes: entry.2)
                _ = try await app.request(.post, "/api/v1/admin/nonprofits/\(id)/verify", token: admin)
            }
            func names(_ query: String) async throws -> [String] {
                let reply = try await app.request(.get, "/api/v1/nonprofits?\(query)")
                guard reply.status == .ok else { throw TestFailure("\(query): \(reply.status) \(reply.text)") }
                return (try reply.json()["items"] as! [[String: Any]]).map { $0["name"] as! String }
            }
            #expect(try await names("q=music") == ["Music 100% Fund_", "Youth Music"])
            #expect(try await names("q=100%25") == ["Music 100% Fund_"])
            #expect(try await names("q=_") == ["Music 100% Fund_"])
            #expect(try await names("cause=arts-and-music&country=gb") == ["Youth Music"])
            #expect(try await names("cause=childrens-rights") == ["UNICEF"])
            #expect(try await names("perPage=2&page=2") == ["UNICEF", "Youth Music"])
            #expect(try await app.request(.get, "/api/v1/nonprofits?cause=cats").status == .unprocessableContent)
            #expect(try await app.request(.get, "/api/v1/nonprofits?country=XX").status == .unprocessableContent)
            #expect(try await app.request(.get, "/api/v1/nonprofits?page=0").status == .unprocessableContent)
        }
    }

    @Test("owners add members; the last owner cannot be removed", arguments: DatabaseKind.enabled)
    func members(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let (ownerID, owner) = try await app.signUp("boss")
            let (helperID, helper) = try await app.signUp("helper")
            let (_, outsider) = try await app.signUp("outsider")
            let id = try await app.applyNonprofit(owner)
            #expect(try await app.request(.post, "/api/v1/nonprofits/\(id)/members", json: #"{"handle":"helper"}"#, token: outsider).status == .notFound)
            let added = try await app.request(.post, "/api/v1/nonprofits/\(id)/members", json: #"{"handle":"helper"}"#, token: owner)
            #expect(added.status == .created)
            #expect(try await app.request(.post, "/api/v1/nonprofits/\(id)/members", json: #"{"handle":"helper"}"#, token: owner).status == .conflict)
            #expect(try await app.request(.post, "/api/v1/nonprofits/\(id)/members", json: #"{"handle":"ghost"}"#, token: owner).status == .unprocessableContent)
            // A member sees the team but cannot change it.
            #expect(try await app.request(.get, "/api/v1/nonprofits/\(id)/members", token: helper).json()["items"].map { ($0 as! [Any]).count } == 2)
            #expect(try await app.request(.post, "/api/v1/nonprofits/\(id)/members", json: #"{"handle":"outsider"}"#, token: helper).status == .forbidden)
            #expect(try await app.request(.delete, "/api/v1/nonprofits/\(id)/members/\(ownerID)", token: owner).status == .conflict)
            #expect(try await app.request(.delete, "/api/v1/nonprofits/\(id)/members/\(helperID)", token: owner).status == .noContent)
        }
    }

    @Test("following is idempotent and every change is kept with its date", arguments: DatabaseKind.enabled)
    func follow(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let admin = try await app.admin()
            let (_, owner) = try await app.signUp("movember")
            let (_, fan) = try await app.signUp("fan")
            let (_, other) = try await app.signUp("otherfan")
            let id = try await app.applyNonprofit(owner)
            #expect(try await app.request(.post, "/api/v1/nonprofits/\(id)/follow", token: fan).status == .notFound)
            _ = try await app.request(.post, "/api/v1/admin/nonprofits/\(id)/verify", token: admin)

            #expect(try await app.request(.post, "/api/v1/nonprofits/\(id)/follow").status == .unauthorized)
            #expect(try await app.request(.post, "/api/v1/nonprofits/\(id)/follow", token: fan).json()["followers"] as? Int == 1)
            #expect(try await app.request(.post, "/api/v1/nonprofits/\(id)/follow", token: fan).json()["followers"] as? Int == 1)
            #expect(try await app.request(.post, "/api/v1/nonprofits/\(id)/follow", token: other).json()["followers"] as? Int == 2)
            #expect(try await app.request(.delete, "/api/v1/nonprofits/\(id)/follow", token: fan).json()["followers"] as? Int == 1)
            #expect(try await app.request(.delete, "/api/v1/nonprofits/\(id)/follow", token: fan).json()["followers"] as? Int == 1)
            #expect(try await app.request(.get, "/api/v1/nonprofits/\(id)").json()["followers"] as? Int == 1)

            let stats = try await app.request(.get, "/api/v1/nonprofits/\(id)/followers?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z", token: owner).json()
            #expect(stats["followers"] as? Int == 1)
            #expect(stats["gained"] as? Int == 2)
            #expect(stats["lost"] as? Int == 1)
            let before = try await app.request(.get, "/api/v1/nonprofits/\(id)/followers?from=2000-01-01T00:00:00Z&to=2001-01-01T00:00:00Z", token: owner).json()
            #expect(before["gained"] as? Int == 0)
            #expect(try await app.request(.get, "/api/v1/nonprofits/\(id)/followers", token: fan).status == .forbidden)
        }
    }
}
