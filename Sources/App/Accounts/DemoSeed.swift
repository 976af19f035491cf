import Foundation
import GoodcastCore
import SQLKit

/// Demo data a visitor can click through: the nonprofits of the brief, a few creators and an
/// admin. Runs only on an empty database, so it never mixes with real data.
public struct DemoSeed: Sendable {
    let services: AppServices

    public struct Result: Sendable {
        public let seeded: Bool
        public let adminHandle: String
        public let adminPassword: String
        public let creatorPassword: String
        public let creators: [String]
    }

    static let adminHandle = "admin"
    static let adminPassword = "goodcast-admin-demo"
    static let creatorPassword = "goodcast-demo-creator"
    static let creators = [("dancewithmaya", "Maya"), ("chef.luca", "Luca"), ("sam.sings", "Sam")]

    static let nonprofits: [(name: String, country: String, number: String, causes: [Cause], website: String, about: String)] = [
        ("IFAD", "IT", "IFAD-1977", [.hunger, .community], "https://www.ifad.org",
         "The International Fund for Agricultural Development invests in rural people to end hunger and poverty."),
        ("Comic Relief", "GB", "326568", [.humanitarianRelief, .community], "https://www.comicrelief.com",
         "Red Nose Day: comedy and the red nose to raise money for people living tough lives."),
        ("Movember", "AU", "ABN-48894537905", [.healthAndWellbeing], "https://movember.com",
         "Grow a moustache, change the face of men's health."),
        ("UNICEF", "US", "UNICEF-1946", [.childrensRights, .humanitarianRelief, .education], "https://www.unicef.org",
         "For every child: health, education, equality and protection. #TheRealChallenge."),
        ("Youth Music", "GB", "1075032", [.artsAndMusic, .community], "https://youthmusic.org.uk",
         "Music-making for young people who face barriers."),
        ("Caenhill Countryside Centre", "GB", "1137880", [.animals, .education], "https://www.caenhillcountrysidecentre.co.uk",
         "A farm in Wiltshire where children and adults learn with rescued animals."),
    ]

    public func run() async throws -> Result {
        guard try await services.accounts.count() == 0 else {
            return Result(seeded: false, adminHandle: Self.adminHandle, adminPassword: "", creatorPassword: "", creators: [])
        }
        let admin = try await services.accountService.signUp(
            handle: Self.adminHandle, email: "admin@goodcast.test", password: Self.adminPassword, displayName: "Platform admin", role: .platformAdmin
        )
        var creatorAccounts: [AccountRecord] = []
        for (handle, name) in Self.creators {
            creatorAccounts.append(try await services.accountService.signUp(
                handle: handle, email: "\(handle.replacingOccurrences(of: ".", with: "-"))@goodcast.test", password: Self.creatorPassword, displayName: name
            ))
        }
        for (index, entry) in Self.nonprofits.enumerated() {
            let owner = try await services.accountService.signUp(
                handle: entry.name.lowercased().filter { $0.isLetter || $0.isNumber }, email: "team@\(entry.name.lowercased().filter { $0.isLetter }).goodcast.test",
                password: Self.creatorPassword, displayName: entry.name
            )
            let application = try NonprofitApplication(
                name: entry.name, country: entry.country, registrationNumber: entry.number,
                causes: entry.causes.map(\.rawValue), website: entry.website, description: entry.about
            )
            let record = try await services.nonprofits.apply(application, by: owner)
            _ = try await services.nonprofits.review(record.id, verify: true, reason: nil, by: admin)
            // Payouts go to a bank account: a made-up one (a valid IBAN, a valid US routing number).
            let bank = entry.country == "US"
                ? try PayoutDetails(accountHolder: entry.name, iban: nil, routingNumber: "111000025", accountNumber: "000123456789")
                : try PayoutDetails(accountHolder: entry.name, iban: "GB82 WEST 1234 5698 7654 32", routingNumber: nil, accountNumber: nil)
            _ = try await services.nonprofits.store.setPayoutDetails(bank, of: record.id)
            // Each creator follows a few, so the directory shows follower counts.
            for creator in creatorAccounts where (index + creator.handle.count) % 2 == 0 {
                _ = try await services.nonprofits.follow(true, id: record.id, by: creator)
            }
        }
        // A fundraiser with gifts, so that the pages show money moving.
        if let comicRelief = try await services.nonprofits.store.search(.init(text: "comic relief")).items.first {
            let fundraiser = try await services.fundraisers.create(FundraiserInput(
                nonprofitId: comicRelief.id.uuidString, title: "Red Nose Day: #rednoseday challenge",
                description: "Put on a red nose, post your video, and give what you can.",
                goal: MoneyInput(amount: 500_000, currency: "GBP"), endsAt: nil
            ), by: creatorAccounts[0])
            for (index, creator) in creatorAccounts.enumerated() {
                let input = DonationInput(
                    amount: MoneyInput(amount: Int64(1_000 * (index + 1)), currency: "GBP"), paymentToken: "tok_visa",
                    message: ["Noses on! 🔴", nil, "For every kid who needs it"][index], visibility: index == 1 ? "anonymous" : "public", coverFees: index == 2
                )
                _ = try await services.donations.donate(fundraiserID: fundraiser.id, donor: creator, key: "demo-\(index)", body: Data("demo-\(index)".utf8), input: input)
            }
        }
        try await seedGivingSzn(admin: admin, creators: creatorAccounts)
        try await seedChallenges(admin: admin, creators: creatorAccounts)
        try await seedStories(creators: creatorAccounts)
        // The consoles show the demo's figures at once rather than after the first background pass.
        try await services.analytics.rollup.run()
        return Result(seeded: true, adminHandle: Self.adminHandle, adminPassword: Self.adminPassword,
                      creatorPassword: Self.creatorPassword, creators: Self.creators.map(\.0))
    }

