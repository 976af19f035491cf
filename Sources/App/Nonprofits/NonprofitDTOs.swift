import Foundation
import GoodcastCore
import Hummingbird

struct NonprofitApplicationInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case name, country, registrationNumber, causes, website, description }
    typealias CodingKeys = Field
    let name: String?
    let country: String?
    let registrationNumber: String?
    let causes: [String]?
    let website: String?
    let description: String?
}

struct RejectInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case reason }
    typealias CodingKeys = Field
    let reason: String?
}

struct AddMemberInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case handle, role }
    typealias CodingKeys = Field
    let handle: String?
    let role: String?
}

/// `PATCH /nonprofits/{id}`: a field left out (or null) stays as it is; an empty description clears it.
struct NonprofitProfileInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case description, website, causes }
    typealias CodingKeys = Field
    let description: String?
    let website: String?
    let causes: [String]?
}

/// `PUT /nonprofits/{id}/payout-details`: an `iban`, or a US `routingNumber` and `accountNumber`.
struct PayoutDetailsInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case accountHolder, iban, routingNumber, accountNumber }
    typealias CodingKeys = Field
    let accountHolder: String?
    let iban: String?
    let routingNumber: String?
    let accountNumber: String?
}

/// Payout details as anyone may see them: masked, never the full account.
struct PayoutDetailsOutput: ResponseCodable {
    let accountHolder: String
    let method: PayoutDetails.Method
    let masked: String
    let updatedAt: Date

    init(_ summary: NonprofitStore.PayoutSummary) {
        accountHolder = summary.accountHolder
        method = summary.method
        masked = summary.masked
        updatedAt = summary.updatedAt
    }
}

struct NonprofitOutput: ResponseCodable {
    let id: UUID
    let name: String
    let country: String
    let registrationNumber: String
    let website: String
    let description: String?
    let causes: [Cause]
    let status: NonprofitStatus
    /// Only for the nonprofit's members and platform admins.
    let rejectionReason: String?
    let followers: Int
    let createdAt: Date
    let reviewedAt: Date?

    init(_ record: NonprofitRecord, showPrivate: Bool) {
        id = record.id
        name = record.name
        country = record.country
        registrationNumber = record.registrationNumber
        website = record.website
        description = record.description
        causes = record.causes
        status = record.status
        rejectionReason = showPrivate ? record.rejectionReason : nil
        followers = record.followerCount
        createdAt = record.createdAt
        reviewedAt = record.reviewedAt
    }
}

struct NonprofitPageOutput: ResponseCodable {
    let items: [NonprofitOutput]
    let page: Int
    let perPage: Int
    let total: Int
}

struct MemberOutput: ResponseCodable {
    let accountId: UUID
    let handle: String
    let displayName: String
    let role: NonprofitRole
    let addedAt: Date

    init(_ record: MemberRecord) {
        accountId = record.accountId
        handle = record.handle
        displayName = record.displayName
        role = record.role
        addedAt = record.addedAt
    }
}

struct MemberListOutput: ResponseCodable { let items: [MemberOutput] }

struct FollowOutput: ResponseCodable {
    let following: Bool
    let followers: Int
}

struct MyNonprofitOutput: ResponseCodable {
    let nonprofit: NonprofitOutput
    let role: NonprofitRole
}

struct MyNonprofitListOutput: ResponseCodable { let items: [MyNonprofitOutput] }

struct CauseListOutput: ResponseCodable { let items: [Cause] }

struct FollowerStatsOutput: ResponseCodable {
    let followers: Int
    let gained: Int
    let lost: Int
    let from: Date
    let to: Date
}
