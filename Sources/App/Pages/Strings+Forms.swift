/// The words of the forms that create and edit things: lives, challenges, the nonprofit's
/// profile and payout details, giving programs.
extension Strings {
    static let formsEn: [String: String] = [:]
    static let formsFr: [String: String] = [:]
    static let formsIt: [String: String] = [:]
}
