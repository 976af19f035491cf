import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body: every value of every field, in order.
struct FormData: Sendable {
    private(set) var values: [String: [String]] = [:]

    init(_ text: String) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            values[name, default: []].append(value)
        }
    }

    subscript(_ name: String) -> String? { values[name]?.first }

    func all(_ name: String) -> [String] { values[name] ?? [] }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Reads a form body (already collected by `CSRFMiddleware`) with a size limit.
    static func read(_ request: inout Request, maxBytes: Int) async throws -> FormData {
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxBytes)
        } catch {
            throw Problem(.bodyTooLarge, detail: "the form must be at most \(maxBytes) bytes")
        }
        return try parse(buffer)
    }

    /// Reads the body of a request whose body `PageMiddleware` has already collected.
    static func read(_ request: Request, maxBytes: Int) async throws -> FormData {
        var request = request
        return try await read(&request, maxBytes: maxBytes)
    }

    private static func parse(_ buffer: ByteBuffer) throws -> FormData {
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw Problem(.malformedBody, detail: "the form is not valid UTF-8")
        }
        return FormData(text)
    }
}
