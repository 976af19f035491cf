import App
import ArgumentParser
import Foundation
import Hummingbird
import Logging

@main
struct Goodcast: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "goodcast",
        abstract: "The Goodcast server: LIVE fundraisers, challenges and donor stories.",
        subcommands: [Serve.self, Admin.self, Demo.self, Migrate.self, LedgerCommand.self, PayoutsCommand.self, ChallengesCommand.self, AnalyticsCommand.self, SandboxProcessorCommand.self],
        defaultSubcommand: Serve.self
    )
}

/// Settings shared by every command: the same as `serve` reads.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory for the SQLite file (GOODCAST_DATA_DIR, default ./.goodcast).")
    var dataDir: String?

    func config() throws -> AppConfig {
        var env = ProcessInfo.processInfo.environment
        if let dataDir { env["GOODCAST_DATA_DIR"] = dataDir }
        var dotEnvAndProcess = try AppConfig.fromProcess()
        if dataDir != nil {
            let fromArgs = try AppConfig.fromEnvironment(env)
            dotEnvAndProcess.dataDirectory = fromArgs.dataDirectory
            dotEnvAndProcess.database = fromArgs.database
        }
        return dotEnvAndProcess
    }

    /// Opens the application's services as `serve` would, runs `body`, and always shuts them down.
    func withCommands<T>(_ body: (AppCommands) async throws -> T) async throws -> T {
        let config = try config()
        return try await AppCommands.with(config, logger: logger(config), body)
    }

    func logger(_ config: AppConfig) -> Logger {
        var logger = Logger(label: "goodcast")
        logger.logLevel = config.logLevel
        return logger
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the web server (migrates the database first).")

    @OptionGroup var common: CommonOptions
    @Option(name: .long, help: "Address to listen on (GOODCAST_HOSTNAME, default 127.0.0.1).") var hostname: String?
    @Option(name: .shortAndLong, help: "Port (GOODCAST_PORT, default 8080; 0 picks a free one).") var port: Int?
    @Flag(name: .long, help: "Fill an empty database with demo data first.") var demo = false

    func run() async throws {
        var config = try common.config()
        try config.checkForServing()
        if let hostname { config.hostname = hostname }
        if let port { config.port = port }
        let logger = common.logger(config)
        if demo {
            let result = try await AppCommands.with(config, logger: logger, appendingSandboxBooks: true) { try await $0.seedDemo() }
            Demo.report(result)
        }
        let host = config.hostname
        let app = try await buildApplication(config, logger: logger, onStarted: { port in
            print("Goodcast is running at http://\(host):\(port)  (Ctrl-C to stop)")
            // Flushed at once, so that the URL reaches a pipe (a supervisor, a test) immediately.
            fflush(nil)
        })
        try await runUntilSignalled(app, config: config, logger: logger)
    }
}

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage platform admins.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a platform admin (or promote an existing handle).")
        @OptionGroup var common: CommonOptions
        @Option(help: "Handle of the admin.") var handle: String
        @Option(help: "Email of the admin.") var email: String
        @Option(help: "Password (at least 10 characters); GOODCAST_ADMIN_PASSWORD if omitted.") var password: String?

        func run() async throws {
            let config = try common.config()
            guard let password = password ?? ProcessInfo.processInfo.environment["GOODCAST_ADMIN_PASSWORD"] else {
                throw ValidationError("give --password or set GOODCAST_ADMIN_PASSWORD")
            }
            do {
                let result = try await AppCommands.with(config, logger: common.logger(config)) { try await $0.createAdmin(handle: handle, email: email, password: password) }
                print(result.created ? "Created platform admin @\(handle.lowercased()) (\(result.id))" : "Promoted @\(handle.lowercased()) to platform admin")
            } catch let problem as Problem {
                throw ValidationError(problem.detail)
            }
        }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Fill an empty database with demo data.")
    @OptionGroup var common: CommonOptions

    func run() async throws {
        let config = try common.config()
        let result = try await AppCommands.with(config, logger: common.logger(config), appendingSandboxBooks: true) { try await $0.seedDemo() }
        Self.report(result)
    }

    static func report(_ result: DemoSeed.Result) {
        if result.seeded {
            print("Demo data added. Admin: @\(result.adminHandle) / \(result.adminPassword)")
            print("Creators: \(result.creators.map { "@\($0)" }.joined(separator: ", ")) / \(result.creatorPassword)")
        } else {
            print("The database already has accounts; demo data was not added.")
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run pending migrations and exit.")
    @OptionGroup var common: CommonOptions

    func run() async throws {
        let config = try common.config()
        let commands = try await AppCommands.open(config, logger: common.logger(config))
        await commands.shutdown()
        print("Migrations are up to date.")
    }
}


struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ledger", abstract: "Check the money.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check every ledger invariant; exit non-zero with a report on any violation.")
        @OptionGroup var common: CommonOptions
        @Option(name: .long, help: "Beside a server taking gifts: leave out charges without their donation, and donations whose charge the processor lacks, younger than this many seconds; they may still be settling (reconciliation writes a charge's donation once it is GOODCAST_RECONCILE_AFTER_SECONDS old, every minute: 120 covers the default).")
        var settleSeconds = 0

        func run() async throws {
            guard settleSeconds >= 0 else { throw ValidationError("--settle-seconds must be 0 or more") }
            let result: (clean: Bool, checked: [String], violations: [String]) = try await common.withCommands { commands in
                try await commands.verifyLedger(settling: TimeInterval(settleSeconds))
            }
            for line in result.checked { print("checked: \(line)") }
            if result.clean {
                print("ledger verify: clean")
            } else {
                for line in result.violations { print("VIOLATION: \(line)") }
                print("ledger verify: \(result.violations.count) violation(s)")
                throw ExitCode(1)
            }
        }
    }
}

