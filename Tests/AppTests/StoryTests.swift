@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Stories, \"I donated\" stickers and the shared donors' story")
struct StoryTests {
    func sticker(_ stickerID: String, x: Double = 0.5, y: Double = 0.8, reveal: Bool? = nil) -> String {
        #"[{"stickerId":"\#(stickerID)","x":\#(x),"y":\#(y),"scale":1.2,"rotation":-8\#(reveal.map { ",\"revealName\":\($0)" } ?? "")}]"#
    }

    func stickers(_ app: TestHarness, _ token: String) async throws -> [[String: Any]] {
        try await app.request(.get, "/api/v1/me/stickers", token: token).json()["items"] as! [[String: Any]]
    }

    func shared(_ app: TestHarness, _ fundraiser: String) async throws -> [[String: Any]] {
        try await app.request(.get, "/api/v1/fundraisers/\(fundraiser)/story").json()["items"] as! [[String: Any]]
    }

    @Test("a donation unlocks a sticker; a story with it joins the shared story; a refund withdraws it", arguments: DatabaseKind.enabled)
    func stickerJourney(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            // setup
            let cause = try await app.verifiedFundraiser()
            let (_, ana) = try await app.signUp("ana")
            let (_, ben) = try await app.signUp("ben")
            #expect(try await stickers(app, ana).isEmpty)
            let gift = try await app.donate(cause.fundraiser, token: ana, amount: 2_500).json()
            let mine = try await stickers(app, ana)
            #expect(mine.count == 1)
            let stickerID = mine[0]["id"] as! String
            #expect(mine[0]["donationId"] as? String == gift["id"] as? String)
            #expect((mine[0]["nonprofit"] as? [String: Any])?["id"] as? String == cause.nonprofit)
            #expect(mine[0]["available"] as? Bool == true && mine[0]["anonymous"] as? Bool == false)
            let photo = try Samples.bytes("story.jpg")

            // act: a story with the sticker
            let posted = try await app.postStory(photo, stickers: sticker(stickerID), token: ana)
            #expect(posted.status == .created, "\(posted.text)")
            let story = try posted.json()
            let storyID = story["id"] as! String
            #expect(story["kind"] as? String == "image" && story["mediaType"] as? String == "image/jpeg")
            let placed = (story["stickers"] as! [[String: Any]]).first!
            #expect(placed["donor"] as? String == "ana" && placed["stickerId"] as? String == stickerID && placed["x"] as? Double == 0.5)

            // check: in the fundraiser's shared story, with the poster; others see no sticker id
            var items = try await shared(app, cause.fundraiser)
            #expect(items.count == 1 && items[0]["storyId"] as? String == storyID && items[0]["poster"] as? String == "ana")
            let seen = try await app.request(.get, "/api/v1/stories/\(storyID)", token: ben).json()
            #expect((seen["stickers"] as! [[String: Any]]).first?["stickerId"] == nil)
            let media = try await app.request(.get, "/media/stories/\(storyID)")
            #expect(media.status == .ok && Array(media.body.readableBytesView) == photo && media.headers[.contentType] == "image/jpeg")

            // A borrowed sticker (ben's story with ana's donation) and a made-up one are refused alike.
            #expect(try await app.postStory(photo, stickers: sticker(stickerID), token: ben).status == .forbidden)
            #expect(try await app.postStory(photo, stickers: sticker(UUID().uuidString), token: ben).status == .forbidden)

            // The donor takes it out of the shared story, and puts it back.
            #expect(try await app.request(.put, "/api/v1/stories/\(storyID)", json: #"{"shared":false}"#, token: ana).json()["shared"] as? Bool == false)
            #expect(try await shared(app, cause.fundraiser).isEmpty)
            #expect(try await app.request(.put, "/api/v1/stories/\(storyID)", json: #"{"shared":true}"#, token: ben).status == .forbidden)
            _ = try await app.request(.put, "/api/v1/stories/\(storyID)", json: #"{"shared":true}"#, token: ana)
            #expect(try await shared(app, cause.fundraiser).count == 1)

            // A full refund withdraws the sticker: from the story, the shared story and new stories.
            let refund = try await app.request(.post, "/api/v1/donations/\(gift["id"] as! String)/refunds", json: "{}", token: cause.ownerToken,
                                               headers: [.init("Idempotency-Key")!: "r-1"])
            #expect(refund.status == .created, "\(refund.text)")
            items = try await shared(app, cause.fundraiser)
            #expect(items.isEmpty)
            #expect((try await app.request(.get, "/api/v1/stories/\(storyID)").json()["stickers"] as! [[String: Any]]).isEmpty)
            #expect(try await stickers(app, ana).first?["available"] as? Bool == false)
            #expect(try await app.postStory(photo, stickers: sticker(stickerID), token: ana).status == .conflict)
        }
    }

