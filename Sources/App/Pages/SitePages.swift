import Foundation
import GoodcastCore
import Hummingbird

/// The HTML site: home, accounts, the nonprofit directory and profiles, applying, reviewing.
struct SitePages: Sendable {
    let services: AppServices
    var pages: PageRenderer { services.pages }
    var maxBodyBytes: Int { services.config.maxBodyBytes }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(PagePath.home), use: home)
        router.get(RouterPath(PagePath.signUp), use: signUpForm)
        router.post(RouterPath(PagePath.signUp), use: signUp)
        router.get(RouterPath(PagePath.signIn), use: signInForm)
        router.post(RouterPath(PagePath.signIn), use: signIn)
        router.post(RouterPath(PagePath.signOut), use: signOut)
        addNonprofitRoutes(to: router)
        addFundraiserRoutes(to: router)
        addDonationRoutes(to: router)
        addLiveRoutes(to: router)
        addCampaignRoutes(to: router)
        addChallengeRoutes(to: router)
        addStoryRoutes(to: router)
        addAdminRoutes(to: router)
        addConsoleRoutes(to: router)
        addFormRoutes(to: router)
        addProgramPageRoutes(to: router)
    }

    struct HomePage {
        let mine: [NonprofitCard]
        let hasMine: Bool
    }

    @Sendable func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        var mine: [NonprofitCard] = []
        if let account = context.identity?.account {
            mine = try await services.nonprofits.store.nonprofits(ofMember: account.id).map { NonprofitCard($0.0, language: context.language) }
        }
        return pages.render("home/home", title: "Goodcast", page: HomePage(mine: mine, hasMine: !mine.isEmpty), request: request, context: context)
    }

    struct AccountForm {
        let handle: String
        let email: String
        let displayName: String
        let next: String
        let errors: FormErrors
    }

    @Sendable func signUpForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = AccountForm(handle: "", email: "", displayName: "", next: safeNext(request.uri.queryParameters.get("next")), errors: FormErrors(nil))
        return pages.render("accounts/signup", title: Strings.table(for: context.language)["signUp"]!, page: form, request: request, context: context)
    }

    @Sendable func signUp(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormData.read(request, maxBytes: maxBodyBytes)
        do {
            let account = try await services.accountService.signUp(handle: form["handle"], email: form["email"], password: form["password"], displayName: form["displayName"],
                                                                   remoteAddress: context.remoteAddress)
            let token = try await services.accounts.issueToken(for: account.id, kind: .session, lifetime: TimeInterval(services.config.sessionLifetimeSeconds))
            return signedIn(token: token, next: safeNext(form["next"]))
        } catch let problem as Problem where problem.status.code < 500 && problem.kind != .rateLimited {
            let page = AccountForm(handle: form["handle"] ?? "", email: form["email"] ?? "", displayName: form["displayName"] ?? "", next: safeNext(form["next"]), errors: FormErrors(problem))
            return pages.render("accounts/signup", title: Strings.table(for: context.language)["signUp"]!, page: page, request: request, context: context, status: problem.status)
        }
    }

    @Sendable func signInForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = AccountForm(handle: "", email: "", displayName: "", next: safeNext(request.uri.queryParameters.get("next")), errors: FormErrors(nil))
        return pages.render("accounts/signin", title: Strings.table(for: context.language)["signIn"]!, page: form, request: request, context: context)
    }

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormData.read(request, maxBytes: maxBodyBytes)
        let login = form["login"]?.trimmingCharacters(in: .whitespaces) ?? ""
        do {
            guard !login.isEmpty, let password = form["password"], !password.isEmpty else {
                throw Problem(.validationFailed, detail: "give your handle or email and your password")
            }
            let (_, token) = try await services.accountService.signIn(login: login, password: password, kind: .session, remoteAddress: context.remoteAddress)
            return signedIn(token: token, next: safeNext(form["next"]))
        } catch let problem as Problem where problem.kind == .invalidCredentials || problem.kind == .validationFailed {
            let page = AccountForm(handle: login, email: "", displayName: "", next: safeNext(form["next"]), errors: FormErrors(problem))
            return pages.render("accounts/signin", title: Strings.table(for: context.language)["signIn"]!, page: page, request: request, context: context, status: problem.status)
        }
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let identity = context.identity {
            try await services.accounts.revoke(token: identity.tokenID, of: identity.account.id)
        }
        var response = PageRenderer.redirect(PagePath.home)
        response.setCookie(Cookie(name: IdentityMiddleware.sessionCookie, value: "", maxAge: 0, path: "/", secure: services.config.secureCookies, httpOnly: true, sameSite: .lax))
        return response
    }

    private func signedIn(token: AccountStore.IssuedToken, next: String) -> Response {
        var response = PageRenderer.redirect(next)
        response.setCookie(Cookie(
            name: IdentityMiddleware.sessionCookie, value: token.secret, maxAge: services.config.sessionLifetimeSeconds,
            path: "/", secure: services.config.secureCookies, httpOnly: true, sameSite: .lax
        ))
        return response
    }

    /// Only same-site paths: `next` must not become an open redirect.
    func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), next.count < 300 else { return PagePath.home }
        return next
    }

    /// Pages that need an account send visitors to sign in first, then back.
    func requireAccount(_ request: Request, _ context: AppRequestContext) -> PageGate {
        if let account = context.identity?.account { return .success(account) }
        return .failure(signInRedirect(request))
    }

    /// To the sign-in page, and back to this page afterwards.
    func signInRedirect(_ request: Request) -> Response {
        let next = request.uri.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["/", "-"])) ?? "/"
        return PageRenderer.redirect("\(PagePath.signIn)?next=\(next)")
    }
}

/// Either the signed-in account, or the redirect to send a visitor to sign in first.
enum PageGate {
    case success(AccountRecord)
    case failure(Response)
}
