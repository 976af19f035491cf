import Foundation
import GoodcastCore
import Hummingbird
import MultipartKit

/// Reads a `multipart/form-data` upload as it arrives: the file part streams to a temporary
/// file (never a whole video in memory), the named text parts are kept as text.
struct MultipartUpload: Sendable {
    let temporaryPath: String
    let fields: [String: String]
    let bytes: Int64
    let head: [UInt8]

    /// `fileField` names the file part; `textFields` the text parts kept, each with its longest
    /// length in characters (a longer one is a 422 naming it). Other parts are ignored.
    static func read(_ request: Request, fileField: String, textFields: [String: Int], maxBytes: Int, store: any MediaStore) async throws -> MultipartUpload {
        guard let contentType = request.headers[.contentType], contentType.lowercased().hasPrefix("multipart/form-data") else {
            let parts = ([fileField] + textFields.keys.sorted()).map { "'\($0)'" }.joined(separator: ", ")
            throw Problem(.unsupportedMediaType, detail: "send the upload as multipart/form-data with the parts \(parts)")
        }
        guard let boundary = boundary(contentType) else {
            throw Problem(.malformedBody, detail: "the multipart/form-data content type has no boundary")
        }
        let path = try store.temporaryPath()
        guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
            throw Problem(.unavailable, detail: "the upload could not be stored; try again")
        }
        do {
            let parts = try await parse(request.body, boundary: boundary, fileField: fileField, textFields: textFields, maxBytes: maxBytes, into: file)
            try file.close()
            guard parts.sawFile else {
                throw Problem(.malformedBody, detail: "the upload has no '\(fileField)' part: send the file in a form field named '\(fileField)'")
            }
            return MultipartUpload(temporaryPath: path, fields: parts.fields, bytes: parts.fileBytes, head: parts.head)
        } catch {
            try? file.close()
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }

    private struct Parts {
        var fields: [String: String] = [:]
        var sawFile = false
        var fileBytes: Int64 = 0
        var head: [UInt8] = []
    }

    /// The part being read: which field, and the bytes not yet handled.
    private final class State {
        var headers: [(String, String)] = []
        var field: String?
        var textBytes: [UInt8] = []
        var pending = ByteBuffer()
        var parts = Parts()
        var tooLong: String?
        /// File parts that reached their closing boundary, and whether a second one began.
        var filesCompleted = 0
        var secondFile = false
    }

    private static func parse(_ body: RequestBody, boundary: String, fileField: String, textFields: [String: Int], maxBytes: Int, into file: FileHandle) async throws -> Parts {
        let parser = MultipartParser(boundary: boundary)
        let state = State()
        parser.onHeader = { name, value in state.headers.append((name.lowercased(), value)) }
        parser.onBody = { buffer in
            if state.field == nil { state.field = fieldName(state.headers) ?? "" }
            if state.field == fileField {
                if state.filesCompleted > 0 { state.secondFile = true; return }
                state.parts.sawFile = true
                state.pending.writeBuffer(&buffer)
            } else if let field = state.field, let max = textFields[field] {
                // UTF-8 takes at most four bytes a character: more bytes than that is too long.
                if state.textBytes.count + buffer.readableBytes > max * 4 { state.tooLong = field } else {
                    state.textBytes.append(contentsOf: buffer.readableBytesView)
                }
            }
            // Other fields are ignored, as browsers send extra ones (the CSRF token).
        }
        parser.onPartComplete = {
            if state.field == nil { state.field = fieldName(state.headers) ?? "" }
            if state.field == fileField {
                state.parts.sawFile = true
                state.filesCompleted += 1
            }
            if let field = state.field, textFields[field] != nil { state.parts.fields[field] = String(decoding: state.textBytes, as: UTF8.self) }
            state.textBytes = []
            state.headers = []
            state.field = nil
        }
        var received = 0
        let limit = maxBytes + 64 * 1024 // The form's own headers and boundaries.
        do {
            for try await chunk in body {
                received += chunk.readableBytes
                if received > limit {
                    throw Problem(.bodyTooLarge, detail: "the file must be at most \(maxBytes / (1 << 20)) MB (\(maxBytes) bytes)")
                }
                try parser.execute(chunk)
                if state.pending.readableBytes > 0 {
                    if state.parts.head.count < VideoContainer.sniffLength {
                        state.parts.head.append(contentsOf: state.pending.readableBytesView.prefix(VideoContainer.sniffLength - state.parts.head.count))
                    }
                    state.parts.fileBytes += Int64(state.pending.readableBytes)
                    if state.parts.fileBytes > maxBytes {
                        throw Problem(.bodyTooLarge, detail: "the file must be at most \(maxBytes / (1 << 20)) MB (\(maxBytes) bytes)")
                    }
                    do {
                        try file.write(contentsOf: state.pending.readableBytesView)
                    } catch {
                        throw Problem(.unavailable, detail: "the upload could not be stored; try again", headers: [.retryAfter: "5"])
                    }
                    state.pending.clear()
                }
            }
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(.malformedBody, detail: "the multipart/form-data body could not be read")
        }
        if let field = state.tooLong {
            throw Problem.validation(ValidationIssue(field: field, message: "must be at most \(textFields[field] ?? 0) characters"))
        }
        if state.secondFile || state.filesCompleted > 1 {
            throw Problem(.malformedBody, detail: "the upload has more than one '\(fileField)' part: send one file")
        }
        if state.parts.sawFile && state.filesCompleted == 0 {
            throw Problem(.malformedBody, detail: "the upload ended before its '\(fileField)' part did (no closing boundary): send it again")
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