    @Test("an anonymous gift's sticker names no one unless its donor reveals it; a dispute withdraws it", arguments: DatabaseKind.enabled)
    func anonymousAndDisputed(_ kind: DatabaseKind) async throws {
        // Live: the sandbox's dispute webhook comes over HTTP.
        try await withTestApp(kind, .live) { app in
            let cause = try await app.verifiedFundraiser()
            let (_, cleo) = try await app.signUp("cleo")
            _ = try await app.donate(cause.fundraiser, token: cleo, amount: 1_500, extra: #","visibility":"anonymous""#)
            let sticker = try await stickers(app, cleo).first!
            #expect(sticker["anonymous"] as? Bool == true)
            let photo = try Samples.bytes("story.png")
            _ = try await app.postStory(photo, stickers: self.sticker(sticker["id"] as! String), token: cleo, type: "image/png")
            var items = try await shared(app, cause.fundraiser)
            #expect(items.count == 1 && items[0]["poster"] == nil && items[0]["donor"] as? String == "Anonymous")
            #expect(!String(data: try JSONSerialization.data(withJSONObject: items), encoding: .utf8)!.contains("cleo"))
            // Nor does the story itself, nor the account's list, lead back to her (she still sees it as hers).
            let (_, nosy) = try await app.signUp("nosy")
            let opened = try await app.request(.get, "/api/v1/stories/\(items[0]["storyId"] as! String)", token: nosy).json()
            #expect(opened["owner"] as? String == "" && opened["ownerDisplayName"] as? String == "Anonymous")
            #expect((try await app.request(.get, "/api/v1/accounts/cleo/stories", token: nosy).json()["items"] as! [[String: Any]]).isEmpty)
            #expect((try await app.request(.get, "/api/v1/accounts/cleo/stories", token: cleo).json()["items"] as! [[String: Any]]).count == 1)
            _ = try await app.postStory(try Samples.bytes("story.webp"), stickers: self.sticker(sticker["id"] as! String, reveal: true), token: cleo, type: "image/webp")
            items = try await shared(app, cause.fundraiser)
            #expect(items.count == 2 && items[0]["poster"] as? String == "cleo" && items[1]["poster"] == nil)

            // A disputed gift's sticker is withdrawn everywhere: the bank disputes the charge after
            // the story is up, and its webhook comes over HTTP.
            let (_, dan) = try await app.signUp("dan")
            let danGift = try await app.donate(cause.fundraiser, token: dan, amount: 3_000).json()
            let danSticker = try await stickers(app, dan).first!["id"] as! String
            #expect(try await app.postStory(photo, stickers: self.sticker(danSticker), token: dan, type: "image/png").status == .created)
            #expect(try await shared(app, cause.fundraiser).count == 3)
            let intent = try #require(await app.bank.intents.values.first {
                DonationCharge.donationID(for: SandboxProcessor.charge($0))?.lowercasedString == (danGift["id"] as? String)?.lowercased()
            })
            try await app.bank.dispute(intentID: intent.id, closeAs: nil)
            let disputed = try await app.eventually(30) { try await stickers(app, dan).first?["available"] as? Bool == false }
            #expect(disputed, "the dispute webhook should withdraw the sticker")
            #expect(try await shared(app, cause.fundraiser).count == 2)
        }
    }

    @Test("stories last a day unless kept; followers see them in order; owners delete them", arguments: DatabaseKind.enabled)
    func lifetimeAndFeed(_ kind: DatabaseKind) async throws {
        let clock = ShiftableClock()
        try await withTestApp(kind, clock: clock.appClock) { app in
            let (_, eve) = try await app.signUp("eve")
            let (_, fay) = try await app.signUp("fay")
            let (_, gus) = try await app.signUp("gus")
            let photo = try Samples.bytes("story.jpg")
            #expect(try await app.request(.post, "/api/v1/accounts/eve/follow", token: fay).json()["followers"] as? Int == 1)
            #expect(try await app.request(.post, "/api/v1/accounts/@eve/follow", token: fay).json()["followers"] as? Int == 1)
            #expect(try await app.request(.post, "/api/v1/accounts/eve/follow", token: eve).status == .conflict)
            #expect(try await app.request(.post, "/api/v1/accounts/nobody/follow", token: eve).status == .notFound)
            let first = try await app.postStory(photo, token: eve).json()["id"] as! String
            let kept = try await app.postStory(photo, highlight: "true", token: eve).json()["id"] as! String
            let video = try await app.postStory(try Samples.bytes("dance.mp4"), token: eve, type: "video/mp4").json()
            #expect(video["kind"] as? String == "video")
            _ = try await app.postStory(photo, token: gus)
            let feed = try await app.request(.get, "/api/v1/me/stories/feed", token: fay).json()["items"] as! [[String: Any]]
            #expect(feed.count == 1 && (feed[0]["account"] as? [String: Any])?["handle"] as? String == "eve")
            #expect((feed[0]["stories"] as! [[String: Any]]).map { $0["id"] as! String } == [first, kept, video["id"] as! String])

            // A day later: only the highlight is left, on the profile; the feed is empty.
            clock.advance(25 * 3600)
            #expect(try await app.request(.get, "/api/v1/stories/\(first)", token: fay).status == .notFound)
            #expect(try await app.request(.get, "/api/v1/stories/\(first)", token: eve).status == .ok)
            #expect(try await app.request(.get, "/media/stories/\(first)").status == .notFound)
            let profile = try await app.request(.get, "/api/v1/accounts/eve/stories").json()["items"] as! [[String: Any]]
            #expect(profile.map { $0["id"] as! String } == [kept])
            #expect((try await app.request(.get, "/api/v1/me/stories/feed", token: fay).json()["items"] as! [[String: Any]]).isEmpty)

            // Deleting: only the owner; then it is gone.
            #expect(try await app.request(.delete, "/api/v1/stories/\(kept)", token: fay).status == .forbidden)
            #expect(try await app.request(.delete, "/api/v1/stories/\(kept)", token: eve).status == .noContent)
            #expect(try await app.request(.get, "/api/v1/stories/\(kept)").status == .notFound)
            #expect(try await app.request(.delete, "/api/v1/accounts/eve/follow", token: fay).json()["followers"] as? Int == 0)
        }
    }

    @Test("bad stories get a clear 4xx", arguments: DatabaseKind.enabled)
    func refused(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let cause = try await app.verifiedFundraiser()
            let (_, hal) = try await app.signUp("hal")
            _ = try await app.donate(cause.fundraiser, token: hal, amount: 1_000)
            let stickerID = try await stickers(app, hal).first!["id"] as! String
            let photo = try Samples.bytes("story.jpg")
            #expect(try await app.postStory(photo, token: nil).status == .unauthorized)
            #expect(try await app.postStory(Array("<html><script>alert(1)</script></html>".utf8), token: hal, type: "image/jpeg").status == .unsupportedMediaType)
            #expect(try await app.postStory([], token: hal).status == .unprocessableContent)
            for bad in ["not json", #"{"stickerId":"x"}"#, #"[{"stickerId":"\#(stickerID)","x":2}]"#, #"[{"stickerId":"nope"}]"#,
                        #"[{"stickerId":"\#(stickerID)","x":"left"}]"#, #"[{"stickerId":"\#(stickerID)","colour":"red"}]"#,
                        #"[{"stickerId":"\#(stickerID)"},{"stickerId":"\#(stickerID)"}]"#] {
                let reply = try await app.postStory(photo, stickers: bad, token: hal)
                #expect(reply.status == .unprocessableContent, "\(bad) → \(reply.status) \(reply.text)")
            }
            #expect(try await app.postStory(photo, highlight: "maybe", token: hal).status == .unprocessableContent)
            #expect(try await app.request(.get, "/api/v1/fundraisers/\(UUID())/story").status == .notFound)
            #expect(try await app.request(.get, "/api/v1/campaigns/nosuch/story").status == .notFound)
            #expect(try await app.request(.get, "/api/v1/fundraisers/\(cause.fundraiser)/story?perPage=0").status == .unprocessableContent)
            #expect(try await app.request(.put, "/api/v1/stories/\(UUID())", json: "{}", token: hal).status == .notFound)
            #expect(try await app.request(.get, "/api/v1/me/stickers").status == .unauthorized)
        }
    }
}
