import Foundation
import GoodcastCore
import Hummingbird

extension SitePages {
    func addDonationRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(PagePath.myDonations), use: myDonations)
        router.get("/donations/:donationId", use: receiptPage)
        router.post("/donations/:donationId/refund", use: refundFromPage)
        router.get("/nonprofits/:nonprofitId/money", use: moneyPage)
    }

    struct DonationRow {
        let id: String
        let href: String
        let refundHref: String
        let donor: String
        let nonprofit: String
        let amount: String
        let net: String
        let refunded: String
        let hasRefund: Bool
        let canRefund: Bool
        let status: String
        let date: String
        let receiptNumber: String?
        let message: String?
        /// A fresh key per rendered refund form: a double submit refunds once. After an
        /// unanswered refund, the form keeps its key and amount: pressing again asks for the
        /// outcome of that refund instead of making a second one.
        var refundKey: String
        var refundAmount = ""
    }

    func row(_ donation: DonationRecord, language: String, nonprofit: String = "", donor: String = "") -> DonationRow {
        let currency = donation.currency
        let output = DonationOutput(donation)
        let id = donation.id.lowercasedString
        return DonationRow(
            id: id, href: PagePath.donation(id), refundHref: PagePath.refund(id), donor: donor, nonprofit: nonprofit,
            amount: MoneyFormat.format(donation.gross, language: language),
            net: MoneyFormat.format(Money(output.net.amount, currency), language: language),
            refunded: MoneyFormat.format(Money(donation.refunded, currency), language: language), hasRefund: donation.refunded > 0,
            canRefund: donation.balance.refundable.isPositive, status: donation.statusName,
            date: Self.dateText(donation.completedAt ?? donation.createdAt, language: language),
            receiptNumber: donation.receiptNumber, message: donation.message.flatMap { $0.isEmpty ? nil : $0 }, refundKey: UUID().uuidString
        )
    }

    static func dateText(_ date: Date, language: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language)
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateStyle = .long
        formatter.timeStyle = .short
        return formatter.string(from: date) + " UTC"
    }

    struct MyDonationsPage {
        let items: [DonationRow]
        let empty: Bool
        let links: PageLinks
    }

    /// A list page's links to its neighbours (Mustache reads stored properties only).
    struct PageLinks {
        let pageNumber: Int
        let previousHref: String?
        let nextHref: String?
        let paged: Bool

        init<Item>(_ page: Page<Item>, href: (Int) -> String) {
            pageNumber = page.page
            previousHref = page.page > 1 ? href(page.page - 1) : nil
            nextHref = page.page * page.perPage < page.total ? href(page.page + 1) : nil
            paged = page.total > page.perPage
        }
    }

    @Sendable func myDonations(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        var reader = QueryReader(request)
        let pageNumber = reader.int("page", default: 1, range: 1...10_000)
        let result = try await services.donations.donations.donations(of: account.id, page: pageNumber, perPage: 50)
        var names: [UUID: String] = [:]
        for id in Set(result.items.map(\.nonprofitId)) { names[id] = try await services.nonprofits.store.find(id: id)?.name }
        let rows = result.items.map { row($0, language: context.language, nonprofit: names[$0.nonprofitId] ?? "") }
        let page = MyDonationsPage(items: rows, empty: rows.isEmpty, links: PageLinks(result) { PagePath.myDonations + "?page=\($0)" })
        return pages.render("donations/mine", title: Strings.table(for: context.language)["myDonations"]!, page: page, request: request, context: context)
    }

    struct ReceiptPage {
        let donation: DonationRow
        let succeeded: Bool
        let nonprofitName: String
        let registrationNumber: String
        let country: String
        let donorName: String
        let taxStatement: String
        let fundraiserTitle: String
        let fundraiserHref: String
        let fee: String
        /// What the nonprofit keeps of the gift (`ReceiptAmounts.kept`), with refunds made only.
        let kept: String
        let refundsMade: String?
        let void: Bool
        let disputed: Bool
        let disputeState: String
        /// The donor's own gift unlocked a sticker that is still theirs to share.
        let stickerHref: String?
    }

    @Sendable func receiptPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        let id = try context.parameters.requireUUID("donationId")
        guard let donation = try await services.donations.donations.find(id) else { throw Problem.notFound("donation") }
        let role = try await services.nonprofits.store.role(of: account.id, in: donation.nonprofitId)
        guard donation.donorId == account.id || role != nil || account.role == .platformAdmin else { throw Problem.notFound("donation") }
        guard let nonprofit = try await services.nonprofits.store.find(id: donation.nonprofitId) else { throw Problem.notFound("nonprofit") }
        let fundraiser = try await services.fundraisers.store.find(donation.fundraiserId)
        let donor = try await services.accounts.find(id: donation.donorId)
        var stickerHref: String?
        if donation.donorId == account.id, try await services.stickers.stickers(of: account.id).contains(where: { $0.id == donation.id && $0.available }) {
            stickerHref = PagePath.newStory(sticker: donation.id.lowercasedString)
        }
        let succeeded = donation.status == .succeeded
        let (refundsMade, kept) = succeeded ? try await services.donations.donations.receiptAmounts(of: donation) : (0, 0)
        let page = ReceiptPage(
            donation: row(donation, language: context.language, nonprofit: nonprofit.name), succeeded: succeeded,
            nonprofitName: nonprofit.name, registrationNumber: nonprofit.registrationNumber, country: nonprofit.country,
            donorName: donor?.displayName ?? "", taxStatement: TaxStatement.text(country: nonprofit.country),
            fundraiserTitle: fundraiser?.title ?? "", fundraiserHref: PagePath.fundraiser(donation.fundraiserId.lowercasedString),
            fee: MoneyFormat.format(Money(donation.fee, donation.currency), language: context.language),
            kept: MoneyFormat.format(Money(kept, donation.currency), language: context.language),
            refundsMade: refundsMade > 0 ? MoneyFormat.format(Money(refundsMade, donation.currency), language: context.language) : nil,
            void: succeeded && kept == 0, disputed: donation.dispute == .open || donation.dispute == .lost,
            disputeState: donation.disputeName, stickerHref: stickerHref
        )
        return pages.render("donations/receipt", title: Strings.table(for: context.language)["receipt"]!, page: page, request: request, context: context)
    }

    struct MoneyPage {
        let nonprofitName: String
        let nonprofitHref: String
        let donations: [DonationRow]
        let empty: Bool
        let payouts: [PayoutRow]
        let noPayouts: Bool
        let errors: FormErrors
        let links: PageLinks
        /// Payouts wait until the nonprofit says where its money goes.
        let payoutDetailsHref: String?

        struct PayoutRow { let period: String; let amount: String; let date: String }
    }

    @Sendable func moneyPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderMoney(request, context, nonprofitID: try context.parameters.requireUUID("nonprofitId"), errors: nil)
    }

    /// A refund form as it was sent, to be shown again with its key.
    struct RefundAttempt { let donation: UUID; let key: String; let amount: String }

    /// `page` is the page a refund form was sent from (its hidden field), else the query's.
    func renderMoney(_ request: Request, _ context: AppRequestContext, nonprofitID: UUID, errors: Problem?, unanswered: RefundAttempt? = nil,
                     page: Int? = nil) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        let record = try await services.nonprofits.requireOwner(nonprofitID, account: account)
        var reader = QueryReader(request)
        let pageNumber = page ?? reader.int("page", default: 1, range: 1...10_000)
        let result = try await services.donations.donations.donations(toNonprofit: nonprofitID, status: .succeeded, page: pageNumber, perPage: 50)
        let handles = try await services.accounts.handles(Array(Set(result.items.map(\.donorId))))
        var rows: [DonationRow] = []
        for donation in result.items {
            var row = row(donation, language: context.language, donor: handles[donation.donorId].map { "@\($0)" } ?? "")
            if let unanswered, unanswered.donation == donation.id {
                row.refundKey = unanswered.key
                row.refundAmount = unanswered.amount
            }
            rows.append(row)
        }
        let payouts = try await services.payouts.payouts(of: nonprofitID).map {
            MoneyPage.PayoutRow(period: $0.period, amount: MoneyFormat.format($0.money, language: context.language),
                                date: Self.dateText($0.createdAt, language: context.language))
        }
        let page = MoneyPage(nonprofitName: record.name, nonprofitHref: PagePath.nonprofit(nonprofitID.lowercasedString),
                             donations: rows, empty: rows.isEmpty, payouts: payouts, noPayouts: payouts.isEmpty, errors: FormErrors(errors),
                             links: PageLinks(result) { PagePath.money(nonprofitID.lowercasedString) + "?page=\($0)" },
                             payoutDetailsHref: try await services.nonprofits.store.payoutDetails(of: nonprofitID) == nil
                                ? PagePath.payoutDetails(nonprofitID.lowercasedString) : nil)
        return pages.render("nonprofits/money", title: Strings.table(for: context.language)["money"]!, page: page, request: request, context: context,
                            status: errors?.status ?? .ok)
    }

    @Sendable func refundFromPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = context.identity?.account else { return signInRedirect(request) }
        let id = try context.parameters.requireUUID("donationId")
        guard let donation = try await services.donations.donations.find(id) else { throw Problem.notFound("donation") }
        _ = try await services.nonprofits.requireOwner(donation.nonprofitId, account: account)
        let form = try await FormData.read(request, maxBytes: maxBodyBytes)
        // The page of gifts the form was on, to go back to.
        let page = form["page"].flatMap(Int.init).map { min(max($0, 1), 10_000) } ?? 1
        do {
            var amount: MoneyInput?
            if let text = form["amount"], !text.trimmingCharacters(in: .whitespaces).isEmpty {
                do {
                    let money = try MoneyFormat.parse(text, currency: donation.currency, language: context.language)
                    amount = MoneyInput(amount: money.amount, currency: money.currency.code)
                } catch {
                    throw Problem.validation(error)
                }
            }
            let key = try IdempotencyStore.key(from: form["idempotencyKey"])
            let fingerprint = Data("\(amount?.amount ?? 0)".utf8)
            let stored = try await services.refunds.refund(donationID: id, by: account, key: key, body: fingerprint, input: RefundInput(amount: amount, reason: nil))
            if stored.status != 201 {
                let detail = (try? JSONSerialization.jsonObject(with: Data(stored.body.utf8)) as? [String: Any])?["detail"] as? String ?? "the refund failed"
                throw Problem(.paymentRejected, status: .init(code: stored.status), detail: detail)
            }
            return PageRenderer.redirect(PagePath.money(donation.nonprofitId.lowercasedString) + (page > 1 ? "?page=\(page)" : ""))
        } catch let problem as Problem where problem.status.code < 500 || problem.kind == .paymentOutcomeUnknown {
            let unanswered = problem.kind == .paymentOutcomeUnknown ? form["idempotencyKey"].map {
                RefundAttempt(donation: id, key: $0, amount: form["amount"] ?? "")
            } : nil
            return try await renderMoney(request, context, nonprofitID: donation.nonprofitId, errors: problem, unanswered: unanswered, page: page)
        }
    }
}
