@testable import App
import Testing

@Suite("Settings from the environment")
struct AppConfigTests {
    @Test("the sandbox's webhook delivery: in-process by default, http on request, anything else refused by name")
    func sandboxWebhooks() throws {
        #expect(try AppConfig.fromEnvironment([:]).sandboxWebhooks == .inProcess)
        #expect(try AppConfig.fromEnvironment(["GOODCAST_SANDBOX_WEBHOOKS": "http"]).sandboxWebhooks == .http)
        #expect(try AppConfig.fromEnvironment(["GOODCAST_SANDBOX_WEBHOOKS": " In-Process "]).sandboxWebhooks == .inProcess)
        let error = #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["GOODCAST_SANDBOX_WEBHOOKS": "smtp"]) }
        #expect(error?.setting == "GOODCAST_SANDBOX_WEBHOOKS")
    }

    @Test("the sandbox's books: in the data directory by default, elsewhere on request, in memory for `memory` or nothing")
    func sandboxBooks() throws {
        #expect(try AppConfig.fromEnvironment([:]).sandboxBooksPath == "./.goodcast/sandbox-books.jsonl")
        #expect(try AppConfig.fromEnvironment(["GOODCAST_DATA_DIR": "/srv/gc"]).sandboxBooksPath == "/srv/gc/sandbox-books.jsonl")
        #expect(try AppConfig.fromEnvironment(["GOODCAST_SANDBOX_BOOKS": "/tmp/books.jsonl"]).sandboxBooksPath == "/tmp/books.jsonl")
        #expect(try AppConfig.fromEnvironment(["GOODCAST_SANDBOX_BOOKS": "memory"]).sandboxBooksPath == nil)
        #expect(try AppConfig.fromEnvironment(["GOODCAST_SANDBOX_BOOKS": ""]).sandboxBooksPath == nil)
        #expect(AppConfig().sandboxBooksPath == nil, "tests and embedders keep the sandbox in memory unless they ask")
    }

    @Test("serving through Stripe needs its own webhook secret: without one, anyone could sign a payment of their own")
    func stripeWebhookSecret() throws {
        let stripe = ["STRIPE_SECRET_KEY": "sk_live_x"]
        let missing = #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(stripe).checkForServing() }
        #expect(missing?.setting == "STRIPE_WEBHOOK_SECRET")
        let sandboxSecret = #expect(throws: ConfigError.self) {
            try AppConfig.fromEnvironment(stripe.merging(["STRIPE_WEBHOOK_SECRET": "whsec_sandbox"]) { $1 }).checkForServing()
        }
        #expect(sandboxSecret?.setting == "STRIPE_WEBHOOK_SECRET")
        try AppConfig.fromEnvironment(stripe.merging(["STRIPE_WEBHOOK_SECRET": "whsec_real"]) { $1 }).checkForServing()
        // Other commands (ledger verify, payouts run) do not receive webhooks.
        #expect(try AppConfig.fromEnvironment(stripe).webhookSecret == "whsec_sandbox")
        // A `goodcast sandbox-processor` on this machine standing in for Stripe may use the sandbox's secret.
        try AppConfig.fromEnvironment(["STRIPE_SECRET_KEY": "sk_test", "STRIPE_API_BASE": "http://127.0.0.1:12111"]).checkForServing()
        let elsewhere = #expect(throws: ConfigError.self) {
            try AppConfig.fromEnvironment(["STRIPE_SECRET_KEY": "sk_test", "STRIPE_API_BASE": "http://127.0.0.1.example.com"]).checkForServing()
        }
        #expect(elsewhere?.setting == "STRIPE_WEBHOOK_SECRET")
        // The in-process sandbox needs none.
        try AppConfig.fromEnvironment([:]).checkForServing()
    }

    @Test("a donation limit stays far inside Int64: totals of many gifts, and progress in percent, cannot overflow")
    func donationLimitCap() throws {
        #expect(try AppConfig.fromEnvironment(["GOODCAST_DONATION_LIMITS": "USD:100-10000000000"]).donationLimits.ranges["USD"] == 100...10_000_000_000)
        let error = #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["GOODCAST_DONATION_LIMITS": "USD:100-9223372036854775807"]) }
        #expect(error?.setting == "GOODCAST_DONATION_LIMITS")
    }
}
