import Foundation
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
