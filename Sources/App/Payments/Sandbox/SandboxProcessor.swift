import Foundation
import GoodcastCore

/// The sandbox used in-process (`goodcast serve` with no processor configured): calls the
/// bank directly, no HTTP.
struct SandboxProcessor: PaymentProcessor {
    let bank: SandboxBank
    /// How long an unanswered charge (`tok_timeout`) keeps the caller waiting before it gives up.
    var noAnswerWait: Duration = .seconds(2)
    let name = "sandbox"

    func charge(_ request: ChargeRequest) async throws(PaymentFailure) -> ProcessorCharge {
        let outcome: SandboxBank.Outcome
        do {
            outcome = try await bank.createIntent(amount: request.amount, token: request.token, idempotencyKey: request.idempotencyKey, metadata: request.metadata)
        } catch {
            throw Self.failure(error)
        }
        switch outcome {
        case .succeeded(let intent): return Self.charge(intent)
        case .declined(_, let code, let message): throw .declined(code: code, message: message)
        case .noAnswer:
            try? await Task.sleep(for: noAnswerWait)
            throw .outcomeUnknown("the processor did not answer")
        }
    }

    func refund(chargeID: String, amount: Money, idempotencyKey: String) async throws(PaymentFailure) -> ProcessorRefund {
        do {
            return try await bank.refund(intentID: chargeID, amount: amount.amount, idempotencyKey: idempotencyKey)
        } catch {
            throw Self.failure(error)
        }
    }

    func findCharge(metadata key: String, value: String) async throws(PaymentFailure) -> ProcessorCharge? {
        await bank.search(metadataKey: key, value: value).first(where: { $0.status == .succeeded }).map(Self.charge)
    }

    func charge(id: String) async throws(PaymentFailure) -> ProcessorCharge? {
        await bank.intent(id).map(Self.charge)
    }

    func allCharges() async throws(PaymentFailure) -> [ProcessorCharge] {
        try await charges(createdSince: Date(timeIntervalSince1970: 0))
    }

    func charges(createdSince since: Date) async throws(PaymentFailure) -> [ProcessorCharge] {
        var result: [ProcessorCharge] = []
        var after: String?
        while true {
            let page = await bank.list(after: after, createdSince: Int(since.timeIntervalSince1970), limit: 100)
            result += page.items.filter { $0.status == .succeeded }.map(Self.charge)
            guard page.hasMore, let last = page.items.last else { return result }
            after = last.id
        }
    }

    static func charge(_ intent: SandboxBank.Intent) -> ProcessorCharge {
        ProcessorCharge(id: intent.id, amount: intent.amount, fee: intent.fee, succeeded: intent.status == .succeeded, metadata: intent.metadata,
                        created: Date(timeIntervalSince1970: TimeInterval(intent.created)))
    }

    static func failure(_ error: SandboxBank.Failure) -> PaymentFailure {
        switch error {
        case .invalid(let message): .rejected(message)
        case .idempotencyMismatch: .idempotencyConflict
        case .notFound(let message): .rejected(message)
        }
    }
}
