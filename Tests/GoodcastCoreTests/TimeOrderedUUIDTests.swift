import Foundation
import GoodcastCore
import PropertyBased
import Testing

@Suite("Time-ordered UUIDs")
struct TimeOrderedUUIDTests {
    @Test("version 7 and RFC 9562's variant, carrying the millisecond they were made")
    func layout() async {
        await propertyCheck(input: Gen.int(in: 0...4_102_444_800_000)) { milliseconds in
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            let id = UUID.timeOrdered(at: date)
            let text = id.uuidString
            #expect(Array(text)[14] == "7")
            #expect("89AB".contains(Array(text)[19]))
            let made = try #require(id.timeOrderedMilliseconds)
            #expect(abs(Int(made) - milliseconds) <= 1)
        }
    }

    @Test("ids of a later millisecond sort after earlier ones, as bytes and as text")
    func ordered() async {
        await propertyCheck(input: Gen.int(in: 0...4_000_000_000_000), Gen.int(in: 1...100_000)) { start, gap in
            let earlier = UUID.timeOrdered(at: Date(timeIntervalSince1970: Double(start) / 1000))
            let later = UUID.timeOrdered(at: Date(timeIntervalSince1970: Double(start + gap) / 1000))
            #expect(earlier < later)
            #expect(earlier.uuidString < later.uuidString)
        }
    }

    @Test("ids of the same millisecond are distinct, and random UUIDs are not taken for time-ordered ones")
    func distinct() {
        let now = Date()
        let ids = (0..<10_000).map { _ in UUID.timeOrdered(at: now) }
        #expect(Set(ids).count == ids.count)
        #expect(UUID(uuidString: "6ba7b810-9dad-41d1-80b4-00c04fd430c8")!.timeOrderedMilliseconds == nil)
    }
}
