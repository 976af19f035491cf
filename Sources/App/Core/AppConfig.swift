import Foundation
import GoodcastCore
import Logging

/// Every setting Goodcast reads, in one typed place. Sources, strongest first: the command
/// line (applied by the caller), the environment, a `.env` file, then these defaults,
/// each of which works on a laptop with no set-up.
public struct AppConfig: Sendable {
    public enum Database: Sendable, Equatable {
        /// A SQLite file; `path == nil` means an in-memory database (tests only).
        case sqlite(path: String?)
        case postgres(url: String)

        /// The SQLite file, if the engine is one (an in-memory database has none).
        var sqliteFile: String? {
            if case .sqlite(let path?) = self { return path }
            return nil
        }
    }

    public var hostname: String = "127.0.0.1"
    public var port: Int = 8080
    public var dataDirectory: String = "./.goodcast"
    public var database: Database = .sqlite(path: nil)
    public var logLevel: Logger.Level = .info
    /// Largest JSON or form body accepted, in bytes; larger bodies get 413.
    public var maxBodyBytes: Int = 1 << 20
    /// bcrypt's work factor. 12 in production; tests lower it to stay fast.
    public var bcryptCost: Int = 12
    /// Sign-in attempts allowed per account, and per client address, per window.
    public var signInLimitPerAccount: Int = 10
    public var signInLimitPerAddress: Int = 100
    public var signInWindowSeconds: Int = 900
    /// Sign-ups (API and page) allowed per client address per window.
    public var signUpLimitPerAddress: Int = 20
    public var signUpWindowSeconds: Int = 3600
    /// Payments started per account per window: donations, tickets and pledges together. Only a
    /// new Idempotency-Key counts: a retry of one already used is always answered.
    public var donationLimitPerAccount: Int = 600
    public var donationWindowSeconds: Int = 60
    /// Video and story uploads (API and pages) allowed per account per window.
    public var uploadLimitPerAccount: Int = 30
    public var uploadWindowSeconds: Int = 3600
    /// Lifetime of a page session and of an API token, in seconds.
    public var sessionLifetimeSeconds: Int = 30 * 24 * 3600
    /// Set `Secure` on cookies; turn on behind HTTPS.
    public var secureCookies: Bool = false
    /// Run pending migrations at start-up.
    public var autoMigrate: Bool = true

    public enum Processor: Sendable, Equatable {
        /// The sandbox bank inside the server process: no set-up, nothing leaves the machine.
        case inProcessSandbox
        /// Stripe's API (or `goodcast sandbox-processor`, which speaks the same) at `baseURL`.
        case stripe(baseURL: String, secretKey: String, name: String)
    }

    public var processor: Processor = .inProcessSandbox
    /// Secret that signs the processor's webhooks (Stripe's `whsec_...`).
    public var webhookSecret: String = "whsec_sandbox"
    /// How long to wait for the processor before the outcome counts as unknown.
    public var processorTimeoutSeconds: Int = 20
    /// Fee the in-process sandbox charges: basis points and hundredths of a major unit.
    public var sandboxFee = FeeSchedule.standard
    /// How long an unanswered sandbox charge (`tok_timeout`) keeps the caller waiting.
    public var sandboxNoAnswerSeconds: Int = 2
    /// The file where the in-process sandbox keeps its books across restarts (`SandboxBooks`);
    /// nil keeps them in memory. From the environment: `<dataDirectory>/sandbox-books.jsonl`.
    public var sandboxBooksPath: String?

    /// How the in-process sandbox delivers its webhooks to this server.
    public enum SandboxWebhooks: String, Sendable, Equatable {
        /// Straight to the webhook handler: signed and checked the same, no loopback HTTP.
        case inProcess = "in-process"
        /// A POST to this server's own webhook URL, as Stripe sends them.
        case http
    }

