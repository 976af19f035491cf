/// Where a nonprofit's application stands; only `verified` ones are listed and can receive money.
public enum NonprofitStatus: String, Codable, Sendable, CaseIterable {
    case pending
    case verified
    case rejected
}

/// A member's place in a nonprofit's team.
public enum NonprofitRole: String, Codable, Sendable, CaseIterable {
    case owner
    case member
}
