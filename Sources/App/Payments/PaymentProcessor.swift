import Foundation
import GoodcastCore

/// A charge to make. `idempotencyKey` makes a retry of the same charge safe: the processor
/// answers a repeat with the first outcome instead of charging twice.
struct ChargeRequest: Sendable, Equatable {
    let amount: Money
    let token: String
    let idempotencyKey: String
    let description: String
    let metadata: [String: String]
}

/// A charge as the processor reports it.
struct ProcessorCharge: Sendable, Equatable {
    let id: String
    let amount: Money
    let fee: Money
    let succeeded: Bool
    let metadata: [String: String]
    /// When the processor made it, to the second (Stripe's `created`): the same on every replay.
    let created: Date
}

struct ProcessorRefund: Sendable, Equatable {
    let id: String
    let chargeID: String
    let amount: Money
}

enum PaymentFailure: Error, Equatable, Sendable {
    /// The card was refused; nothing was charged.
    case declined(code: String, message: String)
    /// No answer (timeout, connection lost, a 5xx): the charge may or may not have happened.
    /// Retry with the same idempotency key, or reconcile.
    case outcomeUnknown(String)
    /// The processor refused the request itself (unknown token, bad amount).
    case rejected(String)
    /// The idempotency key was first used with other parameters: this request is not the one
    /// that key paid for. Nothing was charged by it.
    case idempotencyConflict
}

/// What Goodcast needs from a card processor: Stripe's PaymentIntents, refunds and lookup.
protocol PaymentProcessor: Sendable {
    /// The name used in ledger accounts (`processor:<name>:receivable`).
    var name: String { get }
    func charge(_ request: ChargeRequest) async throws(PaymentFailure) -> ProcessorCharge
    func refund(chargeID: String, amount: Money, idempotencyKey: String) async throws(PaymentFailure) -> ProcessorRefund
    /// The succeeded charge whose metadata has `value` under `key` (both plain ASCII letters,
    /// digits and dashes); nil if the processor never made one. Stripe's search can lag a minute.
    func findCharge(metadata key: String, value: String) async throws(PaymentFailure) -> ProcessorCharge?
    /// Every succeeded charge, for `ledger verify`.
    func allCharges() async throws(PaymentFailure) -> [ProcessorCharge]
    /// One charge by its id, with its fee; nil if the processor has none of that id.
    func charge(id: String) async throws(PaymentFailure) -> ProcessorCharge?
    /// The succeeded charges made at or after `since` (to the second), for reconciliation.
    func charges(createdSince since: Date) async throws(PaymentFailure) -> [ProcessorCharge]
}
