import Foundation
import GoodcastCore

/// A nonprofit as stored, with its causes loaded beside it.
struct NonprofitRecord: Sendable, Decodable {
    let id: UUID
    let name: String
    let country: String
    let registrationNumber: String
    let website: String
    let description: String?
    let statusName: String
    let rejectionReason: String?
    let applicantId: UUID
    let createdAt: Date
    let reviewedAt: Date?
    let followerCount: Int
    var causes: [Cause] = []

    var status: NonprofitStatus { NonprofitStatus(rawValue: statusName) ?? .pending }

    static let columns = [
        "id", "name", "country", "registration_number", "website", "description", "status",
        "rejection_reason", "applicant_id", "created_at", "reviewed_at", "follower_count",
    ]

    enum CodingKeys: String, CodingKey {
        case id, name, country, website, description
        case registrationNumber = "registration_number"
        case statusName = "status"
        case rejectionReason = "rejection_reason"
        case applicantId = "applicant_id"
        case createdAt = "created_at"
        case reviewedAt = "reviewed_at"
        case followerCount = "follower_count"
    }
}

struct MemberRecord: Sendable, Decodable {
    let accountId: UUID
    let handle: String
    let displayName: String
    let roleName: String
    let addedAt: Date

    var role: NonprofitRole { NonprofitRole(rawValue: roleName) ?? .member }

    enum CodingKeys: String, CodingKey {
        case accountId = "account_id"
        case handle
        case displayName = "display_name"
        case roleName = "role"
        case addedAt = "added_at"
    }
}

/// One page of a listing, with the total so a client can page through it.
struct Page<Item: Sendable>: Sendable {
    let items: [Item]
    let page: Int
    let perPage: Int
    let total: Int
}
