import Foundation
import GoodcastCore
import Hummingbird

/// `/api/v1/accounts`, `/api/v1/sessions`, `/api/v1/me`.
struct AccountController: Sendable {
    let service: AccountService
    let store: AccountStore
    let maxBodyBytes: Int

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.post(APIPath.accounts, use: signUp)
        api.post(APIPath.sessions, use: signIn)
        api.delete(APIPath.currentSession, use: signOut)
        api.get(APIPath.me, use: me)
        api.get(APIPath.myTokens, use: tokens)
        api.delete(APIPath.myToken, use: revokeToken)
    }

    @Sendable func signUp(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<MeOutput> {
        let input = try await request.decodeJSON(SignUpInput.self, maxBytes: maxBodyBytes)
        let account = try await service.signUp(handle: input.handle, email: input.email, password: input.password, displayName: input.displayName,
                                               remoteAddress: context.remoteAddress)
        context.logger.info("account created", metadata: ["account": "\(account.id)"])
        return EditedResponse(status: .created, headers: [.location: "/api/v1/accounts/\(account.id)"], response: MeOutput(account))
    }

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<SessionOutput> {
        let input = try await request.decodeJSON(SignInInput.self, maxBytes: maxBodyBytes)
        var issues = ValidationIssues()
        let login = (input.login ?? input.handle ?? input.email)?.trimmingCharacters(in: .whitespaces)
        if login?.isEmpty ?? true { issues.add("handle", "give your handle or email") }
        if input.password?.isEmpty ?? true { issues.add("password", "is required") }
        if !issues.isEmpty { throw Problem.validation(issues) }
        let (account, token) = try await service.signIn(login: login!, password: input.password!, kind: .api, remoteAddress: context.remoteAddress)
        return EditedResponse(status: .created, response: SessionOutput(token: token.secret, tokenId: token.id, expiresAt: token.expiresAt, account: MeOutput(account)))
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity else { throw Problem.unauthenticated }
        try await store.revoke(token: identity.tokenID, of: identity.account.id)
        return Response(status: .noContent)
    }

    @Sendable func me(_ request: Request, context: AppRequestContext) async throws -> MeOutput {
        MeOutput(try context.requireAccount())
    }

    @Sendable func tokens(_ request: Request, context: AppRequestContext) async throws -> TokenListOutput {
        guard let identity = context.identity else { throw Problem.unauthenticated }
        let tokens = try await store.liveTokens(of: identity.account.id)
        return TokenListOutput(items: tokens.map {
            TokenOutput(id: $0.id, kind: $0.kind, createdAt: $0.created_at, expiresAt: $0.expires_at, current: $0.id == identity.tokenID)
        })
    }

    @Sendable func revokeToken(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try context.requireAccount()
        let id = try context.parameters.requireUUID("tokenId")
        guard try await store.revoke(token: id, of: account.id) else { throw Problem.notFound("token \(id)") }
        return Response(status: .noContent)
    }
}

extension Parameters {
    /// A path parameter that must be a UUID; a clear 404 otherwise (an id that can't exist).
    func requireUUID(_ name: String) throws -> UUID {
        guard let text = self.get(name), let id = UUID(uuidString: text) else {
            throw Problem(.notFound, detail: "'\(self.get(name)?.prefix(60) ?? "")' is not an id of this API")
        }
        return id
    }
}
