import Foundation
import GoodcastCore
import HTTPTypes
import Hummingbird

/// `/api/v1/fundraisers/{id}/donations`, `/api/v1/donations/...`, `/api/v1/me/donations`.
struct DonationController: Sendable {
    let donations: DonationService
    let refunds: RefundService
    let nonprofits: NonprofitService
    let accounts: AccountStore
    let maxBodyBytes: Int

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.post(APIPath.fundraiserDonations, use: donate)
        api.get(APIPath.donation, use: show)
        api.get(APIPath.donationReceipt, use: receipt)
        api.post(APIPath.donationRefunds, use: refund)
        api.get(APIPath.myDonations, use: mine)
        api.get(APIPath.nonprofitDonations, use: nonprofitDonations)
    }

    @Sendable func donate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let donor = try context.requireAccount()
        let fundraiser = try context.parameters.requireUUID("fundraiserId")
        let key = try IdempotencyStore.key(from: request.headers[.idempotencyKey])
        let (input, body) = try await request.readJSON(DonationInput.self, maxBytes: maxBodyBytes)
        let stored = try await donations.donate(fundraiserID: fundraiser, donor: donor, key: key, body: body, input: input)
        return Self.response(stored)
    }

    @Sendable func refund(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try context.requireAccount()
        let id = try context.parameters.requireUUID("donationId")
        let key = try IdempotencyStore.key(from: request.headers[.idempotencyKey])
        guard let donation = try await donations.donations.find(id) else { throw Problem.notFound("donation \(id)") }
        let role = try await nonprofits.store.role(of: account.id, in: donation.nonprofitId)
        guard role == .owner || account.role == .platformAdmin else {
            throw Problem.forbidden("only the nonprofit's owners and platform admins may refund donations")
        }
        let (input, body) = try await request.readJSON(RefundInput.self, maxBytes: maxBodyBytes)
        return Self.response(try await refunds.refund(donationID: id, by: account, key: key, body: body, input: input))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> DonationOutput {
        DonationOutput(try await visibleDonation(request, context))
    }

    @Sendable func receipt(_ request: Request, context: AppRequestContext) async throws -> Response {
        let donation = try await visibleDonation(request, context)
        guard donation.status == .succeeded, let number = donation.receiptNumber, let date = donation.completedAt else {
            throw Problem.notFound("a receipt for this donation (it has not succeeded)")
        }
        guard let nonprofit = try await nonprofits.store.find(id: donation.nonprofitId) else { throw Problem.notFound("nonprofit") }
        let donor = try await accounts.find(id: donation.donorId)
        let (refunded, kept) = try await donations.donations.receiptAmounts(of: donation)
        let output = ReceiptOutput(
            number: number, donationId: donation.id,
            nonprofit: .init(id: nonprofit.id, legalName: nonprofit.name, registrationNumber: nonprofit.registrationNumber, country: nonprofit.country),
            donor: donor?.displayName ?? "", amount: MoneyOutput(donation.gross), refunded: MoneyOutput(Money(refunded, donation.currency)),
            kept: MoneyOutput(Money(kept, donation.currency)), dispute: donation.disputeName, void: kept == 0,
            date: date, taxStatement: kept == 0 ? nil : TaxStatement.text(country: nonprofit.country)
        )
        return try context.responseEncoder.encode(output, from: request, context: context)
    }

    @Sendable func mine(_ request: Request, context: AppRequestContext) async throws -> DonationListOutput {
        let account = try context.requireAccount()
        var reader = QueryReader(request)
        let page = reader.int("page", default: 1, range: 1...10_000)
        let perPage = reader.int("perPage", default: 20, range: 1...100)
        try reader.finish()
        let result = try await donations.donations.donations(of: account.id, page: page, perPage: perPage)
        return DonationListOutput(items: result.items.map(DonationOutput.init), page: result.page, perPage: result.perPage, total: result.total)
    }

    /// What the nonprofit's team answers donors and refunds from: every donation, with who gave
    /// it (the team sees an anonymous donor's name, as it does on its receipts).
    @Sendable func nonprofitDonations(_ request: Request, context: AppRequestContext) async throws -> TeamDonationListOutput {
        let account = try context.requireAccount()
        let id = try context.parameters.requireUUID("nonprofitId")
        _ = try await nonprofits.requireMember(id, account: account)
        var reader = QueryReader(request)
        let page = reader.int("page", default: 1, range: 1...10_000)
        let perPage = reader.int("perPage", default: 20, range: 1...100)
        let fundraiser = reader.parse("fundraiserId") { (text: String) throws(ValidationIssue) -> UUID in
            guard let id = UUID(uuidString: text) else { throw ValidationIssue(field: "fundraiserId", message: "must be a fundraiser's id") }
            return id
        }
        let status = reader.parse("status") { (text: String) throws(ValidationIssue) -> DonationStatus in
            guard let status = DonationStatus(rawValue: text) else {
                throw ValidationIssue(field: "status", message: "must be one of \(DonationStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return status
        }
        try reader.finish()
        let result = try await donations.donations.donations(toNonprofit: id, fundraiser: fundraiser, status: status, page: page, perPage: perPage)
        let donors = try await accounts.summaries(Array(Set(result.items.map(\.donorId))))
        return TeamDonationListOutput(
            items: result.items.map { TeamDonationOutput(donation: DonationOutput($0), donor: donors[$0.donorId] ?? .init(id: $0.donorId, handle: "", displayName: "")) },
            page: result.page, perPage: result.perPage, total: result.total
        )
    }

    /// A donation is seen by its donor, the nonprofit's team and platform admins.
    private func visibleDonation(_ request: Request, _ context: AppRequestContext) async throws -> DonationRecord {
        let account = try context.requireAccount()
        let id = try context.parameters.requireUUID("donationId")
        guard let donation = try await donations.donations.find(id) else { throw Problem.notFound("donation \(id)") }
        if donation.donorId != account.id && account.role != .platformAdmin,
           try await nonprofits.store.role(of: account.id, in: donation.nonprofitId) == nil {
            throw Problem.notFound("donation \(id)")
        }
        return donation
    }

    static func response(_ stored: IdempotencyStore.StoredResponse) -> Response {
        let contentType = (200..<300).contains(stored.status) ? "application/json; charset=utf-8" : "application/problem+json"
        return Response(status: .init(code: stored.status), headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: stored.body)))
    }
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
    static let stripeSignature = Self("Stripe-Signature")!
}
