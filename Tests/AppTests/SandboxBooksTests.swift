@testable import App
import Foundation
import GoodcastCore
import Testing

@Suite("The in-process sandbox's books")
struct SandboxBooksTests {
    /// A sandbox on the books at `path`, as `goodcast serve` opens it.
    private static func open(_ path: String, _ access: SandboxBooks.Access = .append(wait: .zero)) throws
        -> (processor: SandboxProcessor, bank: SandboxBank, unreadable: Int, books: SandboxBooks?) {
        let loaded = try SandboxBooks.load(path: path, access: access)
        let bank = SandboxBank(events: SandboxEvents(), books: loaded.books, lines: loaded.lines)
        return (SandboxProcessor(bank: bank, noAnswerWait: .zero), bank, loaded.unreadable, loaded.books)
    }

    private static func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("goodcast-books-\(UUID().uuidString)")
    }

    private static func request(_ cents: Int64, _ token: String, key: String, note: String = "a") -> ChargeRequest {
        ChargeRequest(amount: Money(cents, .usd), token: token, idempotencyKey: key, description: "test", metadata: ["note": note])
    }

    @Test("a restarted sandbox knows every payment, refund, dispute and key it made before")
    func restart() async throws {
        let folder = Self.folder()
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
        first.books?.close()

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

    @Test("a restarted sandbox sends the disputes that changed in the last three days again, closes too, under the ids they were first sent with: one may have been queued when it stopped")
    func disputesSentAgain() async throws {
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sandbox-books.jsonl").path
        let now = Int(Date().timeIntervalSince1970)
        let firstLoad = try SandboxBooks.load(path: path, access: .append(wait: .zero))
        // A charge of ten days ago whose dispute closed a minute ago, as older books hold it.
        let old = SandboxBooks.Line(id: "pi_old", amount: 500, currency: "USD", fee: 45, token: "tok_visa", metadata: [:], created: now - 10 * 86_400,
                                    status: "succeeded", refunded: 0, disputed: true, disputeOpened: "evt_old_open", disputeClosed: "evt_old_close",
                                    disputeOutcome: "lost", disputeChanged: now - 60)
        try firstLoad.books?.append(old)
        let firstEvents = SandboxEvents()
        let firstBank = SandboxBank(events: firstEvents, books: firstLoad.books, lines: firstLoad.lines + [old])
        let processor = SandboxProcessor(bank: firstBank, noAnswerWait: .zero)
        let open = try await processor.charge(Self.request(700, "tok_dispute", key: "k-open"))
        let won = try await processor.charge(Self.request(900, "tok_dispute", key: "k-won"))
        _ = try await processor.charge(Self.request(800, "tok_visa", key: "k-paid"))
        try await firstBank.dispute(intentID: won.id, closeAs: true)
        // A charge is disputed once: opening or closing it again sends the same event again.
        try await firstBank.dispute(intentID: open.id, closeAs: nil)
        try await firstBank.dispute(intentID: won.id, closeAs: false)
        firstLoad.books?.close()
        firstEvents.finish()
        var first: [SandboxEvents.Event] = []
        for await event in firstEvents.stream where event.type.hasPrefix("charge.dispute.") { first.append(event) }
        #expect(first.map(\.type) == ["charge.dispute.created", "charge.dispute.created", "charge.dispute.closed", "charge.dispute.created", "charge.dispute.closed"])
        #expect(first[3].id == first[0].id && first[4].id == first[2].id)
        #expect(String(decoding: first[4].payload, as: UTF8.self).contains(#""status":"won""#))

        let loaded = try SandboxBooks.load(path: path, access: .append(wait: .zero))
        defer { loaded.books?.close() }
        let events = SandboxEvents()
        let bank = SandboxBank(events: events, books: loaded.books, lines: loaded.lines)
        #expect(await bank.resendDisputes(since: now + 10) == 0)
        #expect(await bank.resendDisputes(since: now - 3 * 86_400) == 3)
        events.finish()
        var sent: [SandboxEvents.Event] = []
        for await event in events.stream { sent.append(event) }
        // The same events as before the restart, as a processor's retries are: the server,
        // which deduplicates by event id, takes those it has had as duplicates.
        #expect(sent.map(\.type) == ["charge.dispute.created", "charge.dispute.closed"] + first.prefix(3).map(\.type))
        #expect(sent.map(\.id) == ["evt_old_open", "evt_old_close"] + first.prefix(3).map(\.id))
        let payloads = sent.map { String(decoding: $0.payload, as: UTF8.self) }
        #expect(payloads[1].contains(#""payment_intent":"pi_old""#) && payloads[1].contains(#""status":"lost""#), "\(payloads[1])")
        #expect(payloads[2].contains(#""payment_intent":"\#(open.id)""#), "\(payloads[2])")
        #expect(payloads[4].contains(#""payment_intent":"\#(won.id)""#) && payloads[4].contains(#""status":"won""#), "\(payloads[4])")
    }

    @Test("a line cut short by a crash is left out, and the lines written after it are read")
    func tornLine() async throws {
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sandbox-books.jsonl").path

        let first = try Self.open(path)
        let kept = try await first.processor.charge(Self.request(1_000, "tok_visa", key: "k-1"))
        first.books?.close()
        // What a write cut short would leave: the start of a line (each begins with its newline).
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(("\n" + #"{"id":"pi_cut","amount":10"#).utf8))
        try handle.close()

        let second = try Self.open(path)
        #expect(second.unreadable == 1)
        let later = try await second.processor.charge(Self.request(2_000, "tok_visa", key: "k-2"))
        second.books?.close()

        let third = try Self.open(path)
        #expect(third.unreadable == 1)
        #expect(await third.bank.list(after: nil, limit: 100).items.map(\.id) == [kept.id, later.id])
    }

    @Test("one process appends at a time: another reads the books and keeps its own payments in memory; a write that fails refuses the payment")
    func oneWriter() async throws {
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sandbox-books.jsonl").path
        // A command that only reads makes no file.
        #expect(try Self.open(path, .read).books == nil)
        #expect(!FileManager.default.fileExists(atPath: path))

        let server = try Self.open(path)
        #expect(server.books != nil)
        let paid = try await server.processor.charge(Self.request(1_000, "tok_visa", key: "k-1"))
        // A command run beside the server: it sees the server's charge, and what it makes stays its own.
        let command = try Self.open(path, .read)
        #expect(command.books == nil)
        #expect(try await command.processor.charge(id: paid.id)?.amount == paid.amount)
        let own = try await command.processor.charge(Self.request(3_000, "tok_visa", key: "k-command"))
        #expect(try await Self.open(path, .read).bank.intent(own.id) == nil)
        // A second server waits, then reads them and keeps its own payments in memory.
        #expect(try Self.open(path, .append(wait: .milliseconds(100))).books == nil)
        // Once the server has closed them, the next process takes them.
        server.books?.close()
        let next = try Self.open(path)
        #expect(next.books != nil)
        #expect(await next.bank.intents.count == 1)
        // Books that can no longer be written: the payment is refused and nothing changes.
        next.books?.close()
        await #expect(throws: PaymentFailure.self) { try await next.processor.charge(Self.request(2_000, "tok_visa", key: "k-2")) }
        #expect(await next.bank.intents.count == 1)
    }

    @Test("intents are listed in the order they were made, even from a file whose lines are not")
    func order() async throws {
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("sandbox-books.jsonl").path
        func line(_ id: String, _ created: Int) -> String {
            #"{"id":"\#(id)","amount":500,"currency":"USD","fee":45,"token":"tok_visa","metadata":{},"created":\#(created),"status":"succeeded","refunded":0,"disputed":false}"#
        }
        try [line("pi_b", 200), line("pi_a", 100), line("pi_c", 300), line("pi_a", 100)].joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let books = try Self.open(path)
        #expect(await books.bank.list(after: nil, limit: 10).items.map(\.id) == ["pi_a", "pi_b", "pi_c"])
        #expect(await books.bank.list(after: nil, createdSince: 150, limit: 10).items.map(\.id) == ["pi_b", "pi_c"])
        #expect(await books.bank.list(after: "pi_a", limit: 1).items.map(\.id) == ["pi_b"])
    }
}