    /// #GivingSzn for GivingTuesday: the "Global Give Back" live at 11:00 PT on 30 November,
    /// then more lives through December, each raising money for a participating nonprofit.
    private func seedGivingSzn(admin: AccountRecord, creators: [AccountRecord]) async throws {
        let all = try await services.nonprofits.store.search(.init(text: "")).items
        func id(_ name: String) -> String? { all.first { $0.name == name }?.id.uuidString }
        let campaign = try await services.campaigns.create(CampaignInput(
            slug: "givingszn", title: "#GivingSzn",
            description: "GivingTuesday, all season long: live shows, challenges and gifts for the causes you follow, from 30 November through December.",
            startsAt: "2026-11-30T00:00:00Z", endsAt: "2026-12-31T23:59:59Z", nonprofitIds: all.map(\.id.uuidString)
        ), by: admin)
        let program: [(host: Int, title: String, at: String, nonprofit: String, goal: Int64, currency: String)] = [
            (0, "Global Give Back", "2026-11-30T19:00:00Z", "UNICEF", 1_000_000, "USD"),
            (1, "Cook for a cause: a family dinner from the fields", "2026-12-07T18:00:00Z", "IFAD", 300_000, "EUR"),
            (2, "Sing for Youth Music", "2026-12-14T20:00:00Z", "Youth Music", 200_000, "GBP"),
            (0, "Moves for Movember: the December dance-off", "2026-12-21T19:00:00Z", "Movember", 250_000, "AUD"),
        ]
        for entry in program {
            guard let nonprofit = id(entry.nonprofit) else { continue }
            let live = try await services.lives.create(LiveInput(
                title: entry.title, description: nil, language: "en", scheduledAt: entry.at, playbackUrl: "https://www.youtube.com/embed/live_stream",
                fundraiser: .init(nonprofitId: nonprofit, goal: MoneyInput(amount: entry.goal, currency: entry.currency)), ticket: nil
            ), by: creators[entry.host])
            try await services.campaigns.addLive(live.id, to: campaign, by: admin)
        }
    }

