@testable import App
import Foundation
import GoodcastCore
import Testing

@Suite("The in-process sandbox's books")
struct SandboxBooksTests {
    /// A sandbox on the books at `path`, as `goodcast serve` opens it.
    private static func open(_ path: String) throws -> (processor: SandboxProcessor, bank: SandboxBank, unreadable: Int) {
        let (books, lines, unreadable) = try SandboxBooks.load(path: path)
        let bank = SandboxBank(events: SandboxEvents(), books: books, lines: lines)
        return (SandboxProcessor(bank: bank, noAnswerWait: .zero), bank, unreadable)
    }

    private static func request(_ cents: Int64, _ token: String, key: String, note: String = "a") -> ChargeRequest {
        ChargeRequest(amount: Money(cents, .usd), token: token, idempotencyKey: key, description: "test", metadata: ["note": note])
    }

    @Test("a restarted sandbox knows every payment, refund, dispute and key it made before")
    func restart() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("goodcast-books-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sandbox-books.jsonl").path

        let first = try Self.open(path)
        let paid = try await first.processor.charge(Self.request(1_500, "tok_visa", key: "k-paid"))
        await #expect(throws: PaymentFailure.declined(code: "card_declined", message: "Your card was declined.")) {
            try await first.processor.charge(Self.request(900, "tok_chargeDeclined", key: "k-declined"))
        }
        let disputed = try await first.processor.charge(Self.request(700, "tok_dispute", key: "k-disputed"))
        let refund = try await first.processor.refund(chargeID: paid.id, amount: Money(500, .usd), idempotencyKey: "r-1")
        try await first.bank.dispute(intentID: paid.id, closeAs: nil)
        let before = await first.bank.list(after: nil, limit: 100).items

        let second = try Self.open(path)
        #expect(second.unreadable == 0)
        #expect(await second.bank.list(after: nil, limit: 100).items == before, "the same intents, in the same order, in the same state")
        #expect(await second.bank.intent(disputed.id)?.disputed == true)
        #expect(await second.bank.intent(paid.id)?.refunded == 500)
        // A retry with its key gets its first charge, not a second one; another body under it is refused.
        #expect(try await second.processor.charge(Self.request(1_500, "tok_visa", key: "k-paid")).id == paid.id)
        await #expect(throws: PaymentFailure.idempotencyConflict) {
            try await second.processor.charge(Self.request(1_600, "tok_visa", key: "k-paid"))
        }
        await #expect(throws: PaymentFailure.declined(code: "card_declined", message: "Your card was declined.")) {
            try await second.processor.charge(Self.request(900, "tok_chargeDeclined", key: "k-declined"))
        }
        #expect(await second.bank.intents.count == 3)
        // The refund's key replays it; what was refunded before counts against what is left.
        #expect(try await second.processor.refund(chargeID: paid.id, amount: Money(500, .usd), idempotencyKey: "r-1") == refund)
        await #expect(throws: PaymentFailure.self) {
            try await second.processor.refund(chargeID: paid.id, amount: Money(1_001, .usd), idempotencyKey: "r-2")
        }
        #expect(try await second.processor.findCharge(metadata: "note", value: "a")?.id == paid.id)
        #expect(try await second.processor.allCharges().map(\.id) == [paid.id, disputed.id])
    }

    @Test("a line cut short by a crash is left out, and the lines written after it are read")
    func tornLine() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("goodcast-books-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sandbox-books.jsonl").path

        let first = try Self.open(path)
        let kept = try await first.processor.charge(Self.request(1_000, "tok_visa", key: "k-1"))
        // What a write cut short would leave: half a line, no newline.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"id":"pi_cut","amount":10"#.utf8))
        try handle.close()

        let second = try Self.open(path)
        #expect(second.unreadable == 1)
        let later = try await second.processor.charge(Self.request(2_000, "tok_visa", key: "k-2"))

        let third = try Self.open(path)
        #expect(third.unreadable == 1)
        #expect(await third.bank.list(after: nil, limit: 100).items.map(\.id) == [kept.id, later.id])
    }
}
