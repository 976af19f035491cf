import Foundation
import GoodcastCore
import Hummingbird

/// An API error as RFC 9457 `application/problem+json`. `type` is a stable URI (a path on
/// this server, which explains it); `detail` says what was wrong with this request.
public struct Problem: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let kind: ProblemKind
    public let detail: String
    public var issues: [ValidationIssue]
    public var headers: HTTPFields

    public init(_ kind: ProblemKind, status: HTTPResponse.Status? = nil, detail: String, issues: [ValidationIssue] = [], headers: HTTPFields = [:]) {
        self.kind = kind
        self.status = status ?? kind.status
        self.detail = detail
        self.issues = issues
        self.headers = headers
    }

    struct Body: Encodable {
        let type: String
        let title: String
        let status: Int
        let detail: String
        let instance: String?
        let errors: [ValidationIssue]?
    }

    func body(instance: String?) -> Body {
        Body(type: kind.typeURI, title: kind.title, status: Int(status.code), detail: detail, instance: instance,
             errors: issues.isEmpty ? nil : issues)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try APIJSON.encoder().encode(body(instance: request.uri.path))
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    // Shorthands for the common cases.
    public static func validation(_ issues: ValidationIssues) -> Problem {
        Problem(.validationFailed, detail: issues.summary, issues: issues.issues)
    }
    public static func validation(_ issue: ValidationIssue) -> Problem {
        Problem(.validationFailed, detail: "\(issue.field): \(issue.message)", issues: [issue])
    }
    public static func notFound(_ what: String) -> Problem { Problem(.notFound, detail: "\(what) was not found") }
    public static let unauthenticated = Problem(.unauthenticated, detail: "sign in first: send 'Authorization: Bearer <token>' (from POST /api/v1/sessions)")
    public static func forbidden(_ detail: String) -> Problem { Problem(.forbidden, detail: detail) }
    public static func conflict(_ detail: String) -> Problem { Problem(.conflict, detail: detail) }
}

/// The one JSON style of the API: ISO 8601 dates, stable key order, unescaped slashes.
enum APIJSON {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func string(_ value: some Encodable) throws -> String {
        String(decoding: try encoder().encode(value), as: UTF8.self)
    }
}

/// The stable problem types. Their slugs are part of the API: never rename one.
public enum ProblemKind: String, Sendable, CaseIterable {
    case validationFailed = "validation-failed"
    case malformedBody = "malformed-body"
    case unknownField = "unknown-field"
    case bodyTooLarge = "body-too-large"
    case unsupportedMediaType = "unsupported-media-type"
    case notFound = "not-found"
    case methodNotAllowed = "method-not-allowed"
    case unauthenticated
    case invalidCredentials = "invalid-credentials"
    case forbidden
    case conflict
    case rateLimited = "rate-limited"
    case csrfFailed = "csrf-failed"
    case badRequest = "bad-request"
    case unavailable
    case internalError = "internal-error"
    case idempotencyKeyMissing = "idempotency-key-missing"
    case idempotencyKeyReused = "idempotency-key-reused"
    case requestInProgress = "request-in-progress"
    case paymentDeclined = "payment-declined"
    case paymentOutcomeUnknown = "payment-outcome-unknown"
    case paymentRejected = "payment-rejected"
    case ticketRequired = "ticket-required"
    case rangeNotSatisfiable = "range-not-satisfiable"

    public var typeURI: String { "/problems/\(rawValue)" }

    public var status: HTTPResponse.Status {
        switch self {
        case .validationFailed: .unprocessableContent
        case .malformedBody, .unknownField, .badRequest: .badRequest
        case .bodyTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .unauthenticated, .invalidCredentials: .unauthorized
        case .forbidden, .csrfFailed: .forbidden
        case .conflict: .conflict
        case .rateLimited: .tooManyRequests
        case .unavailable: .serviceUnavailable
        case .internalError: .internalServerError
        case .idempotencyKeyMissing: .badRequest
        case .idempotencyKeyReused, .paymentRejected: .unprocessableContent
        case .requestInProgress: .conflict
        case .paymentDeclined: .init(code: 402)
        case .ticketRequired: .forbidden
        case .rangeNotSatisfiable: .rangeNotSatisfiable
        case .paymentOutcomeUnknown: .serviceUnavailable
        }
    }

    public var title: String {
        switch self {
        case .validationFailed: "The request's values are not valid"
        case .malformedBody: "The request body could not be read"
        case .unknownField: "The request body has a field this endpoint does not take"
        case .bodyTooLarge: "The request body is too large"
        case .unsupportedMediaType: "The request body has an unsupported content type"
        case .notFound: "Not found"
        case .methodNotAllowed: "Method not allowed"
        case .unauthenticated: "Authentication required"
        case .invalidCredentials: "Wrong sign-in details"
        case .forbidden: "Not allowed"
        case .conflict: "Conflict with the current state"
        case .rateLimited: "Too many requests"
        case .csrfFailed: "The form's security token is missing or wrong"
        case .badRequest: "Bad request"
        case .unavailable: "Service unavailable"
        case .internalError: "Internal error"
        case .idempotencyKeyMissing: "An Idempotency-Key header is required"
        case .idempotencyKeyReused: "This Idempotency-Key was used with another request"
        case .requestInProgress: "A request with this Idempotency-Key is still in progress"
        case .paymentDeclined: "The payment was declined"
        case .paymentOutcomeUnknown: "The payment's outcome is not known yet"
        case .paymentRejected: "The payment processor refused the request"
        case .ticketRequired: "A ticket is required"
        case .rangeNotSatisfiable: "The requested range is not within the file"
        }
    }
}
