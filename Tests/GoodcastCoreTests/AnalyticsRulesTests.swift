import Foundation
import GoodcastCore
import PropertyBased
import Testing

@Suite("Analytics days, periods and series")
struct AnalyticsRulesTests {
    @Test("UTC days read and write ISO dates, and agree with Foundation's calendar")
    func days() throws {
        #expect(UTCDay(iso: "1970-01-01")?.number == 0)
        #expect(UTCDay(iso: "2026-11-25")?.iso == "2026-11-25")
        #expect(UTCDay(iso: "2024-02-29") != nil && UTCDay(iso: "2026-02-29") == nil && UTCDay(iso: "2026-02-30") == nil)
        for bad in ["2026-1-05", "26-11-25", "2026-13-01", "2026-00-10", "2026-11-00", "2026/11/25", "２０２６-11-25", "", "2026-11-25T00:00"] {
            #expect(UTCDay(iso: bad) == nil, "\(bad)")
        }
        let date = try Date("2026-11-25T23:59:59Z", strategy: .iso8601)
        #expect(UTCDay(date).iso == "2026-11-25" && UTCDay(date).end.timeIntervalSince(date) == 1)
        #expect(UTCDay(date.addingTimeInterval(1)).iso == "2026-11-26")
        #expect(UTCDay(hour: 24).number == 1 && UTCDay(hour: 23).number == 0 && UTCDay(hour: -1).number == -1)
    }

    @Test("every day from 1900 to 2200 round-trips and matches Foundation's Gregorian calendar")
    func calendar() async {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        await propertyCheck(input: Gen.int(in: -25_567...84_000)) { number in
            let day = UTCDay(number: Int64(number))
            #expect(UTCDay(iso: day.iso) == day)
            let parts = calendar.dateComponents([.year, .month, .day], from: day.start)
            #expect(day.civil.year == Int64(parts.year!) && day.civil.month == Int64(parts.month!) && day.civil.day == Int64(parts.day!))
        }
    }

    @Test("a period defaults to the 28 days ending today and refuses bad ranges")
    func periods() throws {
        let today = UTCDay(iso: "2026-11-25")!
        let standard = try AnalyticsPeriod(from: nil, to: nil, today: today)
        #expect(standard.from.iso == "2026-10-29" && standard.to == today && standard.length == 28)
        #expect(standard.previous.to.iso == "2026-10-28" && standard.previous.length == 28)
        let one = try AnalyticsPeriod(from: "2026-11-01", to: "2026-11-01", today: today)
        #expect(one.days.map(\.iso) == ["2026-11-01"] && one.previous.from.iso == "2026-10-31")
        #expect(try AnalyticsPeriod(from: "2026-11-20", to: nil, today: today).to == today)
        #expect(try AnalyticsPeriod(from: nil, to: "2026-01-28", today: today).from.iso == "2026-01-01")
        func issues(_ from: String?, _ to: String?) -> [String] {
            do { _ = try AnalyticsPeriod(from: from, to: to, today: today); return [] } catch { return error.issues.map(\.field) }
        }
        #expect(issues("yesterday", "2026-13-01") == ["from", "to"])
        #expect(issues("2026-11-02", "2026-11-01") == ["from"])
        #expect(issues("2025-01-01", "2026-11-01") == ["to"])
        #expect(issues("2025-11-25", "2026-11-25") == [])
    }

    @Test("the change against the previous period, in tenths of a percent, rounded half away from zero")
    func change() {
        #expect(PeriodChange(current: 1, previous: 5).percent == "-80.0")
        #expect(PeriodChange(current: 3, previous: 2).percent == "50.0")
        #expect(PeriodChange(current: 2, previous: 3).percent == "-33.3")
        #expect(PeriodChange(current: 1, previous: 3).percent == "-66.7")
        #expect(PeriodChange(current: 10, previous: 0).percent == nil)
        #expect(PeriodChange(current: 0, previous: 7).percent == "-100.0" && PeriodChange(current: 7, previous: 7).percent == "0.0")
        #expect(PeriodChange(current: -50, previous: 100).change == -150)
        #expect(PeriodChange(current: Int64.max, previous: 1).percent == "+∞")
    }

    @Test("a dense series puts each day's values in place, and its total is their sum")
    func series() async {
        let period = try! AnalyticsPeriod(from: "2026-11-01", to: "2026-11-07", today: UTCDay(iso: "2026-11-25")!)
        await propertyCheck(input: Gen.int(in: -3...10).array(of: 0...30), Gen.int(in: -1_000...1_000).array(of: 30...30)) { offsets, values in
            let sparse = zip(offsets, values).map { (period.from.advanced(by: Int64($0)), Int64($1)) }
            let series = DailySeries(metric: .views, period: period, values: sparse)
            #expect(series.values.count == 7)
            let inside = sparse.filter { $0.0 >= period.from && $0.0 <= period.to }
            #expect(series.total == inside.reduce(0) { $0 + $1.1 })
            for (index, value) in series.values.enumerated() {
                #expect(value == inside.filter { $0.0.number == period.from.number + Int64(index) }.reduce(0) { $0 + $1.1 })
            }
        }
    }

    @Test("a donor is new on the day of their first gift and returning on every later day")
    func donors() async {
        await propertyCheck(input: Gen.int(in: 0...5).array(of: 0...12).array(of: 1...10)) { days in
            var history = DonorHistory(earlier: [])
            var seen = Set<String>()
            var newTotal: Int64 = 0
            for donorsOfDay in days {
                let donors = Set(donorsOfDay.map(String.init))
                let (new, returning) = history.classify(day: donors)
                #expect(new == Int64(donors.subtracting(seen).count) && new + returning == Int64(donors.count))
                seen.formUnion(donors)
                newTotal += new
            }
            // Summed over days, new donors count each person exactly once.
            #expect(newTotal == Int64(seen.count))
        }
    }
}
