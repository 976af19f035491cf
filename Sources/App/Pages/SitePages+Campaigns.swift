import Foundation
import GoodcastCore
import Hummingbird

extension SitePages {
    func addCampaignRoutes(to router: Router<AppRequestContext>) {
        router.get("/campaigns/:slug", use: campaignPage)
    }

    struct CampaignPage {
        struct Entry { let href: String; let title: String; let host: String; let status: String; let iso: String; let utcText: String }
        struct Participant { let href: String; let name: String }
        let title: String
        let description: String?
        let startsIso: String
        let startsText: String
        let endsIso: String
        let endsText: String
        let raised: [String]
        let onNow: [Entry]
        let program: [Entry]
        let nonprofits: [Participant]
        let sharedStory: SharedStoryStrip
    }

    @Sendable func campaignPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let campaign = try await services.campaigns.require(slug: context.parameters.get("slug") ?? "")
        let output = try await services.campaigns.output(campaign)
        let iso = ISO8601DateFormatter()
        let utc = DateFormatter()
        utc.locale = Locale(identifier: "en_GB")
        utc.timeZone = TimeZone(identifier: "UTC")
        utc.dateFormat = "EEE d MMM, HH:mm 'UTC'"
        let day = DateFormatter()
        day.locale = utc.locale
        day.timeZone = utc.timeZone
        day.dateFormat = "d MMMM yyyy"
        func entry(_ live: CampaignOutput.ProgramLive) -> CampaignPage.Entry {
            let when = live.scheduledAt ?? live.startedAt
            return .init(href: "/lives/\(live.id.lowercasedString)", title: live.title, host: live.host, status: live.status,
                         iso: when.map(iso.string) ?? "", utcText: when.map(utc.string) ?? "")
        }
        let page = CampaignPage(
            title: output.title, description: output.description,
            startsIso: iso.string(from: output.startsAt), startsText: day.string(from: output.startsAt),
            endsIso: iso.string(from: output.endsAt), endsText: day.string(from: output.endsAt),
            raised: output.raised.compactMap { money in Currency.supported[money.currency].map { MoneyFormat.format(Money(money.amount, $0), language: context.language) } },
            onNow: output.onNow.map(entry), program: output.program.map(entry),
            nonprofits: output.nonprofits.map { .init(href: PagePath.nonprofit($0.id.lowercasedString), name: $0.name) },
            sharedStory: try await sharedStrip(.campaign(campaign.id), from: "campaign:\(campaign.slug)",
                                               moreHref: PagePath.campaignStory(campaign.slug), language: context.language)
        )
        return pages.render("campaigns/show", title: output.title, page: page, request: request, context: context)
    }
}
