import GoodcastCore
import Testing

@Suite("Account rules")
struct AccountRulesTests {
    @Test("handles are lowercased, may start with @, and keep to a-z, 0-9, _ and .")
    func handles() throws {
        #expect(try AccountRules.handle("@RedNoseDay") == "rednoseday")
        #expect(try AccountRules.handle(" chef.luca ") == "chef.luca")
        for bad in ["ab", "_lead", ".dot", "with space", "émile", String(repeating: "a", count: 31), "semi;colon"] {
            #expect(throws: ValidationIssue.self, "\(bad)") { try AccountRules.handle(bad) }
        }
        #expect(throws: ValidationIssue(field: "handle", message: "is required")) { try AccountRules.handle(nil) }
    }

    @Test("emails are trimmed and lowercased; obvious mistakes are refused")
    func emails() throws {
        #expect(try AccountRules.email("  Maya@Example.ORG ") == "maya@example.org")
        for bad in ["", "plain", "a@b", "@example.org", "a@.org", "a@org.", "a b@example.org", "a@b@c.org"] {
            #expect(throws: ValidationIssue.self, "\(bad)") { try AccountRules.email(bad) }
        }
    }

    @Test("passwords: at least 10 characters, at most bcrypt's 72 bytes")
    func passwords() throws {
        #expect(try AccountRules.password("0123456789") == "0123456789")
        #expect(throws: ValidationIssue.self) { try AccountRules.password("012345678") }
        #expect(throws: ValidationIssue.self) { try AccountRules.password(String(repeating: "é", count: 37)) }
    }
}

@Suite("Text")
struct TextTests {
    @Test("control characters and direction overrides are stripped, whitespace trimmed")
    func sanitize() {
        #expect(TextSanitizer.clean("  hello\u{0007} world \u{202E}evil ") == "hello world evil")
        #expect(TextSanitizer.clean("line1\nline2", allowNewlines: true) == "line1\nline2")
        #expect(TextSanitizer.clean("line1\nline2") == "line1 line2")
        #expect(TextSanitizer.clean("Je suis là 🌍") == "Je suis là 🌍")
    }

    @Test("invisible characters go; right-to-left marks, emoji sequences, subdivision flags and joiners stay; text that shows nothing is empty")
    func invisible() throws {
        for invisible in ["\u{200B}", "\u{2060}", "\u{FEFF}", "\u{00AD}", "\u{2066}", "\u{2062}", "\u{E0041}"] {
            #expect(TextSanitizer.clean("a\(invisible)b") == "ab", "\(invisible.unicodeScalars.first!.value)")
            #expect(TextSanitizer.clean(invisible) == "", "\(invisible.unicodeScalars.first!.value)")
        }
        #expect(TextSanitizer.clean("\u{200D}\u{FE0F} \u{200C}\u{200F}") == "", "joiners, marks and a variation selector alone show nothing")
        #expect(try TextSanitizer.optional("\u{200B}\u{200B}", field: "message", max: 280) == nil)
        // Hebrew with a right-to-left mark to place its full stop; Arabic with its letter mark;
        // Persian with a ZWNJ; Arabic's number sign; a family; Scotland's flag; a red heart.
        for kept in ["שלום\u{200F}.", "مرحبا\u{061C} 2026", "می‌خواهم", "\u{0600}١٢٣", "👩‍👩‍👧‍👦", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "❤️"] {
            #expect(TextSanitizer.clean(kept) == kept)
        }
        // Tags outside a flag hide text.
        #expect(TextSanitizer.clean("Sam\u{E0068}\u{E0069}") == "Sam")
    }

    @Test("length is counted in characters a person sees")
    func length() throws {
        #expect(try TextSanitizer.required("👩‍👩‍👧‍👦", field: "f", max: 1) == "👩‍👩‍👧‍👦")
        #expect(throws: ValidationIssue.self) { try TextSanitizer.required("abc", field: "f", max: 2) }
        #expect(throws: ValidationIssue.self) { try TextSanitizer.required(" \u{0001} ", field: "f", max: 2) }
        #expect(try TextSanitizer.optional("   ", field: "f", max: 2) == nil)
    }

    @Test("websites get a scheme and must have a dotted host")
    func websites() throws {
        #expect(try WebAddress.parse("example.org", field: "website") == "https://example.org")
        #expect(try WebAddress.parse("http://www.rednoseday.com/about", field: "website") == "http://www.rednoseday.com/about")
        for bad in ["javascript:alert(1)", "ftp://example.org", "https://localhost", "https://user:pw@example.org", "https://exa mple.org", ""] {
            #expect(throws: ValidationIssue.self, "\(bad)") { try WebAddress.parse(bad, field: "website") }
        }
    }
}
