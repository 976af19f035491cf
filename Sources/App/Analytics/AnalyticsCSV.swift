import GoodcastCore

/// A dashboard's series as a spreadsheet: a row per day, a column per metric (and per
/// currency for money, in plain decimals), then a totals row and the previous period's.
enum AnalyticsCSV {
    static func render(_ report: AnalyticsOutput) -> String {
        let columns = report.metrics.map { metric in metric.currency.map { "\(metric.metric)_\($0)" } ?? metric.metric }
        var csv = (["date"] + columns).joined(separator: ",") + "\n"
        func value(_ amount: Int64, _ metric: AnalyticsOutput.MetricOutput) -> String {
            guard let code = metric.currency, let currency = Currency.supported[code] else { return String(amount) }
            return MoneyFormat.plain(Money(amount, currency))
        }
        for (index, day) in report.days.enumerated() {
            csv += ([day] + report.metrics.map { value($0.series[index], $0) }).joined(separator: ",") + "\n"
        }
        csv += (["total"] + report.metrics.map { value($0.total, $0) }).joined(separator: ",") + "\n"
        csv += (["previous \(report.previousFrom) to \(report.previousTo)"] + report.metrics.map { value($0.previousTotal, $0) }).joined(separator: ",") + "\n"
        return csv
    }

    /// `goodcast-analytics-2026-11-01-2026-11-28.csv`: only characters safe in a header.
    static func filename(_ report: AnalyticsOutput) -> String {
        let scope = report.scope.kind == "nonprofit" ? "" : "-\(report.scope.kind)"
        return "goodcast-analytics\(scope)-\(report.from)-\(report.to).csv"
    }
}
