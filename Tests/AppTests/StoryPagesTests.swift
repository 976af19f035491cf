@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Story pages")
struct StoryPagesTests {
    /// A donor signed in both ways: the page cookies, and an API token for the same account.
    func donor(_ app: TestHarness, _ handle: String, to fundraiser: String) async throws -> (cookie: String, csrf: String, token: String, sticker: String) {
        let (cookie, csrf) = try await ChallengePagesTests().signedInCookies(app, handle: handle)
        let token = try await app.request(.post, "/api/v1/sessions", json: #"{"handle":"\#(handle)","password":"a long password"}"#).json()["token"] as! String
        let gift = try await app.donate(fundraiser, token: token).json()
        return (cookie, csrf, token, (gift["id"] as! String).lowercased())
    }

    func post(_ app: TestHarness, _ path: String, cookie: String, parts: [(String, String)], media: [UInt8]) async throws -> TestHarness.Reply {
        var form = Multipart()
        form.file("media", filename: "story.jpg", type: "image/jpeg", media)
        for (name, value) in parts { form.field(name, value) }
        let response = try await app.client.executeRequest(uri: path, method: .post, headers: [.contentType: form.contentType, .cookie: cookie], body: form.finished())
        return TestHarness.Reply(status: response.status, headers: response.headers, body: response.body)
    }

    @Test("the gallery, the composer and the viewer render; the composer checks the CSRF token in its action and posts the API's parts", arguments: DatabaseKind.enabled)
    func composeAndView(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let cause = try await app.verifiedFundraiser()
            let ana = try await donor(app, "ana", to: cause.fundraiser)
            let signedIn: HTTPFields = [.cookie: ana.cookie]
            let fundraiser = cause.fundraiser.lowercased()

            #expect(try await app.request(.get, "/me/stickers").headers[.location] == "/signin?next=/me/stickers")
            let gallery = try await app.request(.get, "/me/stickers", headers: signedIn)
            #expect(gallery.text.contains(#"id="sticker-\#(ana.sticker)""#) && gallery.text.contains(#"href="/stories/new?sticker=\#(ana.sticker)""#))
            #expect(gallery.text.contains(#"id="nav-my-stickers""#) && !gallery.text.contains("<script>") && !gallery.text.contains("style="))
            #expect(try await app.request(.get, "/donations/\(ana.sticker)", headers: signedIn).text.contains(#"id="share-sticker""#))

            // The composer: the sticker chosen, with its default spot for a browser without JS; blob: previews allowed.
            let composer = try await app.request(.get, "/stories/new?sticker=\(ana.sticker)", headers: signedIn)
            #expect(composer.text.contains(#"action="/stories?_csrf=\#(ana.csrf)""#))
            #expect(composer.text.contains(#"value="[{&quot;stickerId&quot;:&quot;\#(ana.sticker)&quot;,&quot;x&quot;:0.5"#))
            #expect(composer.text.contains(#"id="choose-\#(ana.sticker)" data-sticker-id"#) && composer.text.contains("checked>"))
            let policy = composer.headers[.contentSecurityPolicy] ?? ""
            #expect(policy.contains("img-src 'self' data: blob:") && policy.contains("media-src 'self' blob:") && policy.contains("script-src 'self'"))
            #expect(!composer.text.contains("<script>") && !composer.text.contains("style="))

            // No token or a wrong one: refused before the upload is read.
            let photo = try Samples.bytes("story.jpg")
            let placed = SitePages.defaultPlacement(ana.sticker)
            #expect(try await post(app, "/stories", cookie: ana.cookie, parts: [("stickers", placed)], media: photo).status == .forbidden)
            #expect(try await post(app, "/stories?_csrf=guess", cookie: ana.cookie, parts: [("stickers", placed)], media: photo).status == .forbidden)
            // The unchecked box sends only the hidden "false"; a checked one's "true" comes after it and wins.
            let unshared = try await post(app, "/stories?_csrf=\(ana.csrf)", cookie: ana.cookie, parts: [("stickers", placed), ("shared", "false")], media: photo)
            #expect(unshared.status == .seeOther)
            let posted = try await post(app, "/stories?_csrf=\(ana.csrf)", cookie: ana.cookie,
                                        parts: [("stickers", placed), ("x", "0.5"), ("shared", "false"), ("shared", "true")], media: photo)
            let location = try #require(posted.headers[.location])
            let id = String(location.dropFirst("/stories/".count))
            #expect(try await app.request(.get, "/api/v1/stories/\(id)").json()["shared"] as? Bool == true)
            let unsharedID = String(try #require(unshared.headers[.location]).dropFirst("/stories/".count))
            #expect(try await app.request(.get, "/api/v1/stories/\(unsharedID)").json()["shared"] as? Bool == false)
            let refused = try await post(app, "/stories?_csrf=\(ana.csrf)", cookie: ana.cookie, parts: [], media: Array("hello".utf8))
            #expect(refused.status == .unsupportedMediaType && refused.text.contains(#"id="story-form""#) && refused.text.contains(#"class="errors""#))

            // The viewer draws the sticker at its place; only the owner gets the buttons.
            let viewer = try await app.request(.get, location, headers: signedIn)
            #expect(viewer.text.contains(#"class="sticker sx-5 sy-8" data-sticker data-x="0.5""#) && viewer.text.contains("I donated"))
            #expect(viewer.text.contains(#"id="story-actions""#) && viewer.text.contains(#"src="/static/js/story-viewer.js""#) && !viewer.text.contains("<script>"))
            let seenByOthers = try await app.request(.get, location).text
            #expect(!seenByOthers.contains(#"id="story-actions""#))
            let fundraiserPage = try await app.request(.get, "/fundraisers/\(cause.fundraiser)")
            #expect(fundraiserPage.text.contains(#"data-story-id="\#(id)"><a class="story-thumb" href="/stories/\#(id)?from=fundraiser:\#(fundraiser)""#))

            // The owner takes it out of the shared story from the viewer, back to the same place.
            let form = "_csrf=\(ana.csrf)&from=fundraiser%3A\(fundraiser)&shared=false"
            let edited = try await app.request(.post, "/stories/\(id)/edit", headers: [.contentType: "application/x-www-form-urlencoded", .cookie: ana.cookie], body: form)
            #expect(edited.status == .seeOther && edited.headers[.location] == "/stories/\(id)?from=fundraiser:\(fundraiser)")
            #expect(try await app.request(.get, "/fundraisers/\(cause.fundraiser)").text.contains(#"id="shared-story-empty""#))
            let deleted = try await app.request(.post, "/stories/\(id)/delete", headers: [.contentType: "application/x-www-form-urlencoded", .cookie: ana.cookie], body: "_csrf=\(ana.csrf)")
            #expect(deleted.headers[.location] == "/me/stickers")
            #expect(try await app.request(.get, location).status == .notFound)

            let french = try await app.request(.get, "/me/stickers?lang=fr", headers: signedIn).text
            #expect(french.contains("Mes stickers") && french.contains("J’ai donné") && french.contains("Partager dans une story"))
        }
    }

    @Test("shared stories on fundraiser, live and campaign pages open the viewer, which taps through the right sequence", arguments: [DatabaseKind.sqlite])
    func sequences(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let cause = try await app.verifiedFundraiser()
            let (_, host) = try await app.signUp("maya")
            let campaign = ##"{"slug":"#GivingSzn","title":"#GivingSzn","startsAt":"2026-11-30T00:00:00Z","endsAt":"2026-12-31T23:59:59Z","nonprofitIds":["\##(cause.nonprofit)"]}"##
            #expect(try await app.request(.post, "/api/v1/campaigns", json: campaign, token: cause.adminToken).status == .created)
            let live = try await app.request(.post, "/api/v1/lives", json: #"{"title":"Global Give Back","scheduledAt":"2026-11-30T19:00:00Z","fundraiser":{"nonprofitId":"\#(cause.nonprofit)","goal":{"amount":100000,"currency":"USD"}}}"#, token: host).json()
            _ = try await app.request(.post, "/api/v1/campaigns/givingszn/lives", json: #"{"liveId":"\#(live["id"] as! String)"}"#, token: host)
            let fundraiser = (live["fundraiserId"] as! String).lowercased()
            var stories: [String] = []
            for handle in ["ana", "ben"] {
                let giver = try await donor(app, handle, to: fundraiser)
                let posted = try await app.postStory(try Samples.bytes("story.jpg"), stickers: SitePages.defaultPlacement(giver.sticker), token: giver.token)
                stories.append((try posted.json()["id"] as! String).lowercased())
            }
            let (older, newer) = (stories[0], stories[1])

            let livePage = try await app.request(.get, "/lives/\(live["id"] as! String)")
            #expect(livePage.text.contains(#"data-story-id="\#(newer)""#) && livePage.text.contains("?from=fundraiser:\(fundraiser)"))
            #expect(livePage.headers[.contentSecurityPolicy]?.contains("media-src 'self'") == true)
            let campaignPage = try await app.request(.get, "/campaigns/givingszn").text
            #expect(campaignPage.contains(#"href="/stories/\#(newer)?from=campaign:givingszn""#))
            #expect(try await app.request(.get, "/campaigns/givingszn/story").text.contains(#"data-story-id="\#(older)""#))

            // Newest first: from the newer story, "next" is the older one; the account's own are oldest first.
            let fromCampaign = try await app.request(.get, "/stories/\(newer)?from=campaign:givingszn").text
            #expect(fromCampaign.contains(#"href="/stories/\#(older)?from=campaign:givingszn" class="story-tap next" id="story-next""#))
            #expect(!fromCampaign.contains(#"id="story-prev""#) && fromCampaign.contains(#"href="/campaigns/givingszn" class="story-close""#))
            let fromAccount = try await app.request(.get, "/stories/\(newer)?from=account:ben").text
            #expect(!fromAccount.contains(#"id="story-next""#) && !fromAccount.contains(#"id="story-prev""#))
            // An unknown sequence in an old link: the owner's stories instead, not an error.
            #expect(try await app.request(.get, "/stories/\(older)?from=campaign:nosuch").status == .ok)
            #expect(try await app.request(.get, "/stories/\(UUID())").status == .notFound)
        }
    }
}
