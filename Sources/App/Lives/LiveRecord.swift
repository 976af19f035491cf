import Foundation
import GoodcastCore

enum LiveStatus: String, Sendable, Codable {
    /// A cancelled live never happened: every ticket was refunded.
    case scheduled, live, ended, cancelled
}

struct LiveRecord: Sendable, Decodable {
    let id: UUID
    let hostId: UUID
    let title: String
    let description: String?
    let language: String
    let scheduledAt: Date?
    let playbackUrl: String?
    let statusName: String
    let fundraiserId: UUID?
    let ticketAmount: Int64?
    let ticketCurrency: String?
    let startedAt: Date?
    let endedAt: Date?
    let createdAt: Date
    let overlayKey: String?
    let overlayMinAmount: Int64?
    let overlayShowAmounts: Bool?
    /// Ticket revenue goes to this nonprofit; nil: to the host.
    let ticketNonprofitId: UUID?

    /// The event log viewers follow: the fundraiser's, or the live's own when it has none.
    var feedId: UUID { fundraiserId ?? id }

    var status: LiveStatus { LiveStatus(rawValue: statusName) ?? .scheduled }
    var ticketPrice: Money? {
        guard let ticketAmount, let code = ticketCurrency, let currency = Currency.supported[code] else { return nil }
        return Money(ticketAmount, currency)
    }

    static let columns = ["id", "host_id", "title", "description", "language", "scheduled_at", "playback_url", "status",
                          "fundraiser_id", "ticket_amount", "ticket_currency", "started_at", "ended_at", "created_at",
                          "overlay_key", "overlay_min_amount", "overlay_show_amounts", "ticket_nonprofit_id"]

    enum CodingKeys: String, CodingKey {
        case id, title, description, language
        case hostId = "host_id", scheduledAt = "scheduled_at", playbackUrl = "playback_url", statusName = "status"
        case fundraiserId = "fundraiser_id", ticketAmount = "ticket_amount", ticketCurrency = "ticket_currency"
        case startedAt = "started_at", endedAt = "ended_at", createdAt = "created_at"
        case overlayKey = "overlay_key", overlayMinAmount = "overlay_min_amount", overlayShowAmounts = "overlay_show_amounts"
        case ticketNonprofitId = "ticket_nonprofit_id"
    }
}
