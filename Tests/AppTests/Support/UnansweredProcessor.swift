@testable import App
import Foundation
import GoodcastCore

/// The test's sandbox, but one kind of answer never comes back: the state a crash (or a lost
/// connection) between the processor's work and Goodcast's commit leaves; or its search lags.
/// Only answers are taken away; the processor itself is the real in-process sandbox.
struct UnansweredProcessor: PaymentProcessor {
    enum Loses: Sendable {
        /// Refunds are made, then their answer is lost.
        case refundsAfterMaking
        /// Refunds are never made: the request is lost on its way.
        case refundsBeforeMaking
        /// Refunds are refused (the processor declines them).
        case refundsDeclined
        /// Charges are never made: the request is lost on its way (a crash before the processor was asked).
        case chargesBeforeMaking
        /// The search by metadata finds nothing yet (Stripe's can lag); the list of charges is whole.
        case searchLags
    }

    let inner: SandboxProcessor
    let loses: Loses
    var name: String { inner.name }

    func charge(_ request: ChargeRequest) async throws(PaymentFailure) -> ProcessorCharge {
        if loses == .chargesBeforeMaking { throw .outcomeUnknown("the request was lost") }
        return try await inner.charge(request)
    }

    func refund(chargeID: String, amount: Money, idempotencyKey: String) async throws(PaymentFailure) -> ProcessorRefund {
        if loses == .refundsBeforeMaking { throw .outcomeUnknown("the request was lost") }
        if loses == .refundsDeclined { throw .declined(code: "refund_declined", message: "the processor refused the refund") }
        let made = try await inner.refund(chargeID: chargeID, amount: amount, idempotencyKey: idempotencyKey)
        if loses == .refundsAfterMaking { throw .outcomeUnknown("the answer was lost") }
        return made
    }

    func findCharge(metadata key: String, value: String) async throws(PaymentFailure) -> ProcessorCharge? {
        loses == .searchLags ? nil : try await inner.findCharge(metadata: key, value: value)
    }

    func allCharges() async throws(PaymentFailure) -> [ProcessorCharge] { try await inner.allCharges() }
    func charge(id: String) async throws(PaymentFailure) -> ProcessorCharge? { try await inner.charge(id: id) }
    func charges(createdSince since: Date) async throws(PaymentFailure) -> [ProcessorCharge] { try await inner.charges(createdSince: since) }
}

extension AppServices {
    /// The app's refunds, through another processor (one that loses or refuses answers) or clock.
    func refunds(through processor: any PaymentProcessor, clock: AppClock = .system) -> RefundService {
        RefundService(db: db, clock: clock, donations: donations.donations, idempotency: IdempotencyStore(db: db), processor: processor, logger: db.logger)
    }
}
