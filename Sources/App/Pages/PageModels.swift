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
        id = record.id.lowercasedString
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

/// A challenge in the directory: what a card shows, from the API's own output.
struct ChallengeCard {
    let hashtag: String
    let href: String
    let title: String
    let nonprofitName: String?
    let status: String
    let statusLabel: String
    let isActive: Bool
    let promoted: Bool
    let dates: DateRange
    let videos: Int
    let views: Int64

    init(_ challenge: ChallengeOutput, language: String) {
        hashtag = challenge.hashtag
        href = PagePath.challenge(challenge.hashtag)
        title = challenge.title
        nonprofitName = challenge.nonprofit?.name
        status = challenge.status
        statusLabel = Strings.table(for: language)["challenge.\(challenge.status)"] ?? challenge.status
        isActive = challenge.status == "active"
        promoted = challenge.promoted
        dates = DateRange(challenge.startsAt, challenge.endsAt)
        videos = challenge.stats.videos
        views = challenge.stats.views
    }
}

/// Two instants sent in UTC: `local-time.js` rewrites them in the viewer's time zone.
struct DateRange {
    let startsIso: String
    let startsText: String
    let endsIso: String
    let endsText: String

    init(_ starts: Date, _ ends: Date) {
        let iso = ISO8601DateFormatter()
        let utc = DateFormatter()
        utc.locale = Locale(identifier: "en_GB")
        utc.timeZone = TimeZone(identifier: "UTC")
        utc.dateFormat = "d MMM yyyy, HH:mm 'UTC'"
        startsIso = iso.string(from: starts)
        startsText = utc.string(from: starts)
        endsIso = iso.string(from: ends)
        endsText = utc.string(from: ends)
    }
}

/// A video in a grid or a leaderboard.
struct VideoTile {
    let id: String
    let owner: String
    let caption: String
    let mediaUrl: String
    let posterUrl: String?
    let views: Int64
    let rank: Int

    init(_ video: VideoOutput, rank: Int = 0) {
        id = video.id.lowercasedString
        owner = video.owner
        caption = video.caption
        mediaUrl = video.mediaUrl
        posterUrl = video.posterUrl
        views = video.views
        self.rank = rank
    }
}