    /// #DanceForChange (IFAD), #rednoseday (Comic Relief, with the platform's $2-per-video pledge
    /// and the red-nose effect) and the unbranded #TheRealChallenge, with the sample videos that
    /// ship with the project. The demo creators joined a month ago, so their videos count.
    private func seedChallenges(admin: AccountRecord, creators joined: [AccountRecord]) async throws {
        let monthAgo = Date().addingTimeInterval(-30 * 86_400)
        try await services.db.sql.update("accounts").set("created_at", to: SQLBind(monthAgo))
            .where("id", .in, SQLBind.group(joined.map(\.id))).run()
        var creators: [AccountRecord] = []
        for creator in joined { creators.append(try await services.accounts.find(id: creator.id)!) }
        let all = try await services.nonprofits.store.search(.init(text: "")).items
        func nonprofit(_ name: String) -> UUID? { all.first { $0.name == name }?.id }
        func owner(_ name: String) async throws -> AccountRecord {
            try await services.accounts.find(handle: name.lowercased().filter { $0.isLetter || $0.isNumber })!
        }
        let iso = ISO8601DateFormatter()
        func date(days: Double) -> String { iso.string(from: Date().addingTimeInterval(days * 86_400)) }
        let challenges: [(tag: String, nonprofit: String, title: String, about: String, effect: String?, branded: Bool, from: Double, to: Double)] = [
            ("DanceForChange", "IFAD", "Dance for change", "Dance for the farmers who feed the world: post your moves with #DanceForChange.", nil, true, -3, 30),
            ("rednoseday", "Comic Relief", "Red Nose Day", "Put on the red nose, make someone laugh, post it with #rednoseday: every video unlocks $2.", "Red nose", true, -1, 14),
            ("TheRealChallenge", "UNICEF", "The Real Challenge", "Show the real challenges children face, and how you help.", nil, false, -7, 60),
        ]
        for entry in challenges {
            guard let id = nonprofit(entry.nonprofit) else { continue }
            let by = entry.branded ? try await owner(entry.nonprofit) : admin
            _ = try await services.challenges.create(ChallengeInput(
                hashtag: entry.tag, nonprofitId: id.uuidString, title: entry.title, description: entry.about, rules: "Post in the challenge's dates. Up to three videos a day count for pledges.",
                startsAt: date(days: entry.from), endsAt: date(days: entry.to), effect: entry.effect, branded: entry.branded
            ), by: by)
        }
        let pledge = PledgeInput(perVideo: MoneyInput(amount: 200, currency: "USD"), budget: MoneyInput(amount: 10_000_000, currency: "USD"), paymentToken: "tok_visa")
        _ = try await services.pledges.pledge(hashtag: "rednoseday", by: admin, key: "demo-pledge", body: Data("demo-pledge".utf8), input: pledge)
        let samples = PageRenderer.samplesDirectory
        let posts: [(creator: Int, file: String, caption: String)] = [
            (0, "dance.mp4", "My moves for the farmers 🌾 #DanceForChange"),
            (1, "rednose.webm", "Nose on, pasta on. #rednoseday"),
            (2, "rednose.webm", "Singing with a red nose is harder than it looks #RedNoseDay @dancewithmaya"),
            (2, "realchallenge.mov", "What school looks like for millions of kids #TheRealChallenge"),
            (0, "dance.mp4", "Round two 💃 #DanceForChange #rednoseday"),
        ]
        var videos: [UUID] = []
        for post in posts {
            videos.append(try await services.videos.importFile(samples.appendingPathComponent(post.file), caption: post.caption, by: creators[post.creator]).id)
        }
        // Some views, so that counts and the leaderboard show.
        let hour = ViewEvent.hour(of: Date())
        let views = videos.enumerated().flatMap { index, video in (0..<(40 * (index + 1))).map { ViewEvent(videoID: video, viewer: "demo-\($0)", hour: hour) } }
        try await services.db.transaction { sql in _ = try await ViewStore.write(views, on: sql) }
    }

    /// The demo donors share their "I donated" stickers in stories, so that the fundraiser's
    /// shared story has something in it; the creators follow each other.
    private func seedStories(creators: [AccountRecord]) async throws {
        let samples = PageRenderer.samplesDirectory
        // A gift to the Global Give Back, so that #GivingSzn's shared story starts too.
        struct Live: Decodable { let fundraiser_id: UUID? }
        if let fundraiser = try await services.db.sql.select().column("fundraiser_id").from("lives").where("title", .equal, SQLBind("Global Give Back"))
            .first(decoding: Live.self)?.fundraiser_id {
            let input = DonationInput(amount: MoneyInput(amount: 2_500, currency: "USD"), paymentToken: "tok_visa", message: "Happy GivingTuesday!",
                                      visibility: "public", coverFees: false)
            _ = try await services.donations.donate(fundraiserID: fundraiser, donor: creators[1], key: "demo-givingszn", body: Data("demo-givingszn".utf8), input: input)
        }
        for (index, creator) in creators.enumerated() {
            for other in creators where other.id != creator.id {
                _ = try await services.accountFollows.setFollowing(true, follower: creator, followee: other)
            }
            guard let sticker = try await services.stickers.stickers(of: creator.id).first else { continue }
            let file = ["story.jpg", "story.png", "story.webp"][index % 3]
            let placement = #"[{"stickerId":"\#(sticker.id.uuidString)","x":0.5,"y":\#(0.7 + 0.05 * Double(index)),"scale":1.1,"rotation":\#(index * 6 - 6)}]"#
            _ = try await services.stories.importFile(samples.appendingPathComponent(file), stickers: placement, by: creator)
        }
    }
}
