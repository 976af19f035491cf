@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Nonprofit profile and payout details")
struct NonprofitProfileTests {
    /// A nonprofit with an owner, a plain member and someone outside it.
    struct Team {
        let id: String
        let owner: String
        let member: String
        let outsider: String
    }

    static func team(_ app: TestHarness) async throws -> Team {
        let (_, owner) = try await app.signUp("owner")
        let (_, member) = try await app.signUp("helper")
        let (_, outsider) = try await app.signUp("outsider")
        let id = try await app.applyNonprofit(owner)
        let added = try await app.request(.post, "/api/v1/nonprofits/\(id)/members", json: #"{"handle":"helper"}"#, token: owner)
        guard added.status == .created else { throw TestFailure("add member: \(added.status) \(added.text)") }
        return Team(id: id, owner: owner, member: member, outsider: outsider)
    }

    @Test("an owner edits the profile; left-out fields stay as they are", arguments: DatabaseKind.enabled)
    func ownerEdits(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            // setup
            let team = try await Self.team(app)
            let path = "/api/v1/nonprofits/\(team.id)"
            // act
            let edited = try await app.request(.patch, path, json: #"""
                {"description":"  Music for every child\nin the UK ","website":"youthmusic.org.uk","causes":["community","arts-and-music","community"]}
                """#, token: team.owner)
            // check
            #expect(edited.status == .ok)
            let json = try edited.json()
            #expect(json["id"] as? String == team.id)
            #expect(json["description"] as? String == "Music for every child\nin the UK")
            #expect(json["website"] as? String == "https://youthmusic.org.uk")
            #expect(json["causes"] as? [String] == ["arts-and-music", "community"])
            #expect(json["name"] as? String == "Red Nose Day")

            let websiteOnly = try await app.request(.patch, path, json: #"{"website":"https://www.example.org/about"}"#, token: team.owner).json()
            #expect(websiteOnly["website"] as? String == "https://www.example.org/about")
            #expect(websiteOnly["causes"] as? [String] == ["arts-and-music", "community"])
            #expect(websiteOnly["description"] as? String == "Music for every child\nin the UK")

            let cleared = try await app.request(.patch, path, json: #"{"description":"","causes":["hunger"]}"#, token: team.owner).json()
            #expect(cleared["description"] == nil)
            #expect(cleared["causes"] as? [String] == ["hunger"])
            #expect(try await app.request(.get, path, token: team.owner).json()["causes"] as? [String] == ["hunger"])

            // A platform admin may edit too.
            let admin = try await app.admin()
            #expect(try await app.request(.patch, path, json: #"{"causes":["education"]}"#, token: admin).json()["causes"] as? [String] == ["education"])
        }
    }

    @Test("only owners edit: a member gets 403, an outsider 404, no token 401", arguments: DatabaseKind.enabled)
    func whoMayEdit(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let team = try await Self.team(app)
            let path = "/api/v1/nonprofits/\(team.id)"
            let body = #"{"website":"https://evil.example.com"}"#

            let member = try await app.request(.patch, path, json: body, token: team.member)
            #expect(member.status == .forbidden)
            #expect(member.headers[.contentType] == "application/problem+json")
            // Authority first: a member with a bad body still hears 403, not 422.
            #expect(try await app.request(.patch, path, json: #"{"website":"nope"}"#, token: team.member).status == .forbidden)
            let anonymous = try await app.request(.patch, path, json: body)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.contentType] == "application/problem+json")
            // A pending nonprofit is hidden from outsiders, as for GET.
            #expect(try await app.request(.patch, path, json: body, token: team.outsider).status == .notFound)
            #expect(try await app.request(.patch, "/api/v1/nonprofits/\(UUID())", json: body, token: team.owner).status == .notFound)
            #expect(try await app.request(.get, path, token: team.owner).json()["website"] as? String == "https://example.org")
        }
    }

    @Test("a bad website, cause list or field is refused with the field named", arguments: DatabaseKind.enabled)
    func invalidProfile(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let team = try await Self.team(app)
            let path = "/api/v1/nonprofits/\(team.id)"
            func fields(_ body: String) async throws -> [String] {
                let reply = try await app.request(.patch, path, json: body, token: team.owner)
                guard reply.status == .unprocessableContent else { throw TestFailure("\(body): \(reply.status) \(reply.text)") }
                #expect(reply.headers[.contentType] == "application/problem+json")
                return (try reply.json()["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
            }
            #expect(try await fields(#"{"website":"not a web address"}"#) == ["website"])
            #expect(try await fields(#"{"website":""}"#) == ["website"])
            #expect(try await fields(#"{"causes":["cats"]}"#) == ["causes"])
            #expect(try await fields(#"{"causes":[]}"#) == ["causes"])
            #expect(try await fields(#"{"causes":["hunger","education","environment","animals","community","arts-and-music"]}"#) == ["causes"])
            #expect(try await fields(#"{"website":"nope","causes":["cats"]}"#) == ["website", "causes"])
            #expect(try await fields(#"{"description":"\#(String(repeating: "a", count: 2001))"}"#) == ["description"])
            // Fields the endpoint does not take, such as the name, are a 400.
            #expect(try await app.request(.patch, path, json: #"{"name":"Renamed"}"#, token: team.owner).status == .badRequest)
            // Nothing changed.
            let now = try await app.request(.get, path, token: team.owner).json()
            #expect(now["website"] as? String == "https://example.org")
            #expect(now["causes"] as? [String] == ["humanitarian-relief"])
        }
    }

    @Test("payout details by IBAN or US account; the answer is masked", arguments: DatabaseKind.enabled)
    func setPayoutDetails(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            // setup
            let team = try await Self.team(app)
            let path = "/api/v1/nonprofits/\(team.id)/payout-details"
            #expect(try await app.request(.get, path, token: team.owner).status == .notFound)
            #expect(try await app.services.nonprofits.store.payoutDetails(of: UUID(uuidString: team.id)!) == nil)
            // act: an IBAN, typed with spaces and in lower case
            let iban = try await app.request(.put, path, json: #"{"accountHolder":"Red Nose Day","iban":"gb82 west 1234 5698 7654 32"}"#, token: team.owner)
            // check
            #expect(iban.status == .ok)
            let json = try iban.json()
            #expect(json["accountHolder"] as? String == "Red Nose Day")
            #expect(json["method"] as? String == "iban")
            #expect(json["masked"] as? String == "IBAN GB82 •••• 5432")
            #expect(json["updatedAt"] is String)
            #expect(Set(json.keys) == ["accountHolder", "method", "masked", "updatedAt"])
            #expect(!iban.text.contains("12345698765432"))

            // act: replaced by a US account
            let us = try await app.request(.put, path, json: #"{"accountHolder":"Red Nose Day US","routingNumber":"011000015","accountNumber":"123456789"}"#, token: team.owner)
            #expect(us.status == .ok)
            #expect(try us.json()["method"] as? String == "us_bank")
            #expect(try us.json()["masked"] as? String == "US •••• 6789")
            #expect(!us.text.contains("123456789") && !us.text.contains("011000015"))

            // check: what the getting-started checklist sees; the database keeps the account to pay out
            let summary = try await app.services.nonprofits.store.payoutDetails(of: UUID(uuidString: team.id)!)
            #expect(summary?.accountHolder == "Red Nose Day US")
            #expect(summary?.masked == "US •••• 6789")
            let stored = try await app.services.nonprofits.store.storedPayoutDetails(of: UUID(uuidString: team.id)!)
            #expect(stored?.0.storedAccount == "011000015:123456789")

            // A platform admin may set them too.
            let admin = try await app.admin()
            let byAdmin = try await app.request(.put, path, json: #"{"accountHolder":"Red Nose Day","iban":"DE89370400440532013000"}"#, token: admin)
            #expect(try byAdmin.json()["masked"] as? String == "IBAN DE89 •••• 3000")
        }
    }

    @Test("a bad checksum or a half-given account is refused with the field named", arguments: DatabaseKind.enabled)
    func invalidPayoutDetails(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let team = try await Self.team(app)
            let path = "/api/v1/nonprofits/\(team.id)/payout-details"
            func refused(_ body: String) async throws -> (fields: [String], text: String) {
                let reply = try await app.request(.put, path, json: body, token: team.owner)
                guard reply.status == .unprocessableContent else { throw TestFailure("\(body): \(reply.status) \(reply.text)") }
                #expect(reply.headers[.contentType] == "application/problem+json")
                return ((try reply.json()["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }, reply.text)
            }
            let badIBAN = try await refused(#"{"accountHolder":"Red Nose Day","iban":"GB82WEST12345698765431"}"#)
            #expect(badIBAN.fields == ["iban"])
            #expect(!badIBAN.text.contains("12345698765431"))
            #expect(try await refused(#"{"accountHolder":"Red Nose Day","routingNumber":"011000016","accountNumber":"123456789"}"#).fields == ["routingNumber"])
            #expect(try await refused(#"{"accountHolder":"Red Nose Day","routingNumber":"011000015","accountNumber":"12"}"#).fields == ["accountNumber"])
            #expect(try await refused(#"{"accountHolder":"Red Nose Day","routingNumber":"011000015"}"#).fields == ["accountNumber"])
            #expect(try await refused(#"{"accountHolder":"Red Nose Day"}"#).fields == ["iban"])
            #expect(try await refused(#"{"iban":"GB82WEST12345698765432"}"#).fields == ["accountHolder"])
            #expect(try await refused(#"{"accountHolder":"A","iban":"GB82WEST12345698765432","routingNumber":"011000015","accountNumber":"1234"}"#).fields == ["iban"])
            #expect(try await app.request(.get, path, token: team.owner).status == .notFound)
        }
    }

    @Test("members see the masked details but cannot change them; the full number never appears", arguments: DatabaseKind.enabled)
    func membersRead(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            // setup
            let team = try await Self.team(app)
            let path = "/api/v1/nonprofits/\(team.id)/payout-details"
            let body = #"{"accountHolder":"Red Nose Day","iban":"FR14 2004 1010 0505 0001 3M02 606"}"#
            #expect(try await app.request(.put, path, json: body, token: team.owner).status == .ok)
            // act
            let seen = try await app.request(.get, path, token: team.member)
            // check
            #expect(seen.status == .ok)
            #expect(try seen.json()["masked"] as? String == "IBAN FR14 •••• 2606")
            for secret in ["FR1420041010050500013M02606", "20041010050500013M02606", "0500013M026"] {
                #expect(!seen.text.contains(secret))
            }
            #expect(!(try await app.request(.get, path, token: team.owner).text.contains("20041010050500013M02606")))

            let memberPut = try await app.request(.put, path, json: #"{"accountHolder":"Me","iban":"GB82WEST12345698765432"}"#, token: team.member)
            #expect(memberPut.status == .forbidden)
            #expect(memberPut.headers[.contentType] == "application/problem+json")
            #expect(try await app.request(.get, path, token: team.owner).json()["masked"] as? String == "IBAN FR14 •••• 2606")

            let anonymousGet = try await app.request(.get, path)
            #expect(anonymousGet.status == .unauthorized)
            #expect(anonymousGet.headers[.contentType] == "application/problem+json")
            #expect(try await app.request(.put, path, json: body).status == .unauthorized)
            #expect(try await app.request(.get, path, token: team.outsider).status == .notFound)
            // Once verified the nonprofit is public, but its payout details stay with the team.
            let admin = try await app.admin()
            _ = try await app.request(.post, "/api/v1/admin/nonprofits/\(team.id)/verify", token: admin)
            #expect(try await app.request(.get, path, token: team.outsider).status == .forbidden)
            #expect(try await app.request(.get, path, token: admin).status == .ok)
            let notFound = try await app.request(.get, "/api/v1/nonprofits/\(UUID())/payout-details", token: team.owner)
            #expect(notFound.status == .notFound)
            #expect(notFound.headers[.contentType] == "application/problem+json")
        }
    }
}
