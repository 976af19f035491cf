import GoodcastCore
import Testing

@Suite("Nonprofit rules")
struct NonprofitRulesTests {
    @Test("an application is cleaned into values: country upper-cased, causes deduplicated and ordered")
    func validApplication() throws {
        let application = try NonprofitApplication(
            name: "  Youth Music ", country: "gb", registrationNumber: "1075032",
            causes: ["community", "arts-and-music", "community"], website: "youthmusic.org.uk", description: nil
        )
        #expect(application.name == "Youth Music")
        #expect(application.country == "GB")
        #expect(application.causes == [.artsAndMusic, .community])
        #expect(application.website == "https://youthmusic.org.uk")
    }

    @Test("every problem of an application is reported at once")
    func invalidApplication() {
        do {
            _ = try NonprofitApplication(name: "", country: "UK", registrationNumber: nil, causes: ["cats"], website: "nope", description: nil)
            Issue.record("expected validation issues")
        } catch {
            #expect(error.issues.map(\.field) == ["name", "country", "registrationNumber", "website", "causes"])
        }
    }

    @Test("causes come from the fixed list only", arguments: Cause.allCases)
    func causes(_ cause: Cause) throws {
        #expect(try Cause.parse(cause.rawValue.uppercased()) == cause)
    }

    @Test("country codes are ISO 3166-1 alpha-2")
    func countries() throws {
        #expect(CountryCode.all.count == 249)
        #expect(try CountryCode.parse(" it ") == "IT")
        #expect(throws: ValidationIssue.self) { try CountryCode.parse("UK") }
        #expect(throws: ValidationIssue.self) { try CountryCode.parse("GBR") }
    }

    @Test("page language: explicit choice, then Accept-Language by quality, then English")
    func languages() {
        #expect(LanguageNegotiation.pick(choice: nil, acceptLanguage: "fr-CH, fr;q=0.9, en;q=0.8") == "fr")
        #expect(LanguageNegotiation.pick(choice: nil, acceptLanguage: "de-DE, it;q=0.5, fr;q=0.7") == "fr")
        #expect(LanguageNegotiation.pick(choice: "it", acceptLanguage: "fr") == "it")
        #expect(LanguageNegotiation.pick(choice: "de", acceptLanguage: "de") == "en")
        #expect(LanguageNegotiation.pick(choice: nil, acceptLanguage: "fr;q=0, it;q=0.1") == "it")
        #expect(LanguageNegotiation.pick(choice: nil, acceptLanguage: ";;,,q=") == "en")
    }
}

@Suite("Campaign slugs")
struct CampaignSlugTests {
    @Test("a hashtag or a plain word becomes the same lowercase slug; anything else is refused")
    func slugs() throws {
        #expect(try CampaignSlug.parse("#GivingSzn") == "givingszn")
        #expect(try CampaignSlug.parse(" giving-tuesday-2026 ") == "giving-tuesday-2026")
        for bad in [nil, "ab", "-abc", "abc-", "a--b", "giving szn", "gívingszn", String(repeating: "a", count: 41), "#"] as [String?] {
            #expect(throws: ValidationIssue.self) { try CampaignSlug.parse(bad) }
        }
    }
}
