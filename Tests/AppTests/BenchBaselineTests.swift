@testable import App
import Foundation
import SQLKit
import Testing

@Suite("The donations benchmark's database baselines")
struct BenchBaselineTests {
    @Test("the bare database baselines write each key's donation once, alone or through group commit, into balanced books",
          arguments: DatabaseKind.enabled)
    func bareDatabaseWrites(_ kind: DatabaseKind) async throws {
        try await withTestApp(kind) { app in
            let (fundraiser, written, rows) = try await app.withCommands { commands in
                let fixture = try await commands.benchmarkFixture()
                var written = 0
                for _ in 0..<2 {
                    if try await commands.writeDonationRows(fundraiser: fixture.fundraiser, donor: fixture.donors[0].id, amount: 500, key: "alone") { written += 1 }
                }
                // Twenty calls at once, two per key (and donor): each key's donation is written by one.
                written += try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<20 {
                        group.addTask {
                            try await commands.writeDonationRowsGrouped(fundraiser: fixture.fundraiser, donor: fixture.donors[index % 10 % 3].id, amount: 500,
                                                                        key: "grouped-\(index % 10)")
                        }
                    }
                    return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
                struct Count: Decodable { let count: Int }
                let rows = try await commands.services.db.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "count").from("donations")
                    .where("fundraiser_id", .equal, SQLBind(fixture.fundraiser)).first(decoding: Count.self)?.count
                return (fixture.fundraiser.uuidString.lowercased(), written, rows)
            }
            #expect(written == 11)
            #expect(rows == 11)
            let totals = try await app.fundraiser(fundraiser)
            #expect(totals["donors"] as? Int == 3, "\(totals)")
            // Eleven gifts of 5.00, less the processor's fee on each (2.9% of 5.00 + 0.30 = 0.445, rounded to 0.45).
            let raised: Int64 = 11 * (500 - 45)
            #expect(money(totals["raised"]) == raised, "\(totals)")
            try await app.verifyLedger()
        }
    }
}
