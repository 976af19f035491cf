import Foundation
import GoodcastCore
import Hummingbird

/// Platform giving programs: admins create, grant, invite creators and close; creators choose
/// where their share goes; anyone sees where the money went.
struct ProgramController: Sendable {
    let programs: ProgramService
    let maxBodyBytes: Int

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.post(APIPath.adminPrograms, use: create)
        api.post(APIPath.adminProgramGrants, use: grant)
        api.post(APIPath.adminProgramInvitations, use: invite)
        api.post(APIPath.adminProgramClose, use: close)
        api.get(APIPath.program, use: show)
        api.post(APIPath.programChoice, use: choose)
        api.get(APIPath.myProgramInvitations, use: mine)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<ProgramOutput> {
        let admin = try context.requireAdmin()
        let program = try await programs.create(try await request.decodeJSON(ProgramInput.self, maxBytes: maxBodyBytes), by: admin)
        return EditedResponse(status: .created, headers: [.location: "/api/v1/programs/\(program.slug)"], response: try await programs.output(program.id, on: programs.db.sql))
    }

    @Sendable func grant(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin = try context.requireAdmin()
        let key = try IdempotencyStore.key(from: request.headers[.idempotencyKey])
        let (input, body) = try await request.readJSON(ProgramGrantInput.self, maxBytes: maxBodyBytes)
        return DonationController.response(try await programs.grant(try context.parameters.require("slug"), input: input, key: key, body: body, by: admin))
    }

    @Sendable func invite(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<ProgramInvitationOutput> {
        _ = try context.requireAdmin()
        let input = try await request.decodeJSON(ProgramInvitationInput.self, maxBytes: maxBodyBytes)
        return EditedResponse(status: .created, response: try await programs.invite(try context.parameters.require("slug"), input: input))
    }

    @Sendable func close(_ request: Request, context: AppRequestContext) async throws -> ProgramOutput {
        _ = try context.requireAdmin()
        return try await programs.close(try context.parameters.require("slug"))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> ProgramOutput {
        let program = try await programs.find(slug: try context.parameters.require("slug"))
        return try await programs.output(program.id, on: programs.db.reader)
    }

    @Sendable func choose(_ request: Request, context: AppRequestContext) async throws -> ProgramInvitationOutput {
        let creator = try context.requireAccount()
        let input = try await request.decodeJSON(ProgramChoiceInput.self, maxBytes: maxBodyBytes)
        return try await programs.choose(try context.parameters.require("slug"), input: input, by: creator)
    }

    @Sendable func mine(_ request: Request, context: AppRequestContext) async throws -> ProgramInvitationListOutput {
        ProgramInvitationListOutput(items: try await programs.invitations(of: try context.requireAccount()))
    }
}
