import Foundation
import Hummingbird

/// Resolves `Authorization: Bearer <token>` (API) or the session cookie (pages) into the
/// request's identity. A bearer token that is wrong, expired or revoked is a 401 at once:
/// a client that sent one expects to act as someone.
struct IdentityMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let sessionCookie = "gc_session"
    let store: AccountStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        // Probes and scrapers may carry stray credentials; they never need an identity.
        if ["/healthz", "/metrics", "/openapi.json"].contains(request.uri.path) { return try await next(request, context) }
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw Problem(.unauthenticated, detail: "the Authorization header must be 'Bearer <token>'")
            }
            guard let identity = try await store.identity(forSecret: String(parts[1]), kind: .api) else {
                throw Problem(.unauthenticated, detail: "the bearer token is unknown, expired or revoked; sign in again")
            }
            context.identity = identity
        } else if ProblemMiddleware.isPage(request), let cookie = request.cookies[Self.sessionCookie]?.value, !cookie.isEmpty {
            // Cookies count on pages only (which check CSRF); the API takes bearer tokens.
            context.identity = try await store.identity(forSecret: cookie, kind: .session)
        }
        if let identity = context.identity {
            context.logger[metadataKey: "account"] = "\(identity.account.id)"
        }
        return try await next(request, context)
    }
}