    public var sandboxWebhooks: SandboxWebhooks = .inProcess
    public var donationLimits = DonationLimits.standard
    /// Pending donations and refunds older than this are settled with the processor's answer.
    public var reconcileAfterSeconds: Int = 30
    /// How long SIGTERM waits for open requests and feeds before cancelling them.
    public var shutdownGraceSeconds: Int = 10
    /// Concurrent donations share durable commits (see `WriteBatcher`).
    public var groupCommit: Bool = true
    /// Smallest payout, in hundredths of a major unit of its currency (1000 = 10.00).
    public var payoutMinimumHundredths: Int = 1000
    /// How often a live's broadcaster looks for events other nodes wrote (its own node's
    /// commits wake it at once).
    public var feedPollMilliseconds: Int = 250
    /// The shortest gap between two reads of a live's log: gifts committed meanwhile go out together.
    public var feedBatchMilliseconds: Int = 20
    /// Events a viewer may have waiting before it is told to resync and disconnected.
    public var feedMaxPending: Int = 2048
    /// How often viewer counts are shared between nodes and sent to viewers.
    public var feedViewersSeconds: Int = 5
    /// Largest video upload, in bytes; larger ones get 413.
    public var maxVideoBytes: Int = 100 << 20
    /// Where uploaded media is kept; `<dataDirectory>/media` when nil.
    public var mediaDirectory: String?
    /// Probe uploads and make poster frames with ffprobe and ffmpeg when they are on the PATH.
    public var useFFmpeg: Bool = true
    /// When a video counts for a per-video pledge (account age, videos per creator per day,
    /// removal grace).
    public var pledgeRules = PledgeRules()
    /// How often counted views are written in one batch.
    public var viewsFlushMilliseconds: Int = 200
    /// Ad credits each impression of a promoted challenge or live costs.
    public var adCreditsPerImpression: Int = 1
    /// How often counted impressions are charged to their promotions.
    public var impressionsChargeSeconds: Int = 2
    /// How often `serve` brings the analytics roll-ups up to date.
    public var analyticsRollupSeconds: Int = 300

    /// The media folder in effect.
    public var mediaPath: String { mediaDirectory ?? (dataDirectory as NSString).appendingPathComponent("media") }

    public init() {}

