import FluentKit
import Foundation
import GoodcastCore
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Everything a request handler may need, built once per application.
public struct AppServices: Sendable {
    public let config: AppConfig
    public let db: AppDatabase
    public let clock: AppClock
    let accounts: AccountStore
    let accountService: AccountService
    let nonprofits: NonprofitService
    let pages: PageRenderer

    init(config: AppConfig, databases: Databases, clock: AppClock, logger: Logger) async throws {
        self.config = config
        self.clock = clock
        db = AppDatabase(databases: databases, logger: logger)
        accounts = AccountStore(db: db, clock: clock)
        accountService = AccountService(
            store: accounts,
            hasher: PasswordHasher(cost: UInt8(config.bcryptCost)),
            perAccountLimiter: RateLimiter(limit: config.signInLimitPerAccount, windowSeconds: config.signInWindowSeconds, clock: clock),
            perAddressLimiter: RateLimiter(limit: config.signInLimitPerAddress, windowSeconds: config.signInWindowSeconds, clock: clock),
            sessionLifetime: TimeInterval(config.sessionLifetimeSeconds)
        )
        nonprofits = NonprofitService(store: NonprofitStore(db: db, clock: clock), accounts: accounts)
        pages = try await PageRenderer.load()
    }
}

/// Builds the application that `goodcast serve` runs and every test drives.
public func buildApplication(
    _ config: AppConfig,
    clock: AppClock = .system,
    logger: Logger? = nil,
    onStarted: (@Sendable (Int) async -> Void)? = nil
) async throws -> some ApplicationProtocol {
    var configuredLogger = logger ?? Logger(label: "goodcast")
    configuredLogger.logLevel = config.logLevel
    let logger = configuredLogger
    _ = AppMetrics.registry

    let databases = try DatabaseSetup.makeDatabases(config.database, logger: logger)
    let services = try await AppServices(config: config, databases: databases, clock: clock, logger: logger)
    let router = buildRouter(services)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(config.hostname, port: config.port), serverName: "Goodcast"),
        services: [DatabasesService(databases: databases, logger: logger)],
        onServerRunning: { channel in await onStarted?(channel.localAddress?.port ?? 0) },
        logger: logger
    )
    let autoMigrate = config.autoMigrate
    app.beforeServerStarts {
        if autoMigrate {
            try await DatabaseSetup.migrate(databases, logger: logger)
        } else {
            try await DatabaseSetup.applyDurability(services.db.fluent)
        }
    }
    return app
}

/// Closes the database connections at shutdown, after the server has stopped taking requests.
struct DatabasesService: Service {
    let databases: Databases
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        await databases.shutdownAsync()
        logger.debug("database connections closed")
    }
}
