/// Daily charts as standalone inline `<svg>` elements, drawn on the server. Painted by class
/// only (`chart-axis`, `chart-grid`, `chart-label`, `chart-line`, `chart-point`, `chart-bar`,
/// `series-0`…`series-5`, rules in site.css), no `style` and no script, so pages keep their
/// Content-Security-Policy. The same input always gives the same text.
///
/// `days` are the X categories ("YYYY-MM-DD", UTC); each series has a value per day in the
/// same order (extra values are ignored, missing ones are not drawn). The Y axis runs from 0:
/// negative values sit on it, while their tooltips say what they are. No days, or no
/// series, draws the frame with `emptyMessage`. `idPrefix` keeps the ids of the `<title>`
/// and `<desc>` unique on the page.
public enum SVGChart {
    public static let defaultWidth = 640
    public static let defaultHeight = 240
    /// site.css colours this many series; more reuse the colours.
    static let seriesColours = 6

    /// One polyline per series, with a point per day that says its day and value on hover.
    public static func line(
        title: String, description: String, days: [String], series: [ChartSeries],
        values kind: ChartValueKind, language: String, idPrefix: String, emptyMessage: String,
        width: Int = defaultWidth, height: Int = defaultHeight
    ) -> String {
        let count = days.count
        let largest = series.flatMap { $0.points.prefix(count) }.max() ?? 0
        let axis = ChartAxis(largest: largest, kind: kind, language: language)
        let layout = ChartLayout(width: width, height: height, yLabels: axis.labels, legend: series.count > 1)
        var svg = SVGWriter()
        start(&svg, kind: "line", title: title, description: description, idPrefix: idPrefix, layout: layout)
        guard count > 0, !series.isEmpty else { return empty(&svg, message: emptyMessage, layout: layout) }
        frame(&svg, axis: axis, layout: layout, days: days, language: language) { layout.pointX($0, of: count) }
        if series.count > 1 { legend(&svg, names: series.map(\.name), layout: layout) }
        let spacing = count > 1 ? layout.plotWidth / Double(count - 1) : layout.plotWidth
        let radius = SVGWriter.number(min(3, max(1, spacing / 3)))
        for (index, line) in series.enumerated() {
            let colour = "series-\(index % seriesColours)"
            let points = line.points.prefix(count).enumerated().map { day, value in
                (x: SVGWriter.number(layout.pointX(day, of: count)), y: SVGWriter.number(layout.y(value, axisTop: axis.top)), day: day, value: value)
            }
            svg.element("polyline", [("class", "chart-line " + colour), ("points", points.map { $0.x + "," + $0.y }.joined(separator: " "))])
            let prefix = series.count > 1 ? line.name + " — " : ""
            for point in points {
                let tooltip = prefix + ChartFormat.tooltip(day: days[point.day], value: point.value, kind: kind, language: language)
                svg.element("circle", [("class", "chart-point " + colour), ("cx", point.x), ("cy", point.y), ("r", radius)], tooltip: tooltip)
            }
        }
        svg.close("svg")
        return svg.output
    }

    /// A bar per day, each saying its day and value on hover.
    public static func bar(
        title: String, description: String, days: [String], series: ChartSeries,
        values kind: ChartValueKind, language: String, idPrefix: String, emptyMessage: String,
        width: Int = defaultWidth, height: Int = defaultHeight
    ) -> String {
        let count = days.count
        let values = Array(series.points.prefix(count))
        let axis = ChartAxis(largest: values.max() ?? 0, kind: kind, language: language)
        let layout = ChartLayout(width: width, height: height, yLabels: axis.labels, legend: false)
        var svg = SVGWriter()
        start(&svg, kind: "bar", title: title, description: description, idPrefix: idPrefix, layout: layout)
        guard count > 0 else { return empty(&svg, message: emptyMessage, layout: layout) }
        frame(&svg, axis: axis, layout: layout, days: days, language: language) { layout.bandX($0, of: count) }
        let band = layout.bandWidth(count)
        let barWidth = band * 0.7
        for (day, value) in values.enumerated() {
            let top = layout.y(value, axisTop: axis.top)
            svg.element("rect", [
                ("class", "chart-bar series-0"), ("x", SVGWriter.number(layout.bandX(day, of: count) - barWidth / 2)),
                ("y", SVGWriter.number(top)), ("width", SVGWriter.number(barWidth)), ("height", SVGWriter.number(layout.plotBottom - top)),
            ], tooltip: ChartFormat.tooltip(day: days[day], value: value, kind: kind, language: language))
        }
        svg.close("svg")
        return svg.output
    }
}
