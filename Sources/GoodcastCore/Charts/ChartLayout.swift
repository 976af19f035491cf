/// Where the plot sits inside the SVG and how values and days map to pixels. Values are
/// only turned into `Double` here, for coordinates; labels are written from the integers.
struct ChartLayout {
    let width: Double
    let height: Double
    /// The plot's edges, in SVG coordinates (y grows downwards).
    let plotLeft: Double
    let plotRight: Double
    let plotTop: Double
    let plotBottom: Double

    static let minimumWidth = 200
    static let minimumHeight = 120
    /// Average advance of a 12px label character, to leave room for the Y labels.
    static let characterWidth = 7.0

    init(width: Int, height: Int, yLabels: [String], legend: Bool) {
        self.width = Double(max(width, Self.minimumWidth))
        self.height = Double(max(height, Self.minimumHeight))
        let longest = Double(yLabels.map(\.count).max() ?? 1)
        plotLeft = min(max(longest * Self.characterWidth + 12, 32), self.width / 3)
        // Room on the right for half of the last day's label, centred on the edge.
        plotRight = self.width - 24
        plotTop = legend ? 30 : 12
        plotBottom = self.height - 28
    }

    var plotWidth: Double { plotRight - plotLeft }

    func y(_ value: Int64, axisTop: Int64) -> Double {
        let clamped = min(max(value, 0), axisTop)
        return plotBottom - Double(clamped) / Double(max(axisTop, 1)) * (plotBottom - plotTop)
    }

    /// Line charts: the first day on the Y axis, the last on the right edge; one day centred.
    func pointX(_ index: Int, of count: Int) -> Double {
        count <= 1 ? plotLeft + plotWidth / 2 : plotLeft + Double(index) * plotWidth / Double(count - 1)
    }

    /// Bar charts: the centre of the day's band.
    func bandX(_ index: Int, of count: Int) -> Double {
        plotLeft + (Double(index) + 0.5) * bandWidth(count)
    }

    func bandWidth(_ count: Int) -> Double { plotWidth / Double(max(count, 1)) }

    /// At most 8 X labels, fewer when each would get under 60px.
    var dayLabelLimit: Int { max(1, min(8, Int(plotWidth / 60))) }
}
