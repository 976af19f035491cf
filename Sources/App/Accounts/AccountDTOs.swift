import Foundation
import GoodcastCore
import Hummingbird

struct SignUpInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case handle, email, password, displayName }
    typealias CodingKeys = Field
    let handle: String?
    let email: String?
    let password: String?
    let displayName: String?
}

struct SignInInput: JSONInput {
    enum Field: String, CodingKey, CaseIterable { case handle, email, login, password }
    typealias CodingKeys = Field
    let handle: String?
    let email: String?
    let login: String?
    let password: String?
}

/// What an account sees of itself.
struct MeOutput: ResponseCodable {
    let id: UUID
    let handle: String
    let email: String
    let displayName: String
    let role: Role
    let createdAt: Date

    init(_ account: AccountRecord) {
        id = account.id
        handle = account.handle
        email = account.email
        displayName = account.displayName
        role = account.role
        createdAt = account.createdAt
    }
}

struct SessionOutput: ResponseCodable {
    let token: String
    let tokenId: UUID
    let expiresAt: Date
    let account: MeOutput
}

struct TokenOutput: ResponseCodable {
    let id: UUID
    let kind: String
    let createdAt: Date
    let expiresAt: Date
    let current: Bool
}

struct TokenListOutput: ResponseCodable {
    let items: [TokenOutput]
}
