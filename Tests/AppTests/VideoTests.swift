@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Short videos and views")
struct VideoTests {
    @Test("a video is checked by its content, stored, served with ranges and deleted by its owner", arguments: DatabaseKind.enabled)
    func uploadServeDelete(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            // setup
            let (_, maya) = try await app.signUp("maya")
            let (_, other) = try await app.signUp("other")
            let clip = try Samples.bytes("dance.mp4")

            // act: a real MP4, whatever its name says
            let posted = try await app.upload(clip, caption: "Dancing for @other #DanceForChange #JeSuisLà #1", token: maya, filename: "clip.bin", type: "application/octet-stream")

            // check
            #expect(posted.status == .created, "\(posted.text)")
            let video = try posted.json()
            let id = video["id"] as! String
            #expect(video["container"] as? String == "mp4")
            #expect(video["hashtags"] as? [String] == ["DanceForChange", "JeSuisLà"])
            #expect(video["mentions"] as? [String] == ["other"])
            #expect(video["bytes"] as? Int == clip.count)
            #expect(video["owner"] as? String == "maya")
            let media = try await app.request(.get, "/media/videos/\(id)")
            #expect(media.status == .ok && Array(media.body.readableBytesView) == clip)
            #expect(media.headers[.contentType] == "video/mp4" && media.headers[.acceptRanges] == "bytes")
            let part = try await app.request(.get, "/media/videos/\(id)", headers: [.range: "bytes=4-11"])
            #expect(part.status == .partialContent && Array(part.body.readableBytesView) == Array(clip[4...11]))
            #expect(part.headers[.contentRange] == "bytes 4-11/\(clip.count)")
            let tail = try await app.request(.get, "/media/videos/\(id)", headers: [.range: "bytes=-10"])
            #expect(Array(tail.body.readableBytesView) == Array(clip.suffix(10)))
            #expect(try await app.request(.get, "/media/videos/\(id)", headers: [.range: "bytes=\(clip.count + 5)-"]).status == .rangeNotSatisfiable)

            // Deleting: only the owner; then it is gone, bytes too.
            #expect(try await app.request(.delete, "/api/v1/videos/\(id)", token: other).status == .forbidden)
            #expect(try await app.request(.delete, "/api/v1/videos/\(id)").status == .unauthorized)
            #expect(try await app.request(.delete, "/api/v1/videos/\(id)", token: maya).status == .noContent)
            #expect(try await app.request(.get, "/api/v1/videos/\(id)").status == .notFound)
            #expect(try await app.request(.get, "/media/videos/\(id)").status == .notFound)
        }
    }

    @Test("every other upload gets a clear 4xx", arguments: DatabaseKind.enabled)
    func refusedUploads(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind, configure: { $0.maxVideoBytes = 64 * 1024 }) { app in
            let (_, maya) = try await app.signUp("maya")
            let clip = try Samples.bytes("dance.mp4")
            // A text file named like a video.
            let text = try await app.upload(Array("not a video at all, just words and more words".utf8), caption: "x", token: maya, filename: "clip.mp4")
            #expect(text.status == .unsupportedMediaType && text.headers[.contentType] == "application/problem+json", "\(text.text)")
            #expect(try await app.upload(clip, caption: "x", token: nil).status == .unauthorized)
            #expect(try await app.upload([], caption: "x", token: maya).status == .unprocessableContent)
            #expect(try await app.upload(clip, caption: String(repeating: "a", count: 2201), token: maya).status == .unprocessableContent)
            #expect(try await app.upload(Array(repeating: 0, count: 70 * 1024), caption: "x", token: maya).status == .contentTooLarge)
            // Not multipart, no boundary, no file part, a broken body.
            #expect(try await app.request(.post, "/api/v1/videos", json: #"{"caption":"x"}"#, token: maya).status == .unsupportedMediaType)
            #expect(try await app.request(.post, "/api/v1/videos", token: maya, headers: [.contentType: "multipart/form-data"]).status == .badRequest)
            var captionOnly = Multipart()
            captionOnly.field("caption", "hello")
            let noFile = try await app.client.executeRequest(uri: "/api/v1/videos", method: .post,
                                                             headers: [.contentType: captionOnly.contentType, .authorization: "Bearer \(maya)"], body: captionOnly.finished())
            #expect(noFile.status == .badRequest)
            let broken = try await app.client.executeRequest(uri: "/api/v1/videos", method: .post,
                                                             headers: [.contentType: "multipart/form-data; boundary=zz", .authorization: "Bearer \(maya)"],
                                                             body: ByteBuffer(string: "--zz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc"))
            #expect(broken.status == .badRequest, "\(broken.status)")
            // A part header with bytes above 127 (a library parser trapped on them): a 400, and the server lives on.
            var hostile = ByteBuffer(string: "--zz\r\n")
            hostile.writeBytes([0xC3, 0x92, 0x63, 0x22, 0xF1, 0x86, 0x8F, 0x8F, 0xC2, 0xA7])
            hostile.writeString(": x\r\n\r\nabc\r\n--zz--\r\n")
            let odd = try await app.client.executeRequest(uri: "/api/v1/videos", method: .post,
                                                          headers: [.contentType: "multipart/form-data; boundary=zz", .authorization: "Bearer \(maya)"], body: hostile)
            #expect(odd.status == .badRequest, "\(odd.status)")
            var twice = Multipart()
            twice.file("file", filename: "a.mp4", type: "video/mp4", clip)
            twice.file("file", filename: "b.mp4", type: "video/mp4", clip)
            let two = try await app.client.executeRequest(uri: "/api/v1/videos", method: .post,
                                                          headers: [.contentType: twice.contentType, .authorization: "Bearer \(maya)"], body: twice.finished())
            #expect(two.status == .badRequest)
            // WebM and QuickTime are taken too.
            #expect(try await app.upload(try Samples.bytes("rednose.webm"), caption: "#rednoseday", token: maya, type: "video/webm").json()["container"] as? String == "webm")
            #expect(try await app.upload(try Samples.bytes("realchallenge.mov"), caption: "", token: maya, type: "video/quicktime").json()["container"] as? String == "quicktime")
        }
    }

    @Test("views count once per viewer per video per hour, written in batches", arguments: DatabaseKind.enabled)
    func views(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let (_, maya) = try await app.signUp("maya")
            let id = try await app.upload(try Samples.bytes("dance.mp4"), caption: "hi", token: maya).json()["id"] as! String
            let now = ISO8601DateFormatter().string(from: Date())
            let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-2 * 3600))
            let batch = """
                [{"videoId":"\(id)","viewerId":"device-1","at":"\(now)"},{"videoId":"\(id)","viewerId":"device-1","at":"\(now)"},
                 {"videoId":"\(id)","viewerId":"device-2","at":"\(now)"},{"videoId":"\(id)","viewerId":"device-1","at":"\(later)"},
                 {"videoId":"\(UUID())","viewerId":"device-3","at":"\(now)"}]
                """
            let accepted = try await app.request(.post, "/api/v1/views", json: batch)
            #expect(accepted.status == .accepted, "\(accepted.text)")
            #expect(try accepted.json()["accepted"] as? Int == 5)
            // The same batch again, from another node's point of view: nothing new.
            #expect(try await app.request(.post, "/api/v1/views", json: batch).status == .accepted)
            try await app.services.views.flush()
            #expect(try await app.request(.post, "/api/v1/views", json: batch).status == .accepted)
            try await app.services.views.flush()
            #expect(try await app.request(.get, "/api/v1/videos/\(id)").json()["views"] as? Int == 3)

            // Refused: not an array, empty, too many, unknown fields, bad values.
            #expect(try await app.request(.post, "/api/v1/views", json: #"{"videoId":"x"}"#).status == .badRequest)
            // Not JSON (RFC 8259), though Foundation's parsers read it.
            #expect(try await app.request(.post, "/api/v1/views", json: #"[{"videoId":"\#(id)","viewerId":"d","at":"\#(now)"},]"#).status == .badRequest)
            #expect(try await app.request(.post, "/api/v1/views", json: "[]").status == .unprocessableContent)
            let many = "[" + Array(repeating: #"{"videoId":"\#(id)","viewerId":"d","at":"\#(now)"}"#, count: 1001).joined(separator: ",") + "]"
            #expect(try await app.request(.post, "/api/v1/views", json: many).status == .unprocessableContent)
            #expect(try await app.request(.post, "/api/v1/views", json: #"[{"videoId":"\#(id)","viewerId":"d","at":"\#(now)","extra":1}]"#).status == .badRequest)
            let bad = try await app.request(.post, "/api/v1/views", json: #"[{"videoId":"nope","viewerId":"d","at":"\#(now)"},{"videoId":"\#(id)","viewerId":"","at":"\#(now)"},{"videoId":"\#(id)","viewerId":"d","at":"yesterday"}]"#)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("[0].videoId") && bad.text.contains("[1].viewerId") && bad.text.contains("[2].at"), "\(bad.text)")
            #expect(try await app.request(.post, "/api/v1/views", json: #"[{"videoId":1,"viewerId":"d","at":"\#(now)"}]"#).status == .unprocessableContent)
            // A view from days ago, or from the future, would count the same viewer again and again.
            for at in [Date().addingTimeInterval(-3 * 86_400), Date().addingTimeInterval(3600)] {
                let stale = ISO8601DateFormatter().string(from: at)
                #expect(try await app.request(.post, "/api/v1/views", json: #"[{"videoId":"\#(id)","viewerId":"d","at":"\#(stale)"}]"#).status == .unprocessableContent)
            }
        }
    }
}
