@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Security headers on pages, the overlay, API answers and uploaded media")
struct SecurityHeadersTests {
    /// `Content-Security-Policy` as directive name → its sources.
    static func directives(_ policy: String?) -> [String: [String]] {
        var found: [String: [String]] = [:]
        for part in (policy ?? "").split(separator: ";") {
            let words = part.split(separator: " ").map(String.init)
            guard let name = words.first?.lowercased() else { continue }
            found[name] = Array(words.dropFirst())
        }
        return found
    }

    /// Every `<script` tag in the HTML, as written.
    static func scriptTags(_ html: String) -> [String] {
        var tags: [String] = []
        var rest = html[...]
        while let start = rest.range(of: "<script", options: .caseInsensitive) {
            let end = rest[start.upperBound...].firstIndex(of: ">") ?? rest.endIndex
            tags.append(String(rest[start.lowerBound..<end]))
            rest = rest[end...]
        }
        return tags
    }

    /// What every page must carry: a policy that runs no inline script, no inline `<script>`, `nosniff`.
    func expectPageBasics(_ reply: TestHarness.Reply, _ path: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.headers[.contentType]?.hasPrefix("text/html") == true, "\(path): \(reply.status)", sourceLocation: sourceLocation)
        let policy = reply.headers[.contentSecurityPolicy]
        #expect(policy != nil, "\(path): no Content-Security-Policy", sourceLocation: sourceLocation)
        let csp = Self.directives(policy)
        let scripts = csp["script-src"] ?? csp["default-src"]
        #expect(scripts != nil, "\(path): no script-src nor default-src", sourceLocation: sourceLocation)
        #expect(scripts?.contains("'unsafe-inline'") == false && scripts?.contains("'unsafe-eval'") == false, "\(path): \(policy ?? "")", sourceLocation: sourceLocation)
        #expect(scripts?.contains("*") == false, "\(path): scripts from anywhere", sourceLocation: sourceLocation)
        for tag in Self.scriptTags(reply.text) {
            #expect(tag.contains(" src="), "\(path): inline script \(tag)", sourceLocation: sourceLocation)
        }
        #expect(reply.headers[.xContentTypeOptions] == "nosniff", "\(path)", sourceLocation: sourceLocation)
    }

    /// A page that must not be framed by anyone.
    func expectUnframeable(_ reply: TestHarness.Reply, _ path: String, sourceLocation: SourceLocation = #_sourceLocation) {
        expectPageBasics(reply, path, sourceLocation: sourceLocation)
        #expect(Self.directives(reply.headers[.contentSecurityPolicy])["frame-ancestors"] == ["'none'"], "\(path)", sourceLocation: sourceLocation)
        #expect(reply.headers[.xFrameOptions] == "DENY", "\(path)", sourceLocation: sourceLocation)
    }

    @Test("every kind of page has a strict policy and refuses framing, the overlay may be framed, API answers and media run nothing",
          arguments: DatabaseKind.enabled)
    func headers(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            // setup: a fundraiser, a challenge, a live with an overlay, a story and a video
            let cause = try await app.verifiedFundraiser()
            _ = try await ChallengeTests().challenge(app, cause)
            let (_, host) = try await app.signUp("host")
            let live = try await app.request(.post, "/api/v1/lives", json: """
                {"title":"Red Nose live","playbackUrl":"https://video.example/live.m3u8","fundraiser":{"nonprofitId":"\(cause.nonprofit)","goal":{"amount":100000,"currency":"USD"}}}
                """, token: host).json()
            let liveID = (live["id"] as! String).lowercased()
            let overlay = try await app.request(.get, "/api/v1/lives/\(liveID)/overlay", token: host).json()
            let overlayKey = try #require((overlay["url"] as? String)?.split(separator: "=").last.map(String.init))
            let (_, ana) = try await app.signUp("ana")
            let gift = try await app.donate(cause.fundraiser, token: ana, amount: 2_500).json()
            let sticker = (gift["id"] as! String).lowercased()
            let story = try await app.postStory(try Samples.bytes("story.jpg"), stickers: SitePages.defaultPlacement(sticker), token: ana)
            #expect(story.status == .created, "\(story.text)")
            let storyID = (try story.json()["id"] as! String).lowercased()
            let video = try await app.upload(try Samples.bytes("dance.mp4"), caption: "noses on", token: ana)
            #expect(video.status == .created, "\(video.text)")
            let videoID = (try video.json()["id"] as! String).lowercased()
            let owner = try await ConsolePagesTests.pageSession(app, login: "rednoseday")

            // Pages, anonymous and signed in: strict, and never in a frame.
            let pages: [(path: String, cookie: String?)] = [
                ("/", nil), ("/", owner.cookie), ("/nonprofits", nil), ("/nonprofits/\(cause.nonprofit)", nil),
                ("/fundraisers/\(cause.fundraiser)", nil), ("/lives/\(liveID)", nil), ("/challenges", nil), ("/challenges/rednoseday", nil),
                ("/stories/\(storyID)", nil), ("/nonprofits/\(cause.nonprofit)/console", owner.cookie), ("/signup", nil), ("/signin", nil),
            ]
            for (path, cookie) in pages {
                let reply = try await app.request(.get, path, headers: cookie.map { [.cookie: $0] } ?? [:])
                #expect(reply.status == .ok, "\(path): \(reply.status)")
                expectUnframeable(reply, path)
            }
            // Error pages too, including an overlay address with a wrong key.
            for path in ["/no-such-page", "/fundraisers/\(UUID())", "/overlay/lives/\(liveID)?key=wrong"] {
                let reply = try await app.request(.get, path)
                #expect(reply.status == .notFound, "\(path): \(reply.status)")
                expectUnframeable(reply, path)
            }

            // The overlay: as strict for scripts, but any site (or OBS) may embed it.
            let overlayPath = "/overlay/lives/\(liveID)?key=\(overlayKey)"
            let overlayPage = try await app.request(.get, overlayPath)
            #expect(overlayPage.status == .ok)
            expectPageBasics(overlayPage, overlayPath)
            #expect(overlayPage.headers[.xFrameOptions] == nil, "X-Frame-Options: \(overlayPage.headers[.xFrameOptions] ?? "")")
            let ancestors = Self.directives(overlayPage.headers[.contentSecurityPolicy])["frame-ancestors"]
            #expect(ancestors == nil || ancestors?.contains("'none'") == false, "frame-ancestors \(ancestors ?? [])")

            // API answers, their problems, and the other machine answers: nosniff, and a policy that runs nothing.
            for path in ["/api/v1/causes", "/api/v1/fundraisers/\(cause.fundraiser)", "/api/v1/nonprofits/\(UUID())", "/openapi.json", "/healthz"] {
                let reply = try await app.request(.get, path)
                #expect(reply.headers[.contentType]?.hasPrefix("text/html") != true, "\(path)")
                #expect(reply.headers[.xContentTypeOptions] == "nosniff", "\(path)")
                let csp = Self.directives(reply.headers[.contentSecurityPolicy])
                #expect(csp["default-src"] == ["'none'"] && csp["frame-ancestors"] == ["'none'"], "\(path): \(reply.headers[.contentSecurityPolicy] ?? "none")")
            }

            // Uploaded media: its own type, nosniff, and sandboxed so that it can never run as a page.
            for path in ["/media/videos/\(videoID)", "/media/stories/\(storyID)"] {
                let reply = try await app.request(.get, path)
                #expect(reply.status == .ok, "\(path): \(reply.status)")
                #expect(reply.headers[.contentType]?.hasPrefix("text/") == false, "\(path): \(reply.headers[.contentType] ?? "")")
                #expect(reply.headers[.xContentTypeOptions] == "nosniff", "\(path)")
                let csp = Self.directives(reply.headers[.contentSecurityPolicy])
                #expect(csp["sandbox"] != nil && csp["default-src"] == ["'none'"], "\(path): \(reply.headers[.contentSecurityPolicy] ?? "none")")
            }
        }
    }
}
