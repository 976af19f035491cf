/// What line and bar charts share: the `<svg>` with its accessible name, the axes with
/// their labels and grid, the legend, and the empty state.
extension SVGChart {
    static func start(_ svg: inout SVGWriter, kind: String, title: String, description: String, idPrefix: String, layout: ChartLayout) {
        let id = SVGWriter.identifier(idPrefix)
        let width = SVGWriter.number(layout.width), height = SVGWriter.number(layout.height)
        svg.open("svg", [
            ("xmlns", "http://www.w3.org/2000/svg"), ("class", "chart chart-" + kind), ("role", "img"),
            ("aria-labelledby", id + "-title " + id + "-desc"), ("viewBox", "0 0 " + width + " " + height),
            ("width", width), ("height", height),
        ])
        svg.element("title", [("id", id + "-title")], text: title)
        svg.element("desc", [("id", id + "-desc")], text: description)
    }

    /// Grid lines and labels for the Y ticks, the two axes, and the thinned day labels under
    /// the X axis at `x(index)`.
    static func frame(_ svg: inout SVGWriter, axis: ChartAxis, layout: ChartLayout, days: [String], language: String, x: (Int) -> Double) {
        let left = SVGWriter.number(layout.plotLeft), right = SVGWriter.number(layout.plotRight)
        let top = SVGWriter.number(layout.plotTop), bottom = SVGWriter.number(layout.plotBottom)
        for (tick, label) in zip(axis.ticks, axis.labels) {
            let y = layout.y(tick, axisTop: axis.top)
            if tick > 0 {
                svg.element("line", [("class", "chart-grid"), ("x1", left), ("y1", SVGWriter.number(y)), ("x2", right), ("y2", SVGWriter.number(y))])
            }
            svg.element("text", [("class", "chart-label chart-label-y"), ("x", SVGWriter.number(layout.plotLeft - 6)),
                                 ("y", SVGWriter.number(y + 4)), ("text-anchor", "end")], text: label)
        }
        svg.element("line", [("class", "chart-axis"), ("x1", left), ("y1", top), ("x2", left), ("y2", bottom)])
        svg.element("line", [("class", "chart-axis"), ("x1", left), ("y1", bottom), ("x2", right), ("y2", bottom)])
        for label in ChartDayLabel.thinned(days, language: language, limit: layout.dayLabelLimit) {
            svg.element("text", [("class", "chart-label chart-label-x"), ("x", SVGWriter.number(x(label.index))),
                                 ("y", SVGWriter.number(layout.plotBottom + 18)), ("text-anchor", "middle")], text: label.text)
        }
    }

    /// A swatch and name per series, in a row above the plot.
    static func legend(_ svg: inout SVGWriter, names: [String], layout: ChartLayout) {
        var x = layout.plotLeft
        for (index, name) in names.enumerated() {
            let colour = "series-\(index % seriesColours)"
            svg.element("line", [("class", "chart-swatch " + colour), ("x1", SVGWriter.number(x)), ("y1", "10"),
                                 ("x2", SVGWriter.number(x + 14)), ("y2", "10")])
            svg.element("text", [("class", "chart-legend"), ("x", SVGWriter.number(x + 18)), ("y", "14")], text: name)
            x += 32 + Double(name.count) * ChartLayout.characterWidth
        }
    }

    /// The X axis and the message in the middle of the plot.
    static func empty(_ svg: inout SVGWriter, message: String, layout: ChartLayout) -> String {
        let bottom = SVGWriter.number(layout.plotBottom)
        svg.element("line", [("class", "chart-axis"), ("x1", SVGWriter.number(layout.plotLeft)), ("y1", bottom),
                             ("x2", SVGWriter.number(layout.plotRight)), ("y2", bottom)])
        svg.element("text", [("class", "chart-empty"), ("x", SVGWriter.number(layout.plotLeft + layout.plotWidth / 2)),
                             ("y", SVGWriter.number((layout.plotTop + layout.plotBottom) / 2)), ("text-anchor", "middle")], text: message)
        svg.close("svg")
        return svg.output
    }
}
