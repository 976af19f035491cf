import Foundation
import GoodcastCore
import Logging

/// What the `goodcast` command line does against the database, without a server.
public struct AppCommands: Sendable {
    let services: AppServices

    /// Opens the configured database and migrates it; call `shutdown()` when done. A command reads
    /// the in-process sandbox's books, which a running server may be appending to; one that
    /// charges (the demo's seeding) asks to append to them.
    public static func open(_ config: AppConfig, logger: Logger, appendingSandboxBooks: Bool = false) async throws -> AppCommands {
        let databases = try DatabaseSetup.makeDatabases(config.database, logger: logger)
        try await DatabaseSetup.migrate(databases, logger: logger)
        return AppCommands(services: try await AppServices(
            config: config, databases: databases, clock: .system, logger: logger, sandboxBooks: appendingSandboxBooks ? .append(wait: .seconds(5)) : .read
        ))
    }

    public func shutdown() async {
        await services.db.shutdown()
        // `serve --demo` seeds through these services, then serves: its server takes the books next.
        services.sandboxBooks?.close()
    }

    /// Opens the services, runs `body`, and always shuts them down.
    public static func with<T>(_ config: AppConfig, logger: Logger, appendingSandboxBooks: Bool = false, _ body: (AppCommands) async throws -> T) async throws -> T {
        let commands = try await open(config, logger: logger, appendingSandboxBooks: appendingSandboxBooks)
        do {
            let value = try await body(commands)
            await commands.shutdown()
            return value
        } catch {
            await commands.shutdown()
            throw error
        }
    }

    /// Creates a platform admin, or promotes an existing account with that handle.
    public func createAdmin(handle: String, email: String, password: String) async throws -> (id: UUID, created: Bool) {
        if let existing = try await services.accounts.find(handle: handle.lowercased()) {
            try await services.accounts.setRole(.platformAdmin, for: existing.id)
            return (existing.id, false)
        }
        let account = try await services.accountService.signUp(handle: handle, email: email, password: password, displayName: nil, role: .platformAdmin)
        return (account.id, true)
    }

    /// Checks every money invariant, and every charge the processor made: the in-process
    /// sandbox's as its books have them (unless it keeps none).
    /// `settling`: see `LedgerVerifier.settling`; zero (strict) once no server takes gifts.
    public func verifyLedger(settling: TimeInterval = 0) async throws -> (clean: Bool, checked: [String], violations: [String]) {
        let inMemory = services.config.processor == .inProcessSandbox && services.config.sandboxBooksPath == nil
        let processor: (any PaymentProcessor)? = inMemory ? nil : services.processor
        let report = try await LedgerVerifier(db: services.db, processor: processor, settling: settling).run()
        return (report.isClean, report.checked, report.violations)
    }

    /// Settles the pledges of challenges that ended more than the removal grace ago. With the
    /// in-process sandbox, `serve`'s background task settles: the sponsors' refunds go through
    /// the sandbox that holds the books, and a running server holds them.
    public func settleChallenges() async throws -> Int {
        guard services.config.processor != .inProcessSandbox else {
            throw ConfigError(setting: "STRIPE_SECRET_KEY", message: "is unset: with the in-process sandbox, `goodcast serve` settles ended challenges itself")
        }
        return try await services.pledges.settleDue(grace: services.config.pledgeRules.removalGrace)
    }

    /// Brings the analytics roll-ups up to date (every day from the first raw row with
    /// `rebuild`); returns the days recomputed and the figures stored.
    public func rollUpAnalytics(rebuild: Bool) async throws -> (days: Int, figures: Int) {
        let outcome = try await services.analytics.rollup.run(rebuild: rebuild)
        return (outcome.days, outcome.figures)
    }

    /// Pays out what is owed for the period (today by default); returns one line per payout.
    public func runPayouts(period: String?) async throws -> [String] {
        var day: String?
        if let period {
            do {
                day = try services.payouts.period(named: period, field: "period")
            } catch {
                throw ConfigError(setting: "--period", message: error.message)
            }
        }
        return try await services.payouts.run(period: day).map {
            "\($0.period) nonprofit \($0.nonprofit_id.lowercasedString) \(MoneyFormat.format($0.money, language: "en"))"
        }
    }

    public func seedDemo() async throws -> DemoSeed.Result {
        // The demo's gifts are charged: with the sandbox's books held by a running server, their
        // charges would live only in this process, and no later refund or `ledger verify` would find them.
        if services.config.processor == .inProcessSandbox, services.config.sandboxBooksPath != nil, services.sandboxBooks == nil {
            throw ConfigError(setting: "GOODCAST_SANDBOX_BOOKS", message: "(the sandbox's books) is held by a running `goodcast serve` on this data directory: stop it to seed, or start it with --demo")
        }
        return try await DemoSeed(services: services).run()
    }
}
