import Foundation
import GoodcastCore

/// View models: what a template shows, already formatted; templates only lay them out.
struct CauseOption {
    let value: String
    let label: String
    let selected: Bool

    static func all(language: String, selected: Set<String>) -> [CauseOption] {
        let strings = Strings.table(for: language)
        return Cause.allCases.map { CauseOption(value: $0.rawValue, label: strings["cause.\($0.rawValue)"] ?? $0.rawValue, selected: selected.contains($0.rawValue)) }
    }
}

struct NonprofitCard {
    let id: String
    let href: String
    let name: String
    let country: String
    let causes: String
    let followers: Int
    let website: String
    let statusLabel: String
    let isPending: Bool
    let isRejected: Bool
    let isVerified: Bool
    let description: String?
    let rejectionReason: String
    let registrationNumber: String

    init(_ record: NonprofitRecord, language: String) {
        let strings = Strings.table(for: language)
        id = record.id.uuidString.lowercased()
        href = PagePath.nonprofit(id)
        name = record.name
        country = record.country
        causes = record.causes.map { strings["cause.\($0.rawValue)"] ?? $0.rawValue }.joined(separator: " · ")
        followers = record.followerCount
        website = record.website
        isPending = record.status == .pending
        isRejected = record.status == .rejected
        isVerified = record.status == .verified
        statusLabel = switch record.status {
        case .pending: strings["statusPending"]!
        case .verified: strings["statusVerified"]!
        case .rejected: strings["statusRejected"]!
        }
        description = record.description.flatMap { $0.isEmpty ? nil : $0 }
        rejectionReason = record.rejectionReason ?? ""
        registrationNumber = record.registrationNumber
    }
}

struct FormErrors {
    let items: [ValidationIssue]
    /// Stored, not computed: Mustache reads models through `Mirror`, which sees stored properties only.
    let any: Bool

    init(_ problem: Problem?) {
        items = problem.map { $0.issues.isEmpty ? [ValidationIssue(field: "", message: $0.detail)] : $0.issues } ?? []
        any = !items.isEmpty
    }
}
