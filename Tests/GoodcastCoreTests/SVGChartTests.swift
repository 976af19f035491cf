#if canImport(FoundationXML)
import FoundationXML
#endif
import Foundation
import GoodcastCore
import Testing

@Suite("SVG charts")
struct SVGChartTests {
    let week = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29"]

    // MARK: Ticks

    @Test func ticksForSeveralMaxima() {
        #expect(ChartTicks.ticks(upTo: 0) == [0, 1])
        #expect(ChartTicks.ticks(upTo: -40) == [0, 1])
        #expect(ChartTicks.ticks(upTo: 1) == [0, 1])
        #expect(ChartTicks.ticks(upTo: 3) == [0, 1, 2, 3])
        #expect(ChartTicks.ticks(upTo: 7) == [0, 2, 4, 6, 8])
        #expect(ChartTicks.ticks(upTo: 10) == [0, 2, 4, 6, 8, 10])
        #expect(ChartTicks.ticks(upTo: 11) == [0, 5, 10, 15])
        #expect(ChartTicks.ticks(upTo: 100) == [0, 20, 40, 60, 80, 100])
        #expect(ChartTicks.ticks(upTo: 101) == [0, 50, 100, 150])
        #expect(ChartTicks.ticks(upTo: 123_456) == [0, 50_000, 100_000, 150_000])
        #expect(ChartTicks.ticks(upTo: 999_999) == [0, 200_000, 400_000, 600_000, 800_000, 1_000_000])
    }

    @Test func ticksAreFourToSixNiceStepsCoveringTheMaximum() {
        for largest: Int64 in [3, 4, 9, 13, 26, 49, 51, 777, 12_345, 1_000_001, 98_765_432_101] {
            let ticks = ChartTicks.ticks(upTo: largest)
            #expect((4...6).contains(ticks.count), "\(largest): \(ticks)")
            #expect(ticks.last! >= largest)
            var step = ticks[1]
            while step % 10 == 0 { step /= 10 }
            #expect([1, 2, 5].contains(step), "\(largest): \(ticks)")
        }
    }

    @Test func ticksNearInt64MaxDoNotOverflow() {
        #expect(ChartTicks.ticks(upTo: Int64.max / 2) == [0, 1, 2, 3, 4, 5].map { $0 * 1_000_000_000_000_000_000 })
        #expect(ChartTicks.ticks(upTo: Int64.max) == [0, 2, 4, 6, 8].map { $0 * 1_000_000_000_000_000_000 })
        #expect(ChartAxis(largest: .max, kind: .count, language: "en").top == Int64.max)
    }

    // MARK: Labels

    @Test func integersAreGroupedPerLanguage() {
        #expect(ChartFormat.integer(12_345, language: "en") == "12,345")
        #expect(ChartFormat.integer(12_345, language: "fr") == "12\u{202F}345")
        #expect(ChartFormat.integer(12_345, language: "it") == "12.345")
        #expect(ChartFormat.integer(1_234_567, language: "en") == "1,234,567")
        #expect(ChartFormat.integer(999, language: "it") == "999")
        #expect(ChartFormat.integer(0, language: "fr") == "0")
        #expect(ChartFormat.integer(-1_000, language: "en") == "-1,000")
        #expect(ChartFormat.integer(.min, language: "en") == "-9,223,372,036,854,775,808")
    }

    @Test func moneyLabelsUseMoneyFormat() {
        #expect(ChartFormat.value(123_456, kind: .money(.usd), language: "en") == "$1,234.56")
        #expect(ChartFormat.value(123_456, kind: .money(.eur), language: "fr") == "1\u{202F}234,56\u{00A0}€")
        #expect(ChartFormat.value(500, kind: .money(.jpy), language: "it") == "500\u{00A0}¥")
    }

    @Test func dayLabelsPerLanguage() {
        #expect(ChartFormat.shortDay("2026-11-25", language: "en") == "Nov 25")
        #expect(ChartFormat.shortDay("2026-11-25", language: "fr") == "25 nov.")
        #expect(ChartFormat.shortDay("2026-11-25", language: "it") == "25 nov")
        #expect(ChartFormat.shortDay("2026-02-01", language: "fr") == "1 févr.")
        #expect(ChartFormat.shortDay("2026-05-09", language: "it") == "9 mag")
        #expect(ChartFormat.longDay("2026-11-25", language: "en") == "25 November 2026")
        #expect(ChartFormat.longDay("2026-11-25", language: "fr") == "25 novembre 2026")
        #expect(ChartFormat.longDay("2026-11-25", language: "it") == "25 novembre 2026")
        #expect(ChartFormat.longDay("2028-02-29", language: "fr") == "29 février 2028")
        #expect(ChartFormat.tooltip(day: "2026-08-03", value: 4_200, kind: .count, language: "fr") == "3 août 2026\u{202F}: 4\u{202F}200")
    }