struct SandboxProcessorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox-processor",
        abstract: "Run the sandbox payment processor: Stripe's API subset with test tokens and signed webhooks."
    )
    @Option(name: .long, help: "Address to listen on.") var hostname = "127.0.0.1"
    @Option(name: .shortAndLong, help: "Port (0 picks a free one).") var port = 12111
    @Option(name: .long, help: "Where to deliver webhooks, e.g. http://127.0.0.1:8080/api/v1/payments/webhooks/stripe") var webhookURL: String?
    @Option(name: .long, help: "Secret that signs webhooks (STRIPE_WEBHOOK_SECRET of the server).") var webhookSecret = "whsec_sandbox"
    @Option(name: .long, help: "Fee rate in basis points.") var feeBasisPoints: Int64 = 290
    @Option(name: .long, help: "Fixed fee in hundredths of a major unit.") var feeFixed: Int64 = 30
    @Option(name: .long, help: "Chance (0-1) that a webhook is delivered twice.") var duplicateRate = 0.2

    func run() async throws {
        var logger = Logger(label: "sandbox-processor")
        logger.logLevel = .info
        let host = hostname
        let app = SandboxServer.build(
            .init(hostname: hostname, port: port, webhookURL: webhookURL, webhookSecret: webhookSecret,
                  fees: .init(basisPoints: feeBasisPoints, fixedHundredths: feeFixed), duplicateRate: duplicateRate),
            logger: logger
        ) { port in
            print("Sandbox processor at http://\(host):\(port)  (tokens: tok_visa, tok_chargeDeclined, tok_insufficientFunds, tok_timeout, tok_dispute)")
            fflush(nil)
        }
        try await app.runService()
    }
}

struct PayoutsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "payouts", abstract: "Pay nonprofits what they are owed.", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pay out every balance above the minimum, once per period however often it runs.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The period, as a day (YYYY-MM-DD); today (UTC) by default.") var period: String?

        func run() async throws {
            let lines: [String] = try await common.withCommands { commands in try await commands.runPayouts(period: period) }
            lines.forEach { print($0) }
            print("\(lines.count) payout(s) made")
        }
    }
}

struct ChallengesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "challenges", abstract: "Hashtag challenges.", subcommands: [Settle.self])

    struct Settle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Settle the pledges of challenges that ended more than GOODCAST_PLEDGE_REMOVAL_GRACE_HOURS ago: the unspent budget goes back to each sponsor."
        )
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let settled: Int = try await common.withCommands { commands in try await commands.settleChallenges() }
            print("\(settled) challenge(s) settled")
        }
    }
}

struct AnalyticsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "analytics", abstract: "Nonprofit analytics.", subcommands: [Rollup.self])

    struct Rollup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bring the daily analytics roll-ups up to date (`serve` also does it every GOODCAST_ANALYTICS_ROLLUP_SECONDS)."
        )
        @OptionGroup var common: CommonOptions
        @Flag(help: "Recompute every day from the first recorded event, not only the days changed since the last run.")
        var rebuild = false

        func run() async throws {
            let outcome: (days: Int, figures: Int) = try await common.withCommands { commands in try await commands.rollUpAnalytics(rebuild: rebuild) }
            print("\(outcome.days) day(s) rolled up, \(outcome.figures) figure(s) stored")
        }
    }
}
