/// The nonprofit console's words: the dashboard, its charts, the checklist, ad credits.
extension Strings {
    static let consoleEn: [String: String] = [:]
    static let consoleFr: [String: String] = [:]
    static let consoleIt: [String: String] = [:]
}
