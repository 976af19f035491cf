import Foundation
import GoodcastCore
import Hummingbird
import Mustache

/// What every page's layout needs: the language, the strings, the signed-in account, the CSRF token.
struct SiteModel {
    let lang: String
    let csrf: String
    let signedIn: Bool
    let handle: String
    let isAdmin: Bool
    let languages: [LanguageLink]

    struct LanguageLink {
        let code: String
        let label: String
        let current: Bool
        let href: String
    }
}

/// Renders Mustache templates from the bundled resources into HTML responses.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    static func load() async throws -> PageRenderer {
        guard let url = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
            throw ConfigError(setting: "templates", message: "the App resources are missing beside the executable")
        }
        return PageRenderer(library: try await MustacheLibrary(directory: url.appendingPathComponent("Templates").path))
    }

    static var publicDirectory: String {
        Bundle.module.url(forResource: "Resources", withExtension: nil)!.appendingPathComponent("Public").path
    }

    /// Short sample videos that ship with the project (demo data, tests).
    public static var samplesDirectory: URL {
        Bundle.module.url(forResource: "Resources", withExtension: nil)!.appendingPathComponent("Samples")
    }

    static var openAPIDocument: URL {
        Bundle.module.url(forResource: "Resources", withExtension: nil)!.appendingPathComponent("openapi.json")
    }

    func site(_ request: Request, _ context: AppRequestContext) -> SiteModel {
        let account = context.identity?.account
        var components = URLComponents()
        components.path = request.uri.path
        return SiteModel(
            lang: context.language,
            csrf: context.csrfToken,
            signedIn: account != nil,
            handle: account?.handle ?? "",
            isAdmin: account?.role == .platformAdmin,
            languages: LanguageNegotiation.supported.map { code in
                components.queryItems = [URLQueryItem(name: "lang", value: code)]
                return .init(code: code, label: Strings.languageNames[code] ?? code, current: code == context.language, href: components.string ?? "/")
            }
        )
    }

    func render(_ template: String, title: String, page: Any, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) -> Response {
        let strings = Strings.table(for: context.language)
        let object: [String: Any] = ["t": strings, "site": site(request, context), "page": page, "title": title]
        let html = library.render(object, withTemplate: template) ?? "<!doctype html><title>Goodcast</title><p>template \(template) is missing</p>"
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html))
        )
    }

    func errorPage(_ problem: Problem, request: Request, context: AppRequestContext) -> Response {
        struct ErrorPage { let status: Int; let title: String; let detail: String; let issues: [ValidationIssue] }
        let strings = Strings.table(for: context.language)
        var response = render(
            "errors/error", title: strings["errorTitle"] ?? "Error",
            page: ErrorPage(status: Int(problem.status.code), title: problem.kind.title, detail: problem.detail, issues: problem.issues),
            request: request, context: context, status: problem.status
        )
        for field in problem.headers where field.name != .contentType { response.headers.append(field) }
        return response
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
