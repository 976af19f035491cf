import Foundation

/// A UUID tagged with what it identifies, so that a nonprofit id cannot be passed
/// where an account id is expected (isowords' `Tagged`, without the dependency).
public struct TypedID<Tag>: Hashable, Sendable, Codable, CustomStringConvertible, LosslessStringConvertible {
    public let uuid: UUID

    public init(_ uuid: UUID = UUID()) { self.uuid = uuid }

    public init?(_ description: String) {
        guard let uuid = UUID(uuidString: description) else { return nil }
        self.uuid = uuid
    }

    public init(from decoder: any Decoder) throws {
        self.uuid = try decoder.singleValueContainer().decode(UUID.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(uuid)
    }

    /// Lowercase, as the API prints every id.
    public var description: String { uuid.uuidString.lowercased() }
}

public enum AccountTag {}
public enum NonprofitTag {}
public typealias AccountID = TypedID<AccountTag>
public typealias NonprofitID = TypedID<NonprofitTag>
