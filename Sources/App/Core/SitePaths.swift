import Foundation
import Hummingbird

/// Every API path, relative to `/api/v1`, in one place (SPI's `SiteURL`).
enum APIPath {
    static let prefix = "/api/v1"
    static let accounts: RouterPath = "accounts"
    static let sessions: RouterPath = "sessions"
    static let currentSession: RouterPath = "sessions/current"
    static let me: RouterPath = "me"
    static let myTokens: RouterPath = "me/tokens"
    static let myToken: RouterPath = "me/tokens/:tokenId"
    static let myNonprofits: RouterPath = "me/nonprofits"
    static let nonprofits: RouterPath = "nonprofits"
    static let nonprofit: RouterPath = "nonprofits/:nonprofitId"
    static let nonprofitMembers: RouterPath = "nonprofits/:nonprofitId/members"
    static let nonprofitMember: RouterPath = "nonprofits/:nonprofitId/members/:accountId"
    static let nonprofitFollow: RouterPath = "nonprofits/:nonprofitId/follow"
    static let nonprofitFollowers: RouterPath = "nonprofits/:nonprofitId/followers"
    static let nonprofitPayoutDetails: RouterPath = "nonprofits/:nonprofitId/payout-details"
    static let causes: RouterPath = "causes"
    static let adminNonprofits: RouterPath = "admin/nonprofits"
    static let adminVerify: RouterPath = "admin/nonprofits/:nonprofitId/verify"
    static let adminReject: RouterPath = "admin/nonprofits/:nonprofitId/reject"
    static let fundraisers: RouterPath = "fundraisers"
    static let fundraiser: RouterPath = "fundraisers/:fundraiserId"
    static let fundraiserDonations: RouterPath = "fundraisers/:fundraiserId/donations"
    static let donation: RouterPath = "donations/:donationId"
    static let donationReceipt: RouterPath = "donations/:donationId/receipt"
    static let donationRefunds: RouterPath = "donations/:donationId/refunds"
    static let myDonations: RouterPath = "me/donations"
    static let nonprofitDonations: RouterPath = "nonprofits/:nonprofitId/donations"
    static let webhooks: RouterPath = "payments/webhooks/:processor"
    static let adminPayoutsRun: RouterPath = "admin/payouts/run"
    static let nonprofitPayouts: RouterPath = "nonprofits/:nonprofitId/payouts"
    static let nonprofitAnalytics: RouterPath = "nonprofits/:nonprofitId/analytics"
    static let lives: RouterPath = "lives"
    static let live: RouterPath = "lives/:liveId"
    static let liveStart: RouterPath = "lives/:liveId/start"
    static let liveEnd: RouterPath = "lives/:liveId/end"
    static let liveFeed: RouterPath = "lives/:liveId/feed"
    static let liveThanks: RouterPath = "lives/:liveId/thanks"
    static let liveHideMessage: RouterPath = "lives/:liveId/donations/:donationId/hide"
    static let liveSupporters: RouterPath = "lives/:liveId/supporters"
    static let liveOverlay: RouterPath = "lives/:liveId/overlay"
    static let liveTickets: RouterPath = "lives/:liveId/tickets"
    static let liveTicketRevoke: RouterPath = "lives/:liveId/tickets/:ticketId/revoke"
    static let liveCancel: RouterPath = "lives/:liveId/cancel"
    static let campaigns: RouterPath = "campaigns"
    static let campaign: RouterPath = "campaigns/:slug"
    static let campaignLives: RouterPath = "campaigns/:slug/lives"
    static let campaignNonprofits: RouterPath = "campaigns/:slug/nonprofits"
    static let videos: RouterPath = "videos"
    static let video: RouterPath = "videos/:videoId"
    static let views: RouterPath = "views"
    static let challenges: RouterPath = "challenges"
    static let challenge: RouterPath = "challenges/:hashtag"
    static let challengeVideos: RouterPath = "challenges/:hashtag/videos"
    static let challengePledges: RouterPath = "challenges/:hashtag/pledges"
    static let challengeSettle: RouterPath = "challenges/:hashtag/settle"
    static let stories: RouterPath = "stories"
    static let adminPrograms: RouterPath = "admin/programs"
    static let adminProgramGrants: RouterPath = "admin/programs/:slug/grants"
    static let adminProgramInvitations: RouterPath = "admin/programs/:slug/invitations"
    static let adminProgramClose: RouterPath = "admin/programs/:slug/close"
    static let program: RouterPath = "programs/:slug"
    static let programChoice: RouterPath = "programs/:slug/choice"
    static let myProgramInvitations: RouterPath = "me/program-invitations"
    static let adminAdCredits: RouterPath = "admin/nonprofits/:nonprofitId/ad-credits"
    static let nonprofitAdCredits: RouterPath = "nonprofits/:nonprofitId/ad-credits"
    static let nonprofitPromotions: RouterPath = "nonprofits/:nonprofitId/promotions"
    static let promotion: RouterPath = "promotions/:promotionId"
    static let promotionStop: RouterPath = "promotions/:promotionId/stop"
    static let story: RouterPath = "stories/:storyId"
    static let myStickers: RouterPath = "me/stickers"
    static let myStoryFeed: RouterPath = "me/stories/feed"
    static let accountStories: RouterPath = "accounts/:handle/stories"
    static let accountFollow: RouterPath = "accounts/:handle/follow"
    static let fundraiserStory: RouterPath = "fundraisers/:fundraiserId/story"
    static let campaignStory: RouterPath = "campaigns/:slug/story"
}

