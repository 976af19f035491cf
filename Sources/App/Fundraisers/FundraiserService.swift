import Foundation
import GoodcastCore

struct FundraiserService: Sendable {
    let store: FundraiserStore
    let nonprofits: NonprofitStore
    let accounts: AccountStore
    let donations: DonationStore
    let ledger: LedgerStore
    let clock: AppClock

    static let titleMax = 120

    /// Anyone signed in may raise money for a verified nonprofit (creators fundraise for causes).
    func create(_ input: FundraiserInput, by account: AccountRecord) async throws -> FundraiserRecord {
        var issues = ValidationIssues()
        let nonprofitID = input.nonprofitId.flatMap(UUID.init(uuidString:))
        if nonprofitID == nil { issues.add("nonprofitId", "must be the id of a verified nonprofit") }
        let title = issues.check { () throws(ValidationIssue) in try TextSanitizer.required(input.title, field: "title", max: Self.titleMax) }
        let description = issues.check { () throws(ValidationIssue) in
            try TextSanitizer.optional(input.description, field: "description", max: 5000, allowNewlines: true)
        }
        var goal: Money?
        if let raw = input.goal {
            goal = issues.check { () throws(ValidationIssue) in
                let money = try raw.parse(field: "goal")
                guard money.amount > 0, money.amount <= 100_000_000_000 else { throw ValidationIssue(field: "goal.amount", message: "must be positive and at most 1,000,000,000.00") }
                return money
            }
        } else {
            issues.add("goal", "is required, such as {\"amount\": 100000, \"currency\": \"USD\"}")
        }
        var endsAt: Date?
        if let raw = input.endsAt {
            endsAt = issues.check { () throws(ValidationIssue) in
                let date = try DateParameter.parse(raw, field: "endsAt")
                guard date > clock.now() else { throw ValidationIssue(field: "endsAt", message: "must be in the future") }
                return date
            }
        }
        if !issues.isEmpty { throw Problem.validation(issues) }
        guard let nonprofit = try await nonprofits.find(id: nonprofitID!), nonprofit.status == .verified else {
            throw Problem(.validationFailed, detail: "nonprofitId must be the id of a verified nonprofit",
                          issues: [.init(field: "nonprofitId", message: "is not a verified nonprofit")])
        }
        return try await store.create(nonprofit: nonprofit.id, owner: account.id, title: title!, description: description ?? nil, goal: goal!, endsAt: endsAt ?? nil)
    }

    func output(_ record: FundraiserRecord) async throws -> FundraiserOutput {
        let raised = try await ledger.raised(fundraiser: record.id)[record.currencyCode] ?? 0
        let nonprofit = try await nonprofits.find(id: record.nonprofitId)
        let owner = try await accounts.find(id: record.ownerId)
        return FundraiserOutput(
            id: record.id,
            nonprofit: .init(id: record.nonprofitId, name: nonprofit?.name ?? ""),
            owner: .init(handle: owner?.handle ?? "", displayName: owner?.displayName ?? ""),
            title: record.title, description: record.description, goal: MoneyOutput(record.goal),
            raised: MoneyOutput(Money(raised, record.currency)),
            donors: try await donations.donorCount(fundraiser: record.id),
            goalProgress: record.goalAmount > 0 ? Int(max(0, raised) * 100 / record.goalAmount) : 0,
            endsAt: record.endsAt, createdAt: record.createdAt,
            recentDonations: try await donations.recent(fundraiser: record.id, limit: 20).map(PublicDonationOutput.init)
        )
    }
}
