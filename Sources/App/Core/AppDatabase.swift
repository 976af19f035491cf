import FluentKit
import Logging
import SQLKit

/// The application's handle on its database: SQLKit for queries, Fluent for transactions.
public struct AppDatabase: Sendable {
    public let databases: Databases
    let logger: Logger

    public init(databases: Databases, logger: Logger) {
        self.databases = databases
        self.logger = logger
    }

    public var fluent: any Database {
        databases.database(logger: logger, on: databases.eventLoopGroup.any())!
    }

    public var sql: any SQLDatabase { fluent as! any SQLDatabase }

    public var isPostgres: Bool { sql.dialect.name == "postgresql" }

    /// Runs `body` in one transaction; SQLKit statements inside use the `SQLDatabase` passed in.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await fluent.transaction { db in try await body(db as! any SQLDatabase) }
    }
}

extension Error {
    /// A unique or foreign-key constraint refused the write, on either engine.
    var isConstraintViolation: Bool {
        (self as? any DatabaseError)?.isConstraintFailure ?? false
    }
}

/// `CAST(SUM(column) AS BIGINT)`: PostgreSQL sums BIGINT into NUMERIC; money stays Int64.
func sqlSum(_ column: String) -> any SQLExpression {
    SQLList([SQLRaw("CAST(SUM("), SQLColumn(column), SQLRaw(") AS BIGINT)")], separator: SQLRaw(""))
}
