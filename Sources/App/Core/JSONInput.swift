import Foundation
import GoodcastCore
import Hummingbird

/// A request body type that names every field it accepts, so that unknown fields are refused
/// rather than silently ignored (a typo like `visibilty` must not pass as "public").
public protocol JSONInput: Decodable {
    associatedtype Field: CodingKey & CaseIterable
}

extension Request {
    /// Reads and decodes a JSON body strictly: size limit (413), content type (415), valid
    /// UTF-8 JSON (400), no unknown fields (400), right types (422). Never a 500.
    public func decodeJSON<T: JSONInput>(_ type: T.Type, maxBytes: Int) async throws -> T {
        try await readJSON(type, maxBytes: maxBytes).value
    }

    /// As `decodeJSON`, also giving the body's bytes (for idempotency fingerprints).
    public func readJSON<T: JSONInput>(_ type: T.Type, maxBytes: Int) async throws -> (value: T, body: Data) {
        let data = try await readJSONBody(maxBytes: maxBytes)
        return (try Self.decodeStrictly(type, from: data), data)
    }

    /// As above, for a body type that a plain body makes without `JSONDecoder`.
    func readJSON<T: GlancedInput>(_ type: T.Type, maxBytes: Int) async throws -> (value: T, body: Data) {
        let data = try await readJSONBody(maxBytes: maxBytes)
        return (try Self.glanceOrDecode(type, from: data), data)
    }

    /// `T` from the one pass that checks the syntax when the body is plain (`GlancedInput`);
    /// otherwise from `decodeStrictly`, which says what is wrong.
    static func glanceOrDecode<T: GlancedInput>(_ type: T.Type, from data: Data) throws -> T {
        if let found = T.glance.read(withoutByteOrderMark(data)), let value = T(glanced: found) { return value }
        return try decodeStrictly(type, from: data)
    }

    /// `T` from a body's bytes: valid JSON (400), an object (400), no unknown fields (400),
    /// right types (422).
    static func decodeStrictly<T: JSONInput>(_ type: T.Type, from data: Data) throws -> T {
        // The fields are checked inside the decoding (`Strict`), not in a `JSONSerialization`
        // tree made first, which was a fiftieth of every gift's CPU time.
        let json = try Self.checkedJSON(data)
        do {
            return try JSONDecoder().decode(Strict<T>.self, from: json).value
        } catch is Strict<T>.NotAnObject {
            throw Problem(.malformedBody, detail: "the body must be a JSON object")
        } catch let error as DecodingError {
            throw Problem.decoding(error)
        }
    }

    /// JSON as RFC 8259 has it, nested as deep as `JSONDecoder` reads.
    private static let syntax = JSONGlance(paths: [], maxDepth: 512)

    /// The body without a byte order mark (let through, as RFC 8259 allows and `JSONSerialization`
    /// did), once a pass that builds nothing has found it well-formed: both Foundation parsers let
    /// trailing commas through.
    private static func checkedJSON(_ data: Data) throws -> Data {
        let json = withoutByteOrderMark(data)
        guard syntax.read(json) != nil else { throw Problem(.malformedBody, detail: "the body is not valid JSON") }
        return json
    }

    private static func withoutByteOrderMark(_ data: Data) -> Data {
        data.starts(with: [0xEF, 0xBB, 0xBF]) ? Data(data.dropFirst(3)) : data
    }

    /// A body's top-level fields checked against `T.Field`, then `T` decoded from the same reading.
    private struct Strict<T: JSONInput>: Decodable {
        struct NotAnObject: Error {}
        struct AnyKey: CodingKey {
            let stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        let value: T

        init(from decoder: any Decoder) throws {
            let keys: [AnyKey]
            do {
                keys = try decoder.container(keyedBy: AnyKey.self).allKeys
            } catch DecodingError.typeMismatch, DecodingError.valueNotFound {
                throw NotAnObject()
            }
            try Request.refuseUnknown(keys.map(\.stringValue), known: Set(T.Field.allCases.map(\.stringValue)), at: "")
            value = try T(from: decoder)
        }
    }

