import GoodcastCore
import Testing

@Suite("Payout details")
struct PayoutDetailsTests {
    @Test("valid IBANs are normalised: spaces dropped, upper-cased", arguments: [
        ("GB82WEST12345698765432", "GB82WEST12345698765432"),
        ("FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606"),
        ("de89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        ("NO9386011117947", "NO9386011117947"),
        ("LC55HEMM000100010012001200023015", "LC55HEMM000100010012001200023015"),
    ])
    func validIBANs(_ typed: String, _ normalised: String) throws {
        #expect(try PayoutDetails.iban(typed) == normalised)
    }

    @Test("an IBAN with a wrong check digit, length, country code or character is refused", arguments: [
        "GB82WEST12345698765431",    // one digit off
        "GB28WEST12345698765432",    // check digits swapped
        "DE89370400440532013001",
        "FR1420041010050500013M0260",
        "GB82WEST1234",              // too short
        "GB82WEST12345698765432123456789012345", // too long
        "1282WEST12345698765432",    // no country code
        "GBXXWEST12345698765432",    // no check digits
        "GB82-WEST-1234-5698-7654-32",
        "",
    ])
    func invalidIBANs(_ typed: String) {
        #expect(throws: ValidationIssue.self) { try PayoutDetails.iban(typed) }
    }

    @Test("a refused IBAN names the field and never repeats the number")
    func ibanMessage() {
        do {
            _ = try PayoutDetails.iban("GB82WEST12345698765431")
            Issue.record("expected a validation issue")
        } catch {
            #expect(error.field == "iban")
            #expect(error.message.contains("check digits"))
            #expect(!error.message.contains("98765431"))
        }
    }

    @Test("ABA routing numbers have a 3-7-1 check digit")
    func routingNumbers() throws {
        #expect(try PayoutDetails.routingNumber(" 011000015 ") == "011000015")
        #expect(try PayoutDetails.routingNumber("021000021") == "021000021")
        for bad in ["011000016", "01100001", "0110000150", "01100001a", "", nil] as [String?] {
            #expect(throws: ValidationIssue.self) { try PayoutDetails.routingNumber(bad) }
        }
    }

    @Test("US account numbers are 4 to 17 digits")
    func accountNumbers() throws {
        #expect(try PayoutDetails.accountNumber("6789") == "6789")
        #expect(try PayoutDetails.accountNumber("12345678901234567") == "12345678901234567")
        for bad in ["678", "123456789012345678", "12-3456", "abcd", nil] as [String?] {
            #expect(throws: ValidationIssue.self) { try PayoutDetails.accountNumber(bad) }
        }
    }

    @Test("only the last 4 characters are shown")
    func masking() throws {
        let iban = try PayoutDetails(accountHolder: " Youth Music ", iban: "FR76 3000 6000 0112 3456 7890 189", routingNumber: nil, accountNumber: nil)
        #expect(iban.accountHolder == "Youth Music")
        #expect(iban.method == .iban)
        #expect(iban.masked == "IBAN FR76 •••• 0189")
        #expect(iban.storedAccount == "FR7630006000011234567890189")
        let us = try PayoutDetails(accountHolder: "UNICEF USA", iban: nil, routingNumber: "011000015", accountNumber: "123456789")
        #expect(us.method == .usBank)
        #expect(us.masked == "US •••• 6789")
        #expect(us.storedAccount == "011000015:123456789")
        // Printing or dumping the details shows the masked form only.
        for text in ["\(us)", String(describing: us), String(reflecting: us), { var out = ""; dump(us, to: &out); return out }()] {
            #expect(!text.contains("123456789"))
            #expect(!text.contains("011000015"))
        }
        #expect(!"\(iban)".contains("600001123456"))
    }

    @Test("stored details read back into the same value")
    func stored() throws {
        let us = try PayoutDetails(accountHolder: "UNICEF USA", iban: nil, routingNumber: "011000015", accountNumber: "123456789")
        #expect(PayoutDetails(accountHolder: "UNICEF USA", method: "us_bank", storedAccount: us.storedAccount) == us)
        #expect(PayoutDetails(accountHolder: "X", method: "cheque", storedAccount: "1") == nil)
        #expect(PayoutDetails(accountHolder: "X", method: "us_bank", storedAccount: "1") == nil)
    }

    @Test("a holder and exactly one kind of account are needed; every problem is reported")
    func choices() {
        func fields(_ holder: String?, _ iban: String?, _ routing: String?, _ number: String?) -> [String] {
            do {
                _ = try PayoutDetails(accountHolder: holder, iban: iban, routingNumber: routing, accountNumber: number)
                return []
            } catch {
                return error.issues.map(\.field)
            }
        }
        #expect(fields(nil, nil, nil, nil) == ["accountHolder", "iban"])
        #expect(fields("A", "GB82WEST12345698765432", "011000015", "1234") == ["iban"])
        #expect(fields("A", nil, "011000015", nil) == ["accountNumber"])
        #expect(fields("A", nil, "011000016", "12") == ["routingNumber", "accountNumber"])
        #expect(fields("  ", "GB82WEST12345698765432", nil, nil) == ["accountHolder"])
        #expect(fields("A", "GB82WEST12345698765432", nil, nil) == [])
    }
}

@Suite("Nonprofit profile updates")
struct NonprofitProfileUpdateTests {
    @Test("fields left out stay unchanged; the others follow the application's rules")
    func partial() throws {
        let none = try NonprofitProfileUpdate(description: nil, website: nil, causes: nil)
        #expect(none.isEmpty)
        let update = try NonprofitProfileUpdate(description: "  Music for\nevery child ", website: "youthmusic.org.uk", causes: ["community", "arts-and-music", "community"])
        #expect(update.description == .some("Music for\nevery child"))
        #expect(update.website == "https://youthmusic.org.uk")
        #expect(update.causes == [.artsAndMusic, .community])
        let websiteOnly = try NonprofitProfileUpdate(description: nil, website: "https://example.org", causes: nil)
        #expect(websiteOnly.description == nil && websiteOnly.causes == nil)
    }

    @Test("a blank description clears it")
    func clear() throws {
        let update = try NonprofitProfileUpdate(description: "   ", website: nil, causes: nil)
        #expect(update.description == .some(nil))
        #expect(!update.isEmpty)
    }

    @Test("every problem is reported at once, named by field")
    func invalid() {
        do {
            _ = try NonprofitProfileUpdate(description: String(repeating: "a", count: 2001), website: "nope", causes: ["cats", "dogs"])
            Issue.record("expected validation issues")
        } catch {
            #expect(error.issues.map(\.field) == ["website", "description", "causes", "causes"])
        }
        #expect(throws: ValidationIssues.self) { try NonprofitProfileUpdate(description: nil, website: "", causes: nil) }
        #expect(throws: ValidationIssues.self) { try NonprofitProfileUpdate(description: nil, website: nil, causes: []) }
        #expect(throws: ValidationIssues.self) {
            try NonprofitProfileUpdate(description: nil, website: nil, causes: ["hunger", "education", "environment", "animals", "community", "arts-and-music"])
        }
    }
}
