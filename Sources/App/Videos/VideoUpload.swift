import Foundation
import GoodcastCore
import Hummingbird
import MultipartKit

/// Reads a `multipart/form-data` upload as it arrives: the `file` part streams to a temporary
/// file (never the whole video in memory), the `caption` part is kept as text.
struct VideoUpload: Sendable {
    let temporaryPath: String
    let caption: String?
    let bytes: Int64
    let head: [UInt8]

    static let captionMax = 2200

    static func read(_ request: Request, maxBytes: Int, store: any MediaStore) async throws -> VideoUpload {
        guard let contentType = request.headers[.contentType], contentType.lowercased().hasPrefix("multipart/form-data") else {
            throw Problem(.unsupportedMediaType, detail: "send the video as multipart/form-data with a 'file' part and a 'caption' part")
        }
        guard let boundary = boundary(contentType) else {
            throw Problem(.malformedBody, detail: "the multipart/form-data content type has no boundary")
        }
        let path = try store.temporaryPath()
        guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
            throw Problem(.unavailable, detail: "the upload could not be stored; try again")
        }
        do {
            let parts = try await parse(request.body, boundary: boundary, maxBytes: maxBytes, into: file)
            try file.close()
            guard parts.sawFile else {
                throw Problem(.malformedBody, detail: "the upload has no 'file' part: send the video in a form field named 'file'")
            }
            return VideoUpload(temporaryPath: path, caption: parts.caption, bytes: parts.fileBytes, head: parts.head)
        } catch {
            try? file.close()
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }

    private struct Parts {
        var caption: String?
        var sawFile = false
        var fileBytes: Int64 = 0
        var head: [UInt8] = []
    }

    /// The part being read: which field, and the bytes not yet handled.
    private final class State {
        var headers: [(String, String)] = []
        var field: String?
        var captionBytes: [UInt8] = []
        var pending = ByteBuffer()
        var parts = Parts()
        var tooLongCaption = false
    }

    private static func parse(_ body: RequestBody, boundary: String, maxBytes: Int, into file: FileHandle) async throws -> Parts {
        let parser = MultipartParser(boundary: boundary)
        let state = State()
        parser.onHeader = { name, value in state.headers.append((name.lowercased(), value)) }
        parser.onBody = { buffer in
            if state.field == nil { state.field = fieldName(state.headers) ?? "" }
            switch state.field {
            case "file":
                state.parts.sawFile = true
                state.pending.writeBuffer(&buffer)
            case "caption":
                if state.captionBytes.count + buffer.readableBytes > captionMax * 4 { state.tooLongCaption = true } else {
                    state.captionBytes.append(contentsOf: buffer.readableBytesView)
                }
            default:
                break // Other fields are ignored, as browsers send extra ones (the CSRF token).
            }
        }
        parser.onPartComplete = {
            if state.field == nil { state.field = fieldName(state.headers) ?? "" }
            if state.field == "file" { state.parts.sawFile = true }
            if state.field == "caption" { state.parts.caption = String(decoding: state.captionBytes, as: UTF8.self) }
            state.headers = []
            state.field = nil
        }
        var received = 0
        let limit = maxBytes + 64 * 1024 // The form's own headers and boundaries.
        do {
            for try await chunk in body {
                received += chunk.readableBytes
                if received > limit {
                    throw Problem(.bodyTooLarge, detail: "the video must be at most \(maxBytes / (1 << 20)) MB (\(maxBytes) bytes)")
                }
                try parser.execute(chunk)
                if state.pending.readableBytes > 0 {
                    if state.parts.head.count < VideoContainer.sniffLength {
                        state.parts.head.append(contentsOf: state.pending.readableBytesView.prefix(VideoContainer.sniffLength - state.parts.head.count))
                    }
                    state.parts.fileBytes += Int64(state.pending.readableBytes)
                    if state.parts.fileBytes > maxBytes {
                        throw Problem(.bodyTooLarge, detail: "the video must be at most \(maxBytes / (1 << 20)) MB (\(maxBytes) bytes)")
                    }
                    try file.write(contentsOf: state.pending.readableBytesView)
                    state.pending.clear()
                }
            }
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(.malformedBody, detail: "the multipart/form-data body could not be read")
        }
        if state.tooLongCaption {
            throw Problem.validation(ValidationIssue(field: "caption", message: "must be at most \(captionMax) characters"))
        }
        return state.parts
    }

    private static func fieldName(_ headers: [(String, String)]) -> String? {
        guard let disposition = headers.first(where: { $0.0 == "content-disposition" })?.1 else { return nil }
        for item in disposition.split(separator: ";") {
            let pair = item.trimmingCharacters(in: .whitespaces)
            if pair.lowercased().hasPrefix("name=") {
                return String(pair.dropFirst(5)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    static func boundary(_ contentType: String) -> String? {
        for item in contentType.split(separator: ";").dropFirst() {
            let pair = item.trimmingCharacters(in: .whitespaces)
            guard pair.lowercased().hasPrefix("boundary=") else { continue }
            let value = String(pair.dropFirst(9)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return value.isEmpty || value.count > 200 ? nil : value
        }
        return nil
    }
}
