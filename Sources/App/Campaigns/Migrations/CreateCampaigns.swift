import FluentKit

/// Campaigns (#GivingSzn for GivingTuesday): their participating nonprofits and their program
/// of scheduled lives.
struct CreateCampaigns: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("campaigns")
            .field("id", .uuid, .identifier(auto: false))
            .field("slug", .string, .required)
            .field("title", .string, .required)
            .field("description", .string)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("created_by", .uuid, .required, .references("accounts", "id"))
            .field("created_at", .datetime, .required)
            .unique(on: "slug")
            .create()
        try await database.schema("campaign_nonprofits")
            .field("campaign_id", .uuid, .required, .references("campaigns", "id"))
            .field("nonprofit_id", .uuid, .required, .references("nonprofits", "id"))
            .unique(on: "campaign_id", "nonprofit_id")
            .create()
        try await database.schema("campaign_lives")
            .field("campaign_id", .uuid, .required, .references("campaigns", "id"))
            .field("live_id", .uuid, .required, .references("lives", "id"))
            .unique(on: "campaign_id", "live_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("campaign_lives").delete()
        try await database.schema("campaign_nonprofits").delete()
        try await database.schema("campaigns").delete()
    }
}
