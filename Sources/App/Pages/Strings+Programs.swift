/// The words of the giving programs' pages: the public program page and creators' invitations.
extension Strings {
    static let programsEn: [String: String] = [:]
    static let programsFr: [String: String] = [:]
    static let programsIt: [String: String] = [:]
}
