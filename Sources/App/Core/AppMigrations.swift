import FluentKit

/// Every migration, in the order it landed. Append only: a landed migration is never edited.
enum AppMigrations {
    static var all: [any Migration] {
        [
            CreateAccounts(),
            CreateAuthTokens(),
            CreateNonprofits(),
            CreateNonprofitCauses(),
            CreateNonprofitMembers(),
            CreateNonprofitFollows(),
            CreateNonprofitFollowEvents(),
            CreateFundraisers(),
            CreateLedgerTransactions(),
            CreateLedgerEntries(),
            CreateDonations(),
            CreateIdempotencyKeys(),
            CreateRefunds(),
            CreateWebhookEvents(),
            CreatePayouts(),
            CreateIdempotencyResourceIndex(),
            CreateLives(),
            CreateFundraiserEvents(),
            CreateFeedEvents(),
            CreateFeedViewers(),
            AddLiveHostTools(),
            CreateLiveTickets(),
            AddLiveTicketPayee(),
            CreateCampaigns(),
            CreateVideos(),
            CreateVideoTags(),
            CreateVideoViews(),
            CreateChallenges(),
            CreateChallengeVideos(),
            CreatePledges(),
            CreatePledgeAccruals(),
            CreateAccountFollows(),
            CreateStories(),
            CreateStoryStickers(),
            CreateAdCredits(),
            CreatePromotions(),
            CreatePrograms(),
            CreateProgramGrants(),
            CreateProgramInvitations(),
        ]
    }
}
