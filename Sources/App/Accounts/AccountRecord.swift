import Foundation
import GoodcastCore

/// An account as stored; never sent to clients as is (it holds the password hash).
public struct AccountRecord: Sendable, Decodable {
    public let id: UUID
    public let handle: String
    public let email: String
    public let displayName: String
    let passwordHash: String
    let roleName: String
    public let createdAt: Date

    public var accountID: AccountID { AccountID(id) }
    public var role: Role { Role(rawValue: roleName) ?? .member }

    enum CodingKeys: String, CodingKey {
        case id, handle, email
        case displayName = "display_name"
        case passwordHash = "password_hash"
        case roleName = "role"
        case createdAt = "created_at"
    }
}

public enum AuthTokenKind: String, Sendable, Codable {
    /// A bearer token for the API.
    case api
    /// A page session, carried in an HttpOnly cookie.
    case session
}
