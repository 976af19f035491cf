import Foundation
import Logging
import ServiceLifecycle
import SQLKit

extension PledgeService {
    /// Settles every challenge that ended more than `grace` ago and is not settled yet (the
    /// grace lets a removal within it still give its accrual back first). Returns how many.
    func settleDue(grace: TimeInterval) async throws -> Int {
        let due = try await db.reader.select().columns(ChallengeRecord.columns.map { SQLColumn($0) }).from("challenges")
            .where("ends_at", .lessThan, SQLBind(clock.now().addingTimeInterval(-grace))).where("settled_at", .is, SQLLiteral.null)
            .all(decoding: ChallengeRecord.self)
        var settled = 0
        for challenge in due {
            _ = try await settle(challenge)
            settled += 1
        }
        return settled
    }
}

/// Settles ended challenges in the background of `serve`, every `interval`.
struct ChallengeSettlementService: Service {
    let pledges: PledgeService
    let started: StartupGate
    let grace: TimeInterval
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            guard (try? await started.wait()) != nil else { return }
            while !Task.isCancelled {
                do {
                    let settled = try await pledges.settleDue(grace: grace)
                    if settled > 0 { logger.info("settled ended challenges", metadata: ["count": "\(settled)"]) }
                } catch {
                    logger.warning("challenge settlement failed; will retry", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