    /// A JSON array of objects, each read as strictly as `decodeJSON` reads one.
    func decodeJSONArray<T: Decodable & KnownFields>(_ type: T.Type, maxBytes: Int) async throws -> [T] {
        let (object, data) = try await readJSONObject(maxBytes: maxBytes)
        guard let array = object as? [Any] else { throw Problem(.malformedBody, detail: "the body must be a JSON array") }
        for (index, item) in array.enumerated() {
            guard let dictionary = item as? [String: Any] else {
                throw Problem(.malformedBody, detail: "item [\(index)] of the body must be a JSON object")
            }
            try Self.refuseUnknown(Array(dictionary.keys), known: T.fieldNames, at: "[\(index)]")
        }
        do {
            return try JSONDecoder().decode([T].self, from: data)
        } catch let error as DecodingError {
            throw Problem.decoding(error)
        }
    }

    /// The body as parsed JSON and as bytes: size (413), content type (415), UTF-8 and syntax (400).
    private func readJSONObject(maxBytes: Int) async throws -> (Any, Data) {
        let data = try Self.checkedJSON(try await readJSONBody(maxBytes: maxBytes))
        do {
            return (try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]), data)
        } catch {
            throw Problem(.malformedBody, detail: "the body is not valid JSON")
        }
    }

    /// The body's bytes: size (413), content type (415), not empty, UTF-8 (400).
    private func readJSONBody(maxBytes: Int) async throws -> Data {
        if let contentType = headers[.contentType], !contentType.lowercased().hasPrefix("application/json"),
           !contentType.lowercased().hasPrefix("application/problem+json") {
            throw Problem(.unsupportedMediaType, detail: "send the body as application/json (got \(contentType.prefix(80)))")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: maxBytes)
        } catch {
            throw Problem(.bodyTooLarge, detail: "the body must be at most \(maxBytes) bytes")
        }
        let data = Data(buffer.readableBytesView)
        guard !data.isEmpty else { throw Problem(.malformedBody, detail: "the body is empty; send JSON") }
        guard String(validating: data, as: UTF8.self) != nil else {
            throw Problem(.malformedBody, detail: "the body is not valid UTF-8")
        }
        return data
    }

    /// 400 naming each of `keys` that is not `known`.
    fileprivate static func refuseUnknown(_ keys: [String], known: Set<String>, at prefix: String) throws {
        let unknown = keys.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw Problem(
                .unknownField,
                detail: "unknown field\(unknown.count > 1 ? "s" : "") \(unknown.map { "'\(prefix)\($0.prefix(60))'" }.joined(separator: ", ")); this endpoint takes \(known.sorted().joined(separator: ", "))"
            )
        }
    }
}

/// A body type that a plain body makes without `JSONDecoder`: a gift's body is read on every
/// donation, and the decoder was a twentieth of its CPU time. The glance (`closed`) finds the
/// fields in the pass that checks the syntax; `init(glanced:)` takes only what the decoder
/// would read the same way (anything else, a `null` say, is nil and goes to the decoder), so
/// every error is still the decoder's sentence.
protocol GlancedInput: JSONInput {
    static var glance: JSONGlance { get }
    init?(glanced found: [JSONGlance.Value?])
}

/// An array item type that names the fields it accepts.
protocol KnownFields {
    static var fieldNames: Set<String> { get }
}

extension Problem {
    /// Turns Swift's decoding errors into a sentence that names the field.
    static func decoding(_ error: DecodingError) -> Problem {
        func path(_ codingPath: [any CodingKey]) -> String {
            let text = codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return text.isEmpty ? "body" : text.replacingOccurrences(of: ".[", with: "[")
        }
        let issue: ValidationIssue
        switch error {
        case .typeMismatch(let type, let context):
            issue = ValidationIssue(field: path(context.codingPath), message: "must be \(describe(type))")
        case .valueNotFound(let type, let context):
            issue = ValidationIssue(field: path(context.codingPath), message: "must be \(describe(type)), not null")
        case .keyNotFound(let key, let context):
            issue = ValidationIssue(field: path(context.codingPath + [key]), message: "is required")
        case .dataCorrupted(let context):
            issue = ValidationIssue(field: path(context.codingPath), message: "has an invalid value")
        @unknown default:
            issue = ValidationIssue(field: "body", message: "could not be read")
        }
        return .validation(issue)
    }

    /// In JSON's words: a client sent JSON, and Swift's type names (`Dictionary<String, Any>`)
    /// would not tell it what to send instead.
    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: return "a whole number"
        case is Double.Type, is Float.Type, is Decimal.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is [String].Type: return "an array of strings"
        default:
            // The decoder names a container by what it expected: an object, or an array.
            let name = String(describing: type)
            if name.hasPrefix("Dictionary<") { return "an object" }
            if name.hasPrefix("Array<") { return "an array" }
            return "another JSON type"
        }
    }
}
