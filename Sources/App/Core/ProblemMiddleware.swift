import Foundation
import Hummingbird
import Logging

/// The one place where errors become responses: problem+json for the API, a readable HTML
/// page for the site. Anything unexpected is logged with the request id and answered as a
/// 500 problem without internals.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let pages: PageRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let problem: Problem
        do {
            return try await next(request, context)
        } catch let error as Problem {
            problem = error
        } catch let error as HTTPError {
            problem = Self.problem(for: error)
        } catch let error as any HTTPResponseError {
            problem = Problem(Self.kind(for: error.status), status: error.status, detail: error.status.reasonPhrase)
        } catch is CancellationError {
            throw CancellationError()
        } catch let error where error.isDatabaseOutage {
            context.logger.warning("database unavailable", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            problem = Problem(.unavailable, detail: "the database is not answering; try again in a few seconds", headers: [.retryAfter: "5"])
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            problem = Problem(.internalError, detail: "something went wrong on our side; the request id is \(context.id)")
        }
        if Self.isPage(request) {
            return pages.errorPage(problem, request: request, context: context)
        }
        return try problem.response(from: request, context: context)
    }

    /// API, machine and asset paths get problem+json; everything else is a page.
    static func isPage(_ request: Request) -> Bool {
        let path = request.uri.path
        return !(path.hasPrefix("/api/") || path == "/api" || path == "/healthz" || path == "/metrics"
            || path == "/openapi.json" || path.hasPrefix("/static/"))
    }

    static func problem(for error: HTTPError) -> Problem {
        let kind = kind(for: error.status)
        let detail: String = switch error.status {
        case .notFound: "no such path: check the URL against /openapi.json"
        case .methodNotAllowed: "this path does not take that method"
        case .contentTooLarge: "the request body is too large"
        default: error.body ?? error.status.reasonPhrase
        }
        return Problem(kind, status: error.status, detail: detail, headers: error.headers)
    }

    static func kind(for status: HTTPResponse.Status) -> ProblemKind {
        switch status {
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .contentTooLarge: .bodyTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .unauthorized: .unauthenticated
        case .forbidden: .forbidden
        case .tooManyRequests: .rateLimited
        case .serviceUnavailable: .unavailable
        default: status.code >= 500 ? .internalError : .badRequest
        }
    }
}
