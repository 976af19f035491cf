import Foundation
import GoodcastCore

extension AppCommands {
    /// The database work of one donation, without HTTP and without the processor: the same
    /// read of the key and the same one transaction (key with its answer, donation, ledger
    /// postings, totals, feed events) through the same code, without group commit.
    /// `GoodcastBench donations` runs it as the bare database baseline. No processor charged these
    /// rows, so they name none that `ledger verify` asks ("bench"), each with a charge id of its own.
    /// True when this call wrote the key's donation; false when the key had one already.
    public func writeDonationRows(fundraiser fundraiserID: UUID, donor: UUID, amount: Int64, key: String) async throws -> Bool {
        guard let fundraiser = try await services.fundraisers.store.find(fundraiserID) else { throw Problem.notFound("fundraiser \(fundraiserID)") }
        guard let (settled, now) = try await benchDonation(fundraiser, donor: donor, amount: amount, key: key) else { return false }
        let written = try await services.db.transaction { sql in try await DonationWriter.write([settled], on: sql, at: now) }
        if case .recorded = written.first { return true }
        return false
    }

    /// The same, as the API does it: the fundraiser from the node's cache, the rows through group
    /// commit (concurrent calls share a transaction). What the database side of a donation
    /// costs on its own, without HTTP and the processor.
    public func writeDonationRowsGrouped(fundraiser fundraiserID: UUID, donor: UUID, amount: Int64, key: String) async throws -> Bool {
        guard let fundraiser = try await services.donations.cachedFundraiser(fundraiserID)?.record else { throw Problem.notFound("fundraiser \(fundraiserID)") }
        guard let (settled, _) = try await benchDonation(fundraiser, donor: donor, amount: amount, key: key) else { return false }
        if case .recorded = try await services.donations.write(settled) { return true }
        return false
    }

    private func benchDonation(_ fundraiser: FundraiserRecord, donor: UUID, amount: Int64, key: String) async throws -> (DonationCharge.Settled, Date)? {
        let scope = DonationCharge.scope(donor: donor)
        guard try await services.donations.idempotency.find(scope: scope, key: key) == nil else { return nil }
        let gross = Money(amount, fundraiser.currency)
        let fee = try FeeSchedule.standard.fee(for: gross)
        // Dated to the second, as a processor dates its charges: two calls with one key in the same
        // second make the same donation id, as two attempts of one request do.
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let donation = NewDonation(
            id: DonationCharge.id(created: now, scope: scope, key: key), fundraiserId: fundraiser.id, nonprofitId: fundraiser.nonprofitId,
            donor: donor, gift: gross, gross: gross, estimatedFee: fee, coverFees: false,
            message: nil, visibility: .public, paymentToken: "tok_visa", processor: "bench"
        )
        let charge = ProcessorCharge(id: "pi_bench_\(donation.id.lowercasedString)", amount: gross, fee: fee, succeeded: true, metadata: [:], created: now)
        return (DonationCharge.Settled(donation: donation, outcome: .charged(charge), scope: scope, key: key, fingerprint: key, origin: .request), now)
    }

    /// Ids for a benchmark: a verified nonprofit's fundraiser and a donor, created directly.
    public func benchmarkFixture() async throws -> (fundraiser: UUID, donors: [(id: UUID, handle: String)], password: String) {
        let password = "benchmark password"
        let admin = try await services.accountService.signUp(handle: "benchadmin", email: "benchadmin@example.org", password: password, displayName: nil, role: .platformAdmin)
        let owner = try await services.accountService.signUp(handle: "benchowner", email: "benchowner@example.org", password: password, displayName: nil)
        let application = try NonprofitApplication(name: "Bench Relief", country: "GB", registrationNumber: "B-1", causes: ["community"], website: "example.org", description: nil)
        let nonprofit = try await services.nonprofits.apply(application, by: owner)
        _ = try await services.nonprofits.review(nonprofit.id, verify: true, reason: nil, by: admin)
        let fundraiser = try await services.fundraisers.create(FundraiserInput(
            nonprofitId: nonprofit.id.uuidString, title: "Viral live", description: nil, goal: MoneyInput(amount: 1_000_000_000, currency: "USD"), endsAt: nil
        ), by: owner)
        var donors: [(UUID, String)] = []
        for index in 0..<64 {
            let donor = try await services.accountService.signUp(handle: "benchdonor\(index)", email: "benchdonor\(index)@example.org", password: password, displayName: nil)
            donors.append((donor.id, donor.handle))
        }
        return (fundraiser.id, donors, password)
    }
}
