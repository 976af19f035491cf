import HTTPTypes
import Hummingbird

/// Headers every response carries; pages also get a strict Content-Security-Policy
/// (no inline script, nothing from other origins) and may not be framed, except the stream
/// overlay, which OBS and streaming studios embed. Other answers (JSON, files) that set no
/// policy of their own get one that lets them run nothing and be framed nowhere.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var pagePolicy: String {
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    }

    /// The overlay page's: the same, but any site may frame it (its key is the credential).
    static var overlayPolicy: String {
        pagePolicy.replacingOccurrences(of: "frame-ancestors 'none'", with: "frame-ancestors *")
    }

    static var documentPolicy: String { "default-src 'none'; frame-ancestors 'none'" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "same-origin"
        if response.headers[.contentType]?.hasPrefix("text/html") == true {
            let embeddable = response.status == .ok && request.uri.path.hasPrefix("/overlay/")
            // A page may widen its own policy (a live page frames the host's player); the default is strict.
            if response.headers[.contentSecurityPolicy] == nil {
                response.headers[.contentSecurityPolicy] = embeddable ? Self.overlayPolicy : Self.pagePolicy
            }
            if !embeddable { response.headers[.xFrameOptions] = "DENY" }
            response.headers[.cacheControl] = "no-store"
        } else if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = Self.documentPolicy
        }
        return response
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xRequestID = Self("X-Request-ID")!
}
