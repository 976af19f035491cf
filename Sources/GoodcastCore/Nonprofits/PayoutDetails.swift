/// Where a nonprofit's payouts go: an account holder and either an IBAN or a US bank account.
///
/// The full account number is kept only for paying out; everything that shows or logs a
/// `PayoutDetails` gets `masked` (its `description` and `debugDescription` are masked too).
public struct PayoutDetails: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public static let holderMax = 70

    public enum Method: String, Codable, Sendable, CaseIterable {
        case iban
        case usBank = "us_bank"
    }

    public enum Account: Sendable, Equatable {
        /// Normalised: no spaces, upper case.
        case iban(String)
        case usBank(routingNumber: String, accountNumber: String)
    }

    public let accountHolder: String
    public let account: Account

    /// Checks what was typed: a holder, and an IBAN or a routing and account number (not both).
    public init(accountHolder: String?, iban: String?, routingNumber: String?, accountNumber: String?) throws(ValidationIssues) {
        var issues = ValidationIssues()
        let holder = issues.check { () throws(ValidationIssue) in
            try TextSanitizer.required(accountHolder, field: "accountHolder", max: Self.holderMax)
        }
        var account: Account?
        switch (iban, routingNumber, accountNumber) {
        case (let iban?, nil, nil):
            account = issues.check { () throws(ValidationIssue) in .iban(try Self.iban(iban)) }
        case (nil, nil, nil):
            issues.add("iban", "send an IBAN, or a US routingNumber and accountNumber")
        case (nil, let routing, let number):
            let routing = issues.check { () throws(ValidationIssue) in try Self.routingNumber(routing) }
            let number = issues.check { () throws(ValidationIssue) in try Self.accountNumber(number) }
            if let routing, let number { account = .usBank(routingNumber: routing, accountNumber: number) }
        case (.some, _, _):
            issues.add("iban", "send either an IBAN or a US routingNumber and accountNumber, not both")
        }
        try issues.throwIfAny()
        self.accountHolder = holder!
        self.account = account!
    }

    /// Details read back from storage (checked when they were set, so not checked again).
    public init?(accountHolder: String, method: String, storedAccount: String) {
        switch Method(rawValue: method) {
        case .iban:
            account = .iban(storedAccount)
        case .usBank:
            let parts = storedAccount.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else { return nil }
            account = .usBank(routingNumber: String(parts[0]), accountNumber: String(parts[1]))
        case nil:
            return nil
        }
        self.accountHolder = accountHolder
    }

    public var method: Method {
        switch account {
        case .iban: .iban
        case .usBank: .usBank
        }
    }

    /// What storage keeps: the normalised IBAN, or `routing:account`.
    public var storedAccount: String {
        switch account {
        case .iban(let iban): iban
        case .usBank(let routing, let number): "\(routing):\(number)"
        }
    }

    /// Safe to show: "IBAN FR76 •••• 0189" (country and check digits, then the last 4),
    /// "US •••• 6789" (the account number's last 4).
    public var masked: String {
        switch account {
        case .iban(let iban): "IBAN \(iban.prefix(4)) •••• \(iban.suffix(4))"
        case .usBank(_, let number): "US •••• \(number.suffix(4))"
        }
    }

    public var description: String { "\(accountHolder), \(masked)" }
    public var debugDescription: String { "PayoutDetails(\(description))" }
    public var customMirror: Mirror { Mirror(self, children: ["accountHolder": accountHolder, "masked": masked]) }

    // MARK: the rules of each field

    public static let ibanLengths = 15...34

    /// An IBAN (ISO 13616): spaces dropped, upper-cased, a country code, check digits, and
    /// the mod-97 check. Messages never repeat the number.
    public static func iban(_ raw: String?, field: String = "iban") throws(ValidationIssue) -> String {
        guard let raw else { throw ValidationIssue(field: field, message: "is required") }
        let text = String(raw.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init)).uppercased()
        guard !text.isEmpty else { throw ValidationIssue(field: field, message: "must not be empty") }
        guard text.utf8.allSatisfy({ isASCIIDigit($0) || isASCIIUpper($0) }) else {
            throw ValidationIssue(field: field, message: "may contain only letters A-Z and digits")
        }
        guard ibanLengths.contains(text.utf8.count) else {
            throw ValidationIssue(field: field, message: "must be \(ibanLengths.lowerBound) to \(ibanLengths.upperBound) letters and digits (got \(text.utf8.count))")
        }
        let bytes = Array(text.utf8)
        guard isASCIIUpper(bytes[0]), isASCIIUpper(bytes[1]) else {
            throw ValidationIssue(field: field, message: "must start with a two-letter country code, such as GB or FR")
        }
        guard isASCIIDigit(bytes[2]), isASCIIDigit(bytes[3]) else {
            throw ValidationIssue(field: field, message: "must have two check digits after the country code")
        }
        guard mod97(bytes[4...] + bytes[..<4]) == 1 else {
            throw ValidationIssue(field: field, message: "is not a valid IBAN: its check digits do not match (look for a typo)")
        }
        return text
    }

    /// ISO 7064 MOD 97-10 over the IBAN's characters, letters counting A = 10 ... Z = 35:
    /// the remainder is carried from one small integer chunk to the next, so it never overflows.
    static func mod97(_ bytes: some Sequence<UInt8>) -> Int {
        var remainder = 0
        for byte in bytes {
            if isASCIIDigit(byte) {
                remainder = (remainder * 10 + Int(byte - UInt8(ascii: "0"))) % 97
            } else {
                remainder = (remainder * 100 + Int(byte - UInt8(ascii: "A")) + 10) % 97
            }
        }
        return remainder
    }

    /// A 9-digit ABA routing number whose weighted digits (3, 7, 1, repeated) sum to a multiple of 10.
    public static func routingNumber(_ raw: String?, field: String = "routingNumber") throws(ValidationIssue) -> String {
        guard let raw else { throw ValidationIssue(field: field, message: "is required with accountNumber") }
        let text = raw.trimmingWhitespace()
        guard text.utf8.count == 9, text.utf8.allSatisfy(isASCIIDigit) else {
            throw ValidationIssue(field: field, message: "must be the 9 digits of an ABA routing number")
        }
        let weights = [3, 7, 1, 3, 7, 1, 3, 7, 1]
        let sum = zip(text.utf8, weights).reduce(0) { $0 + Int($1.0 - UInt8(ascii: "0")) * $1.1 }
        guard sum % 10 == 0 else {
            throw ValidationIssue(field: field, message: "is not a valid ABA routing number: its check digit does not match (look for a typo)")
        }
        return text
    }

    public static let accountNumberLengths = 4...17

    /// A US bank account number: 4 to 17 digits.
    public static func accountNumber(_ raw: String?, field: String = "accountNumber") throws(ValidationIssue) -> String {
        guard let raw else { throw ValidationIssue(field: field, message: "is required with routingNumber") }
        let text = raw.trimmingWhitespace()
        guard accountNumberLengths.contains(text.utf8.count), text.utf8.allSatisfy(isASCIIDigit) else {
            throw ValidationIssue(field: field, message: "must be \(accountNumberLengths.lowerBound) to \(accountNumberLengths.upperBound) digits")
        }
        return text
    }

    private static func isASCIIDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    private static func isASCIIUpper(_ byte: UInt8) -> Bool { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) }
}
