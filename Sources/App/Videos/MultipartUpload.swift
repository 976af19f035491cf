import Foundation
import GoodcastCore
import Hummingbird

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

    /// A file on this machine (the demo's samples) as an upload, copied to the store's
    /// temporary folder so that it goes through the same checks and the same keeping.
    static func local(_ url: URL, fields: [String: String], store: any MediaStore) throws -> MultipartUpload {
        let path = try store.temporaryPath()
        try FileManager.default.copyItem(at: url, to: URL(fileURLWithPath: path))
        let bytes = try Data(contentsOf: url)
        return MultipartUpload(temporaryPath: path, fields: fields, bytes: Int64(bytes.count), head: Array(bytes.prefix(64)))
    }

    private struct Parts {
        var fields: [String: String] = [:]
        var sawFile = false
        var fileBytes: Int64 = 0
        var head: [UInt8] = []
    }

    private static func parse(_ body: RequestBody, boundary: String, fileField: String, textFields: [String: Int], maxBytes: Int, into file: FileHandle) async throws -> Parts {
        let stream = MultipartStream(boundary: boundary)
        var parts = Parts()
        var field: String?
        var textBytes: [UInt8] = []
        var tooLong: String?
        var filesStarted = 0
        var received = 0
        let limit = maxBytes + 64 * 1024 // The form's own headers and boundaries.
        let tooLarge = Problem(.bodyTooLarge, detail: "the file must be at most \(maxBytes / (1 << 20)) MB (\(maxBytes) bytes)")
        do {
            for try await chunk in body {
                received += chunk.readableBytes
                if received > limit { throw tooLarge }
                var pending: [UInt8] = []
                try stream.feed(chunk.readableBytesView) { event in
                    switch event {
                    case .part(let headers):
                        field = fieldName(headers) ?? ""
                        textBytes = []
                        if field == fileField {
                            filesStarted += 1
                            parts.sawFile = true
                        }
                    case .body(let bytes):
                        if field == fileField {
                            pending.append(contentsOf: bytes)
                        } else if let name = field, let max = textFields[name] {
                            // UTF-8 takes at most four bytes a character: more bytes than that is too long.
                            if textBytes.count + bytes.count > max * 4 { tooLong = name } else { textBytes.append(contentsOf: bytes) }
                        }
                        // Other fields are ignored, as browsers send extra ones (the CSRF token).
                    case .end:
                        if let name = field, textFields[name] != nil { parts.fields[name] = String(decoding: textBytes, as: UTF8.self) }
                        field = nil
                    }
                }
                if filesStarted > 1 { throw Problem(.malformedBody, detail: "the upload has more than one '\(fileField)' part: send one file") }
                guard !pending.isEmpty else { continue }
                if parts.head.count < VideoContainer.sniffLength {
                    parts.head.append(contentsOf: pending.prefix(VideoContainer.sniffLength - parts.head.count))
                }
                parts.fileBytes += Int64(pending.count)
                if parts.fileBytes > maxBytes { throw tooLarge }
                do {
                    try file.write(contentsOf: pending)
                } catch {
                    throw Problem(.unavailable, detail: "the upload could not be stored; try again", headers: [.retryAfter: "5"])
                }
            }
        } catch let problem as Problem {
            throw problem
        } catch let malformed as MultipartStream.Malformed {
            throw Problem(.malformedBody, detail: "the multipart/form-data body could not be read: \(malformed.reason)")
        } catch {
            throw Problem(.malformedBody, detail: "the multipart/form-data body could not be read")
        }
        guard stream.isComplete else {
            throw Problem(.malformedBody, detail: "the upload ended before its closing boundary: send it again")
        }
        if let name = tooLong {
            throw Problem.validation(ValidationIssue(field: name, message: "must be at most \(textFields[name] ?? 0) characters"))
        }
        return parts
    }

    private static func fieldName(_ headers: [(name: String, value: String)]) -> String? {
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
