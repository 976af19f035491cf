@testable import App
import Foundation
import Testing

@Suite("The donations benchmark's database baselines")
struct BenchBaselineTests {
    @Test("the bare database baselines write each key's donation once, alone or through group commit, into balanced books",
          arguments: DatabaseKind.enabled)
    func bareDatabaseWrites(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let fundraiser = try await app.withCommands { commands in
                let fixture = try await commands.benchmarkFixture()
                let donor = fixture.donors[0].id
                for _ in 0..<2 {
                    try await commands.writeDonationRows(fundraiser: fixture.fundraiser, donor: donor, amount: 500, key: "alone")
                }
                // Twenty concurrent calls, two per key: they share the writer's transactions.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<20 {
                        group.addTask {
                            try await commands.writeDonationRowsGrouped(fundraiser: fixture.fundraiser, donor: fixture.donors[index % 10 % 3].id, amount: 500, key: "grouped-\(index % 10)")
                        }
                    }
                    try await group.waitForAll()
                }
                return fixture.fundraiser.uuidString.lowercased()
            }
            let totals = try await app.fundraiser(fundraiser)
            #expect(totals["donors"] as? Int == 3, "\(totals)")
            // Eleven gifts of 5.00, less the processor's fee on each (2.9% + 0.30 = 0.45).
            let raised: Int64 = 11 * (500 - 45)
            #expect(money(totals["raised"]) == raised, "\(totals)")
            try await app.verifyLedger()
        }
    }
}
