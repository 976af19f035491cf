import Foundation
import GoodcastCore

/// The nonprofit rules shared by the API and the pages: who may see, change and follow what.
struct NonprofitService: Sendable {
    let store: NonprofitStore
    let accounts: AccountStore

    func apply(_ application: NonprofitApplication, by account: AccountRecord) async throws -> NonprofitRecord {
        do {
            return try await store.create(application, applicant: account.id)
        } catch NonprofitStore.StoreError.duplicateRegistration {
            throw Problem(
                .conflict,
                detail: "a nonprofit with registration number \(application.registrationNumber) in \(application.country) has already applied",
                issues: [.init(field: "registrationNumber", message: "is already registered in this country")]
            )
        }
    }

    /// Verified nonprofits are public; others only to their members and platform admins
    /// (anyone else gets the same 404 as for an id that does not exist).
    func visible(_ id: UUID, to account: AccountRecord?) async throws -> (NonprofitRecord, NonprofitRole?) {
        guard let record = try await store.find(id: id) else { throw Problem.notFound("nonprofit \(id)") }
        let role = if let account { try await store.role(of: account.id, in: id) } else { NonprofitRole?.none }
        if record.status != .verified && role == nil && account?.role != .platformAdmin {
            throw Problem.notFound("nonprofit \(id)")
        }
        return (record, role)
    }

    func canSeePrivate(role: NonprofitRole?, account: AccountRecord?) -> Bool {
        role != nil || account?.role == .platformAdmin
    }

    /// Owners manage the team, the profile and the payout details; platform admins may too.
    func requireOwner(_ id: UUID, account: AccountRecord, to purpose: String = "manage its members") async throws -> NonprofitRecord {
        let (record, role) = try await visible(id, to: account)
        guard role == .owner || account.role == .platformAdmin else {
            throw Problem.forbidden("only the nonprofit's owners may \(purpose)")
        }
        return record
    }

    func requireMember(_ id: UUID, account: AccountRecord) async throws -> NonprofitRecord {
        let (record, role) = try await visible(id, to: account)
        guard role != nil || account.role == .platformAdmin else {
            throw Problem.forbidden("only the nonprofit's members may see this")
        }
        return record
    }

    func addMember(handle rawHandle: String?, role rawRole: String?, to id: UUID, by account: AccountRecord) async throws -> MemberRecord {
        _ = try await requireOwner(id, account: account)
        var issues = ValidationIssues()
        let handle = issues.check { () throws(ValidationIssue) in try AccountRules.handle(rawHandle) }
        var role = NonprofitRole.member
        if let rawRole {
            if let parsed = NonprofitRole(rawValue: rawRole) { role = parsed } else { issues.add("role", "must be 'owner' or 'member'") }
        }
        if !issues.isEmpty { throw Problem.validation(issues) }
        guard let member = try await accounts.find(handle: handle!) else {
            throw Problem(.validationFailed, detail: "no account has the handle '\(handle!)'", issues: [.init(field: "handle", message: "no such account")])
        }
        do {
            try await store.addMember(member.id, to: id, role: role)
        } catch NonprofitStore.StoreError.alreadyMember {
            throw Problem.conflict("@\(member.handle) is already a member")
        }
        return try await store.members(of: id).first { $0.accountId == member.id }!
    }

    /// Owners (and platform admins) edit the profile; the caller's right is checked before the values.
    func updateProfile(_ id: UUID, description: String?, website: String?, causes: [String]?, by account: AccountRecord) async throws -> NonprofitRecord {
        _ = try await requireOwner(id, account: account, to: "edit its profile")
        let update: NonprofitProfileUpdate
        do {
            update = try NonprofitProfileUpdate(description: description, website: website, causes: causes)
        } catch {
            throw Problem.validation(error)
        }
        try await store.updateProfile(id, with: update)
        return try await store.find(id: id)!
    }

    /// Owners (and platform admins) set where payouts go; the answer is masked.
    func setPayoutDetails(
        _ id: UUID, accountHolder: String?, iban: String?, routingNumber: String?, accountNumber: String?, by account: AccountRecord
    ) async throws -> NonprofitStore.PayoutSummary {
        _ = try await requireOwner(id, account: account, to: "set its payout details")
        let details: PayoutDetails
        do {
            details = try PayoutDetails(accountHolder: accountHolder, iban: iban, routingNumber: routingNumber, accountNumber: accountNumber)
        } catch {
            throw Problem.validation(error)
        }
        return try await store.setPayoutDetails(details, of: id)
    }

    /// The team (and platform admins) see the masked details.
    func payoutDetails(of id: UUID, for account: AccountRecord) async throws -> NonprofitStore.PayoutSummary {
        _ = try await requireMember(id, account: account)
        guard let summary = try await store.payoutDetails(of: id) else {
            throw Problem.notFound("payout details of nonprofit \(id)")
        }
        return summary
    }

    func follow(_ following: Bool, id: UUID, by account: AccountRecord) async throws -> FollowOutput {
        let (record, _) = try await visible(id, to: account)
        guard record.status == .verified else {
            throw Problem.conflict("only verified nonprofits can be followed")
        }
        let count = try await store.setFollowing(following, account: account.id, nonprofit: id)
        return FollowOutput(following: following, followers: count)
    }

    func review(_ id: UUID, verify: Bool, reason: String?, by admin: AccountRecord) async throws -> NonprofitRecord {
        guard try await store.find(id: id) != nil else { throw Problem.notFound("nonprofit \(id)") }
        var cleanReason: String?
        if !verify {
            do {
                cleanReason = try TextSanitizer.required(reason, field: "reason", max: 1000, allowNewlines: true)
            } catch {
                throw Problem.validation(error)
            }
        }
        try await store.setStatus(id, to: verify ? .verified : .rejected, reason: cleanReason, reviewer: admin.id)
        return try await store.find(id: id)!
    }
}
