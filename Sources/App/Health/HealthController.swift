import Foundation
import Hummingbird
import Prometheus
import SQLKit

/// `/healthz` (is the database answering?), `/metrics` (Prometheus), `/openapi.json`.
struct OperationsController: Sendable {
    let db: AppDatabase
    let openAPI: ByteBuffer

    struct HealthOutput: ResponseCodable {
        let status: String
        let database: String
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("healthz", use: health)
        router.get("metrics", use: metrics)
        router.get("openapi.json", use: document)
    }

    @Sendable func health(_ request: Request, context: AppRequestContext) async throws -> HealthOutput {
        do {
            try await db.sql.raw("SELECT 1").run()
        } catch {
            context.logger.warning("health check: database unreachable", metadata: ["error": "\(error)"])
            throw Problem(.unavailable, detail: "the database is not answering", headers: [.retryAfter: "5"])
        }
        return HealthOutput(status: "ok", database: db.isPostgres ? "postgresql" : "sqlite")
    }

    @Sendable func metrics(_ request: Request, context: AppRequestContext) async throws -> Response {
        let bytes = AppMetrics.registry.emitToBuffer()
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    @Sendable func document(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: openAPI))
    }
}
