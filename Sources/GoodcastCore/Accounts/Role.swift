/// What an account may do across the whole platform.
public enum Role: String, Codable, Sendable, CaseIterable {
    case member
    case platformAdmin = "platform-admin"
}
