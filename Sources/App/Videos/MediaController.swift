import Foundation
import Hummingbird

/// `/media/videos/{id}`, its poster and `/media/stories/{id}`: the stored bytes, with HTTP ranges so that players can
/// seek. Served as attachments of their own type with `nosniff`, so an upload never runs as a page.
struct MediaController: Sendable {
    let videos: VideoService
    let stories: StoryService
    let media: any MediaStore
    let fileIO = FileIO()

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/media/videos/:videoId", use: video)
        router.get("/media/videos/:videoId/poster.jpg", use: poster)
        router.get("/media/stories/:storyId", use: story)
    }

    @Sendable func story(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("storyId")
        let record = try await stories.visible(id, to: context.identity?.account)
        guard let path = media.path(of: record.mediaKey) else { throw Problem.notFound("story \(id)") }
        // Private: a deleted or expired story must not live on in a shared cache.
        return try await serve(path, type: record.mediaType, cacheControl: "private, max-age=300", request: request, context: context)
    }

    @Sendable func video(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("videoId")
        guard let record = try await videos.find(id), let path = media.path(of: record.mediaKey) else { throw Problem.notFound("video \(id)") }
        return try await serve(path, type: record.videoContainer.mediaType, request: request, context: context)
    }

    @Sendable func poster(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("videoId")
        guard let record = try await videos.find(id), record.hasPoster, let path = media.path(of: record.posterKey) else {
            throw Problem.notFound("poster of video \(id)")
        }
        return try await serve(path, type: "image/jpeg", request: request, context: context)
    }

    private func serve(_ path: String, type: String, cacheControl: String = "public, max-age=3600", request: Request, context: AppRequestContext) async throws -> Response {
        let size = Int((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0)
        var headers: HTTPFields = [.contentType: type, .acceptRanges: "bytes", .cacheControl: cacheControl,
                                   .contentSecurityPolicy: "default-src 'none'; sandbox"]
        guard let header = request.headers[.range] else {
            headers[.contentLength] = String(size)
            let body = request.method == .head ? ResponseBody() : try await fileIO.loadFile(path: path, context: context)
            return Response(status: .ok, headers: headers, body: body)
        }
        guard let range = ByteRange.parse(header, size: size) else {
            headers[.contentRange] = "bytes */\(size)"
            throw Problem(.rangeNotSatisfiable, detail: "the range '\(header.prefix(60))' is not within the file's \(size) bytes", headers: [.contentRange: "bytes */\(size)"])
        }
        headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
        headers[.contentLength] = String(range.count)
        return Response(status: .partialContent, headers: headers, body: try await fileIO.loadFile(path: path, range: range, context: context))
    }
}

/// A single `Range: bytes=...` request (the only kind players send).
enum ByteRange {
    static func parse(_ header: String, size: Int) -> ClosedRange<Int>? {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes="), size > 0 else { return nil }
        let spec = text.dropFirst(6)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces), last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            guard let suffix = Int(last), suffix > 0 else { return nil }
            return max(0, size - suffix)...(size - 1)
        }
        guard let start = Int(first), start >= 0, start < size else { return nil }
        if last.isEmpty { return start...(size - 1) }
        guard let end = Int(last), end >= start else { return nil }
        return start...min(end, size - 1)
    }
}
