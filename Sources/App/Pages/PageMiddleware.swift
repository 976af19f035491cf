import Foundation
import GoodcastCore
import Hummingbird

/// For pages: picks the language (`?lang=` then the `gc_lang` cookie then `Accept-Language`)
/// and guards forms with a double-submit CSRF token: a random value in an HttpOnly,
/// SameSite cookie that every form must echo in its `_csrf` field (an upload form, in its
/// action's `?_csrf=`).
struct PageMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let csrfCookie = "gc_csrf"
    static let languageCookie = "gc_lang"
    let secureCookies: Bool
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard ProblemMiddleware.isPage(request) else { return try await next(request, context) }
        var context = context
        let choice = request.uri.queryParameters.get("lang")
        let chosen = choice.flatMap { LanguageNegotiation.supported.contains($0) ? $0 : nil }
        context.language = LanguageNegotiation.pick(
            choice: chosen ?? request.cookies[Self.languageCookie]?.value,
            acceptLanguage: request.headers[.acceptLanguage]
        )
        let existing = request.cookies[Self.csrfCookie]?.value
        let token = existing.flatMap { $0.count == 43 ? $0 : nil } ?? Secrets.token()
        context.csrfToken = token

        var request = request
        if request.method == .post {
            let sent: String?
            if Self.isMultipart(request) {
                // An upload may be far larger than any form: its token rides in the form's
                // `action` query, and the body is left unread for the handler to stream.
                sent = request.uri.queryParameters.get("_csrf")
            } else {
                // Collected once here; handlers then read the buffered body.
                sent = try await FormData.read(&request, maxBytes: maxBodyBytes)["_csrf"]
            }
            guard let existing, let sent, Secrets.constantTimeEquals(existing, sent) else {
                throw Problem(.csrfFailed, detail: "the form expired or came from another site; go back, reload the page and try again")
            }
        }
        var response = try await next(request, context)
        if existing != token {
            response.setCookie(Cookie(name: Self.csrfCookie, value: token, path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax))
        }
        if let chosen {
            response.setCookie(Cookie(name: Self.languageCookie, value: chosen, maxAge: 365 * 86_400, path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax))
        }
        return response
    }

    static func isMultipart(_ request: Request) -> Bool {
        request.headers[.contentType]?.lowercased().hasPrefix("multipart/form-data") == true
    }
}