    @Test func invalidDaysAreShownAsGiven() {
        for text in ["2026-13-01", "2026-02-29", "2026-11-31", "26-11-25", "2026-1-25", "yesterday", ""] {
            #expect(ChartFormat.shortDay(text, language: "en") == text)
        }
    }

    @Test func dayLabelsAreThinnedToEight() {
        let month = (1...30).map { String(format: "2026-11-%02d", $0) }
        let labels = ChartDayLabel.thinned(month, language: "en")
        #expect(labels.map(\.index) == [0, 4, 8, 12, 16, 20, 24, 28])
        #expect(labels.first?.text == "Nov 1")
        #expect(ChartDayLabel.thinned(week, language: "en").count == 7)
    }

    // MARK: SVG

    @Test func lineChartIsAccessibleWellFormedSVG() throws {
        let svg = SVGChart.line(
            title: "Donations", description: "Donations per day", days: week,
            series: [ChartSeries(name: "Gross", points: [0, 1_500, 2_500, 0, 9_900, 100, 42]),
                     ChartSeries(name: "Net", points: [0, 1_400, 2_300, 0, 9_500, 90, 40])],
            values: .money(.usd), language: "en", idPrefix: "donations", emptyMessage: "No donations yet")
        let document = try parse(svg)
        #expect(document.root == "svg")
        #expect(document.rootAttributes["role"] == "img")
        #expect(document.rootAttributes["aria-labelledby"] == "donations-title donations-desc")
        #expect(document.rootAttributes["viewBox"] == "0 0 640 240")
        #expect(document.ids == ["donations-title", "donations-desc"])
        #expect(document.texts["title"]?.first == "Donations")
        #expect(document.texts["desc"] == ["Donations per day"])
        #expect(document.count("polyline") == 2)
        #expect(document.count("circle") == 14)
        #expect(document.classes.filter { $0 == "chart-line series-1" }.count == 1)
        #expect(document.texts["title"]!.contains("Gross — 27 November 2026: $99.00"))
        #expect(document.texts["text"]!.contains("$100.00"), "the top tick: \(document.texts["text"]!)")
        #expect(document.texts["text"]!.contains("Nov 25"))
        expectNoInlineStyleOrScript(svg)
    }

    @Test func barChartHasABarPerDay() throws {
        let svg = SVGChart.bar(
            title: "Pledges", description: "Pledges per day", days: week,
            series: ChartSeries(name: "Pledges", points: [3, 0, 12, 7, 1, 0, 5]),
            values: .count, language: "fr", idPrefix: "p", emptyMessage: "Rien")
        let document = try parse(svg)
        #expect(document.count("rect") == 7)
        #expect(document.count("polyline") == 0)
        #expect(document.texts["title"]?.dropFirst().first == "23 novembre 2026\u{202F}: 3")
        #expect(document.texts["text"]!.contains("25 nov."))
        #expect(document.texts["text"]!.prefix(4) == ["0", "5", "10", "15"])
        expectNoInlineStyleOrScript(svg)
    }

    @Test func textIsEscaped() throws {
        let title = "<Tom & \"Jerry\">"
        let svg = SVGChart.bar(
            title: title, description: "it's </desc><script>alert(1)</script>", days: week,
            series: ChartSeries(name: "x", points: [1, 2, 3, 4, 5, 6, 7]), values: .count,
            language: "en", idPrefix: "a\" onload=\"x", emptyMessage: "none")
        #expect(svg.contains("&lt;Tom &amp; &quot;Jerry&quot;&gt;"))
        #expect(!svg.contains(title))
        let document = try parse(svg)
        #expect(document.texts["title"]?.first == title)
        #expect(document.texts["desc"] == ["it's </desc><script>alert(1)</script>"])
        #expect(document.rootAttributes["onload"] == nil)
        #expect(document.ids.first == "a--onload--x-title")
        expectNoInlineStyleOrScript(svg)
    }

    @Test func emptyChartShowsTheMessage() throws {
        for svg in [
            SVGChart.line(title: "T", description: "D", days: [], series: [ChartSeries(name: "a", points: [])],
                          values: .count, language: "en", idPrefix: "e", emptyMessage: "Nothing yet"),
            SVGChart.line(title: "T", description: "D", days: week, series: [],
                          values: .count, language: "en", idPrefix: "e", emptyMessage: "Nothing yet"),
            SVGChart.bar(title: "T", description: "D", days: [], series: ChartSeries(name: "a", points: [4]),
                         values: .count, language: "en", idPrefix: "e", emptyMessage: "Nothing yet"),
        ] {
            let document = try parse(svg)
            #expect(document.rootAttributes["role"] == "img")
            #expect(document.texts["text"] == ["Nothing yet"])
            #expect(document.count("circle") + document.count("rect") + document.count("polyline") == 0)
        }
    }