/// Every page path; templates link with these too (through page models).
enum PagePath {
    static let home = "/"
    static let signUp = "/signup"
    static let signIn = "/signin"
    static let signOut = "/signout"
    static let nonprofits = "/nonprofits"
    static let apply = "/nonprofits/apply"
    static func nonprofit(_ id: String) -> String { "/nonprofits/\(id)" }
    static func follow(_ id: String) -> String { "/nonprofits/\(id)/follow" }
    static func unfollow(_ id: String) -> String { "/nonprofits/\(id)/unfollow" }
    static func addMember(_ id: String) -> String { "/nonprofits/\(id)/members" }
    static let adminQueue = "/admin/nonprofits"
    static func fundraiser(_ id: String) -> String { "/fundraisers/\(id)" }
    static func donate(_ id: String) -> String { "/fundraisers/\(id)/donate" }
    static func newFundraiser(_ nonprofit: String) -> String { "/fundraisers/new?nonprofit=\(nonprofit)" }
    static func donation(_ id: String) -> String { "/donations/\(id)" }
    static func refund(_ id: String) -> String { "/donations/\(id)/refund" }
    static func money(_ nonprofit: String) -> String { "/nonprofits/\(nonprofit)/money" }
    static let myDonations = "/me/donations"
    static func adminVerify(_ id: String) -> String { "/admin/nonprofits/\(id)/verify" }
    static func adminReject(_ id: String) -> String { "/admin/nonprofits/\(id)/reject" }
    static let challenges = "/challenges"
    static func challenge(_ hashtag: String) -> String { "/challenges/\(segment(hashtag))" }
    static func challengeVideos(_ hashtag: String) -> String { "/challenges/\(segment(hashtag))/videos" }
    static func campaign(_ slug: String) -> String { "/campaigns/\(segment(slug))" }
    static let myStickers = "/me/stickers"
    static let stories = "/stories"
    static let newStory = "/stories/new"
    static func newStory(sticker: String) -> String { "/stories/new?sticker=\(sticker)" }
    /// `from` names the sequence the viewer taps through (`fundraiser:<id>`, `campaign:<slug>`, `account:<handle>`).
    static func story(_ id: String, from: String? = nil) -> String {
        "/stories/\(id)" + (from.map { "?from=\(segment($0, keeping: ":"))" } ?? "")
    }
    static func storyEdit(_ id: String) -> String { "/stories/\(id)/edit" }
    static func storyDelete(_ id: String) -> String { "/stories/\(id)/delete" }
    static func fundraiserStory(_ id: String) -> String { "/fundraisers/\(id)/story" }
    static func campaignStory(_ slug: String) -> String { "/campaigns/\(segment(slug))/story" }

    /// ASCII only: a hashtag in any script must still make a valid `Location` header.
    static func segment(_ text: String, keeping extra: String = "") -> String {
        text.addingPercentEncoding(withAllowedCharacters: asciiWord.union(CharacterSet(charactersIn: extra))) ?? text
    }

    private static let asciiWord = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
}
