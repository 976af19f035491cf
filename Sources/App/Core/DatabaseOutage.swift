import AsyncKit
import FluentKit
import FluentPostgresDriver

extension Error {
    /// The database is unreachable or going away (restarting, shutting down, connection cut),
    /// as opposed to a query that was wrong: the request may be retried once it is back, so
    /// the answer is 503 with Retry-After, never 500. Transactions roll back with the
    /// connection, so nothing half-written stays behind.
    var isDatabaseOutage: Bool {
        if (self as? any DatabaseError)?.isConnectionClosed == true { return true }
        if let error = self as? PSQLError {
            switch error.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
                return true
            case .server:
                // Class 08: connection exception; 57P01-57P03: the server is shutting down,
                // crashed or not accepting connections yet (starting up, recovering).
                let state = error.serverInfo?[.sqlState] ?? ""
                return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
            default:
                return false
            }
        }
        return self is ConnectionPoolTimeoutError || self is ConnectionPoolError || self is Deadline.Exceeded
    }
}
