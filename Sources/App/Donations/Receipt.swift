import Foundation
import GoodcastCore

/// What a receipt says about tax, by the nonprofit's country of registration.
enum TaxStatement {
    static func text(country: String) -> String {
        switch country {
        case "US": "No goods or services were provided in exchange for this contribution. Keep this receipt for your tax records."
        case "GB": "No goods or services were provided in exchange for this donation. If you are a UK taxpayer, the charity may be able to claim Gift Aid on it."
        case "FR": "Aucun bien ni service n'a été fourni en échange de ce don. Ce reçu peut ouvrir droit à une réduction d'impôt selon la législation française."
        case "IT": "Nessun bene o servizio è stato fornito in cambio di questa donazione. La ricevuta può essere utile ai fini delle detrazioni fiscali."
        default: "No goods or services were provided in exchange for this donation. Whether it is tax-deductible depends on the law where you pay tax."
        }
    }
}

struct ReceiptOutput: Codable, Sendable {
    let number: String
    let donationId: UUID
    let nonprofit: Nonprofit
    let donor: String
    let amount: MoneyOutput
    /// Refunds made (not those still waiting for the processor).
    let refunded: MoneyOutput
    /// What the nonprofit keeps of the gift: the amount less refunds made and a lost dispute.
    /// This is the figure a tax claim may rest on.
    let kept: MoneyOutput
    let dispute: String
    /// Nothing of the gift is kept (refunded in full, or a dispute lost): not a receipt for tax.
    let void: Bool
    let date: Date
    /// None on a void receipt: nothing of the gift was kept.
    let taxStatement: String?

    struct Nonprofit: Codable, Sendable {
        let id: UUID
        let legalName: String
        let registrationNumber: String
        let country: String
    }
}

/// What a donor's receipt may claim of a gift.
enum ReceiptAmounts {
    /// The gift less refunds made and less what a lost dispute took. An open dispute keeps the
    /// gift on the receipt, flagged, until it is decided.
    static func kept(gross: Int64, refundsMade: Int64, dispute: DonationBalance.DisputeState) -> Int64 {
        dispute == .lost ? 0 : max(0, gross - refundsMade)
    }
}
