import Foundation
import GoodcastCore
import Hummingbird
import NIOCore

/// Who is calling, once `IdentityMiddleware` has resolved a bearer token or session cookie.
public struct Identity: Sendable {
    public let account: AccountRecord
    public let tokenID: UUID
    public let tokenKind: AuthTokenKind
}

public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Identity?
    /// The page language, chosen by `LanguageMiddleware`.
    public var language: String = LanguageNegotiation.fallback
    /// The CSRF value forms must echo back, set by `CSRFMiddleware` for page requests.
    public var csrfToken: String = ""
    /// The peer's address, for per-address rate limits.
    public let remoteAddress: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Stable key order and unescaped slashes, so that responses read well and diff cleanly.
    public var responseEncoder: JSONEncoder { APIJSON.encoder() }

    /// The signed-in account, or a 401 problem.
    public func requireAccount() throws -> AccountRecord {
        guard let identity else { throw Problem.unauthenticated }
        return identity.account
    }

    public func requireAdmin() throws -> AccountRecord {
        let account = try requireAccount()
        guard account.role == .platformAdmin else { throw Problem.forbidden("only platform admins may do this") }
        return account
    }
}