    @Test func allZeroSingleDayAndHugeValues() throws {
        let zeros = SVGChart.line(title: "T", description: "D", days: week, series: [ChartSeries(name: "a", points: Array(repeating: 0, count: 7))],
                                  values: .count, language: "it", idPrefix: "z", emptyMessage: "-")
        #expect(try parse(zeros).count("circle") == 7)
        #expect(try parse(zeros).texts["text"]?.prefix(2) == ["0", "1"])

        let single = SVGChart.bar(title: "T", description: "D", days: ["2026-11-25"], series: ChartSeries(name: "a", points: [5]),
                                  values: .count, language: "en", idPrefix: "s", emptyMessage: "-")
        #expect(try parse(single).count("rect") == 1)
        let oneDayLine = SVGChart.line(title: "T", description: "D", days: ["2026-11-25"], series: [ChartSeries(name: "a", points: [5])],
                                       values: .count, language: "en", idPrefix: "s", emptyMessage: "-")
        #expect(oneDayLine.contains("<circle class=\"chart-point series-0\" cx=\"324\" cy=\"12\""), Comment(rawValue: oneDayLine))

        for big in [Int64.max / 2, Int64.max, Int64.min] {
            let svg = SVGChart.line(title: "T", description: "D", days: week, series: [ChartSeries(name: "a", points: [0, big, big / 3, 1, big, 0, big])],
                                    values: .money(.eur), language: "fr", idPrefix: "b", emptyMessage: "-")
            let document = try parse(svg)
            #expect(document.count("circle") == 7)
            #expect(!(svg.contains("e+")), "no exponent in coordinates")
            #expect(!(svg.contains("nan") || svg.contains("inf")))
        }
    }

    @Test func outputIsDeterministicWithOneDecimalAtMost() throws {
        func draw() -> String {
            SVGChart.line(title: "T", description: "D", days: week, series: [ChartSeries(name: "a", points: [1, 7, 3, 9, 2, 8, 5])],
                          values: .count, language: "en", idPrefix: "d", emptyMessage: "-", width: 333, height: 177)
        }
        #expect(draw() == draw())
        let numbers = try NSRegularExpression(pattern: "[0-9]\\.[0-9]{2}")
        let svg = draw()
        #expect(numbers.numberOfMatches(in: svg, range: NSRange(svg.startIndex..., in: svg)) == 0, Comment(rawValue: svg))
        #expect(svg.contains("viewBox=\"0 0 333 177\""))
    }

    @Test func seriesShorterThanTheDaysDrawsWhatItHas() throws {
        let svg = SVGChart.line(title: "T", description: "D", days: week, series: [ChartSeries(name: "a", points: [1, 2, 3])],
                                values: .count, language: "en", idPrefix: "s", emptyMessage: "-")
        #expect(try parse(svg).count("circle") == 3)
    }

    // MARK: Helpers

    private func expectNoInlineStyleOrScript(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!svg.contains("style="), sourceLocation: sourceLocation)
        #expect(!svg.lowercased().contains("<script"), sourceLocation: sourceLocation)
    }

    private func parse(_ svg: String) throws -> ParsedSVG {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = ParsedSVG()
        parser.delegate = collector
        guard parser.parse() else { throw NotWellFormed(detail: "\(parser.parserError.map(String.init(describing:)) ?? "?")\n\(svg)") }
        return collector
    }
}

private struct NotWellFormed: Error {
    let detail: String
}

/// What the tests look at in a parsed SVG: elements by name, attributes, ids and text.
private final class ParsedSVG: NSObject, XMLParserDelegate {
    var root: String?
    var rootAttributes: [String: String] = [:]
    var elements: [String] = []
    var ids: [String] = []
    var classes: [String] = []
    var texts: [String: [String]] = [:]
    private var open: [(name: String, text: String)] = []

    func count(_ name: String) -> Int { elements.filter { $0 == name }.count }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if root == nil { root = name; rootAttributes = attributes }
        elements.append(name)
        if let id = attributes["id"] { ids.append(id) }
        if let value = attributes["class"] { classes.append(value) }
        open.append((name, ""))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if !open.isEmpty { open[open.count - 1].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        let element = open.removeLast()
        let text = element.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.isEmpty { texts[name, default: []].append(text) }
    }
}