    /// The default configuration with the given environment applied on top.
    public static func fromEnvironment(_ env: [String: String]) throws -> AppConfig {
        var config = AppConfig()
        if let value = env["GOODCAST_HOSTNAME"] { config.hostname = value }
        if let value = env["GOODCAST_PORT"] { config.port = try int(value, "GOODCAST_PORT", 0...65535) }
        if let value = env["GOODCAST_DATA_DIR"], !value.isEmpty { config.dataDirectory = value }
        if let value = env["DATABASE_URL"], !value.isEmpty {
            guard value.hasPrefix("postgres://") || value.hasPrefix("postgresql://") else {
                throw ConfigError(setting: "DATABASE_URL", message: "must be a postgres:// URL (leave it unset for SQLite)")
            }
            config.database = .postgres(url: value)
        } else {
            config.database = .sqlite(path: (config.dataDirectory as NSString).appendingPathComponent("goodcast.sqlite"))
        }
        if let value = env["GOODCAST_LOG_LEVEL"] {
            guard let level = Logger.Level(rawValue: value.lowercased()) else {
                throw ConfigError(setting: "GOODCAST_LOG_LEVEL", message: "must be one of trace, debug, info, notice, warning, error, critical")
            }
            config.logLevel = level
        }
        if let value = env["GOODCAST_MAX_BODY_BYTES"] { config.maxBodyBytes = try int(value, "GOODCAST_MAX_BODY_BYTES", 1024...(1 << 30)) }
        if let value = env["GOODCAST_BCRYPT_COST"] { config.bcryptCost = try int(value, "GOODCAST_BCRYPT_COST", 4...31) }
        if let value = env["GOODCAST_SIGNIN_LIMIT_ACCOUNT"] { config.signInLimitPerAccount = try int(value, "GOODCAST_SIGNIN_LIMIT_ACCOUNT", 1...1_000_000) }
        if let value = env["GOODCAST_SIGNIN_LIMIT_ADDRESS"] { config.signInLimitPerAddress = try int(value, "GOODCAST_SIGNIN_LIMIT_ADDRESS", 1...1_000_000) }
        if let value = env["GOODCAST_SIGNIN_WINDOW_SECONDS"] { config.signInWindowSeconds = try int(value, "GOODCAST_SIGNIN_WINDOW_SECONDS", 1...86_400) }
        if let value = env["GOODCAST_SIGNUP_LIMIT_PER_ADDRESS"] { config.signUpLimitPerAddress = try int(value, "GOODCAST_SIGNUP_LIMIT_PER_ADDRESS", 1...1_000_000) }
        if let value = env["GOODCAST_SIGNUP_WINDOW_SECONDS"] { config.signUpWindowSeconds = try int(value, "GOODCAST_SIGNUP_WINDOW_SECONDS", 1...86_400) }
        if let value = env["GOODCAST_DONATION_LIMIT_PER_ACCOUNT"] { config.donationLimitPerAccount = try int(value, "GOODCAST_DONATION_LIMIT_PER_ACCOUNT", 1...1_000_000_000) }
        if let value = env["GOODCAST_DONATION_WINDOW_SECONDS"] { config.donationWindowSeconds = try int(value, "GOODCAST_DONATION_WINDOW_SECONDS", 1...86_400) }
        if let value = env["GOODCAST_UPLOAD_LIMIT_PER_ACCOUNT"] { config.uploadLimitPerAccount = try int(value, "GOODCAST_UPLOAD_LIMIT_PER_ACCOUNT", 1...1_000_000) }
        if let value = env["GOODCAST_UPLOAD_WINDOW_SECONDS"] { config.uploadWindowSeconds = try int(value, "GOODCAST_UPLOAD_WINDOW_SECONDS", 1...86_400) }
        if let value = env["GOODCAST_SESSION_SECONDS"] { config.sessionLifetimeSeconds = try int(value, "GOODCAST_SESSION_SECONDS", 60...(365 * 86_400)) }
        if let value = env["GOODCAST_SECURE_COOKIES"] { config.secureCookies = try bool(value, "GOODCAST_SECURE_COOKIES") }
        if let value = env["GOODCAST_AUTO_MIGRATE"] { config.autoMigrate = try bool(value, "GOODCAST_AUTO_MIGRATE") }
        if let key = env["STRIPE_SECRET_KEY"], !key.isEmpty {
            let base = env["STRIPE_API_BASE"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.stripe.com"
            config.processor = .stripe(baseURL: base.hasSuffix("/") ? String(base.dropLast()) : base, secretKey: key, name: env["GOODCAST_PROCESSOR_NAME"] ?? "stripe")
        }
        if let value = env["STRIPE_WEBHOOK_SECRET"], !value.isEmpty { config.webhookSecret = value }
        if let value = env["GOODCAST_PROCESSOR_TIMEOUT_SECONDS"] { config.processorTimeoutSeconds = try int(value, "GOODCAST_PROCESSOR_TIMEOUT_SECONDS", 1...600) }
        if let value = env["GOODCAST_SANDBOX_FEE_BPS"] { config.sandboxFee.basisPoints = Int64(try int(value, "GOODCAST_SANDBOX_FEE_BPS", 0...5000)) }
        if let value = env["GOODCAST_SANDBOX_FEE_FIXED"] { config.sandboxFee.fixedHundredths = Int64(try int(value, "GOODCAST_SANDBOX_FEE_FIXED", 0...10_000)) }
        if let value = env["GOODCAST_SANDBOX_WEBHOOKS"] {
            guard let delivery = SandboxWebhooks(rawValue: value.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw ConfigError(setting: "GOODCAST_SANDBOX_WEBHOOKS", message: "must be in-process or http, got '\(value)'")
            }
            config.sandboxWebhooks = delivery
        }
        config.sandboxBooksPath = (config.dataDirectory as NSString).appendingPathComponent("sandbox-books.jsonl")
        if let value = env["GOODCAST_SANDBOX_BOOKS"] {
            let path = value.trimmingCharacters(in: .whitespaces)
            config.sandboxBooksPath = path.isEmpty || path == "memory" ? nil : path
        }
        if let value = env["GOODCAST_SANDBOX_NO_ANSWER_SECONDS"] { config.sandboxNoAnswerSeconds = try int(value, "GOODCAST_SANDBOX_NO_ANSWER_SECONDS", 0...600) }
        if let value = env["GOODCAST_RECONCILE_AFTER_SECONDS"] { config.reconcileAfterSeconds = try int(value, "GOODCAST_RECONCILE_AFTER_SECONDS", 1...86_400) }
        if let value = env["GOODCAST_SHUTDOWN_GRACE_SECONDS"] { config.shutdownGraceSeconds = try int(value, "GOODCAST_SHUTDOWN_GRACE_SECONDS", 1...3600) }
        if let value = env["GOODCAST_GROUP_COMMIT"] { config.groupCommit = try bool(value, "GOODCAST_GROUP_COMMIT") }
        if let value = env["GOODCAST_PAYOUT_MINIMUM"] { config.payoutMinimumHundredths = try int(value, "GOODCAST_PAYOUT_MINIMUM", 0...100_000_000) }
        if let value = env["GOODCAST_FEED_POLL_MS"] { config.feedPollMilliseconds = try int(value, "GOODCAST_FEED_POLL_MS", 10...3_600_000) }
        if let value = env["GOODCAST_FEED_BATCH_MS"] { config.feedBatchMilliseconds = try int(value, "GOODCAST_FEED_BATCH_MS", 0...1000) }
        if let value = env["GOODCAST_FEED_MAX_PENDING"] { config.feedMaxPending = try int(value, "GOODCAST_FEED_MAX_PENDING", 8...1_000_000) }
        if let value = env["GOODCAST_FEED_VIEWERS_SECONDS"] { config.feedViewersSeconds = try int(value, "GOODCAST_FEED_VIEWERS_SECONDS", 1...3600) }
        if let value = env["GOODCAST_DONATION_LIMITS"], !value.isEmpty { config.donationLimits = try limits(value) }
        if let value = env["GOODCAST_MAX_VIDEO_BYTES"] { config.maxVideoBytes = try int(value, "GOODCAST_MAX_VIDEO_BYTES", 1024...(8 << 30)) }
        if let value = env["GOODCAST_MEDIA_DIR"], !value.isEmpty { config.mediaDirectory = value }
        if let value = env["GOODCAST_FFMPEG"] { config.useFFmpeg = try bool(value, "GOODCAST_FFMPEG") }
        if let value = env["GOODCAST_PLEDGE_MIN_ACCOUNT_DAYS"] {
            config.pledgeRules.minimumAccountAge = TimeInterval(try int(value, "GOODCAST_PLEDGE_MIN_ACCOUNT_DAYS", 0...3650)) * 86_400
        }
        if let value = env["GOODCAST_PLEDGE_PER_CREATOR_PER_DAY"] { config.pledgeRules.perCreatorPerDay = try int(value, "GOODCAST_PLEDGE_PER_CREATOR_PER_DAY", 1...1000) }
        if let value = env["GOODCAST_PLEDGE_REMOVAL_GRACE_HOURS"] {
            config.pledgeRules.removalGrace = TimeInterval(try int(value, "GOODCAST_PLEDGE_REMOVAL_GRACE_HOURS", 0...8760)) * 3600
        }
        if let value = env["GOODCAST_AD_CREDITS_PER_IMPRESSION"] { config.adCreditsPerImpression = try int(value, "GOODCAST_AD_CREDITS_PER_IMPRESSION", 1...1_000_000) }
        if let value = env["GOODCAST_IMPRESSIONS_CHARGE_SECONDS"] { config.impressionsChargeSeconds = try int(value, "GOODCAST_IMPRESSIONS_CHARGE_SECONDS", 1...3600) }
        if let value = env["GOODCAST_ANALYTICS_ROLLUP_SECONDS"] { config.analyticsRollupSeconds = try int(value, "GOODCAST_ANALYTICS_ROLLUP_SECONDS", 1...86_400) }
        if let value = env["GOODCAST_VIEWS_FLUSH_MS"] { config.viewsFlushMilliseconds = try int(value, "GOODCAST_VIEWS_FLUSH_MS", 10...60_000) }
        return config
    }

    /// The process environment over a `.env` file in the working directory, if there is one.
    public static func fromProcess() throws -> AppConfig {
        var env = DotEnv.read(path: ".env")
        env.merge(ProcessInfo.processInfo.environment) { _, process in process }
        return try fromEnvironment(env)
    }

    private static func int(_ value: String, _ name: String, _ range: ClosedRange<Int>) throws -> Int {
        guard let number = Int(value.trimmingCharacters(in: .whitespaces)), range.contains(number) else {
            throw ConfigError(setting: name, message: "must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(value)'")
        }
        return number
    }

    /// `USD:100-1000000,JPY:100-1500000`: minor units per currency.
    private static func limits(_ value: String) throws -> DonationLimits {
        var limits = DonationLimits.standard
        for item in value.split(separator: ",") {
            let parts = item.split(separator: ":")
            let bounds = parts.count == 2 ? parts[1].split(separator: "-").compactMap { Int64($0) } : []
            guard parts.count == 2, bounds.count == 2, bounds[0] > 0, bounds[0] <= bounds[1],
                  let currency = Currency.supported[parts[0].uppercased()] else {
                throw ConfigError(setting: "GOODCAST_DONATION_LIMITS", message: "must look like USD:100-1000000,EUR:100-1000000 (minor units)")
            }
            // Totals of many gifts, and goal progress in percent, must stay far inside Int64.
            guard bounds[1] <= maxDonationLimit else {
                throw ConfigError(setting: "GOODCAST_DONATION_LIMITS", message: "a gift may be at most \(maxDonationLimit) minor units, got \(bounds[1]) for \(currency.code)")
            }
            limits.ranges[currency.code] = bounds[0]...bounds[1]
        }
        return limits
    }

    /// What `serve` needs beyond the other commands: with Stripe, a webhook secret of its own.
    /// The default one is in the source: with it, anyone could sign a "payment succeeded" of
    /// their own and have it recorded, totalled and paid out.
    public func checkForServing() throws {
        guard case .stripe(let base, _, _) = processor else { return }
        // A `goodcast sandbox-processor` on this machine may sign with the sandbox's secret.
        let local = ["http://127.0.0.1", "http://localhost", "http://[::1]"].contains { base == $0 || base.hasPrefix($0 + ":") || base.hasPrefix($0 + "/") }
        if webhookSecret == AppConfig().webhookSecret && !local {
            throw ConfigError(setting: "STRIPE_WEBHOOK_SECRET", message: "is unset or the sandbox's public secret: set the webhook endpoint's signing secret (whsec_…) from Stripe's dashboard, which tells its events from forged ones")
        }
    }

    /// The largest gift a limit may allow: 10,000,000,000 minor units (100,000,000.00 USD).
    static let maxDonationLimit: Int64 = 10_000_000_000

    private static func bool(_ value: String, _ name: String) throws -> Bool {
        switch value.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigError(setting: name, message: "must be true or false, got '\(value)'")
        }
    }
}

public struct ConfigError: Error, CustomStringConvertible {
    public let setting: String
    public let message: String
    public var description: String { "\(setting) \(message)" }
}

/// `KEY=value` lines; `#` comments; optional quotes. Enough for local overrides.
enum DotEnv {
    static func read(path: String) -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            var value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == value.last, first == "\"" || first == "'" {
                value = String(value.dropFirst().dropLast())
            }
            values[key] = value
        }
        return values
    }
}
