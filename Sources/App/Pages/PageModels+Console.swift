import Foundation
import GoodcastCore

/// What the console page shows, built from the analytics report, ad credits and the
/// nonprofit's record. Mustache reads stored properties only, so everything is stored.
struct ConsolePage {
    let nonprofitName: String
    let nonprofitHref: String
    let moneyHref: String
    let steps: [Step]
    let stepsDone: Int
    let stepsTotal: Int
    let allDone: Bool
    let from: String
    let to: String
    let scopes: [ScopeOption]
    let scopeTitle: String
    let period: String
    let previousPeriod: String
    let rolledUp: String?
    let totals: [Total]
    let charts: [Chart]
    let csvHref: String
    let items: [Item]
    let noItems: Bool
    let rangeErrors: FormErrors
    let balance: String
    let promotions: [Promotion]
    let noPromotions: Bool
    let targets: [ScopeOption]
    let canPromote: Bool
    let promoteHref: String
    let budget: String
    let endsOn: String
    let promotionErrors: FormErrors

    struct Step { let id: String; let title: String; let detail: String; let done: Bool; let href: String; let action: String }
    struct ScopeOption { let value: String; let label: String; let selected: Bool }
    struct Total { let metric: String; let label: String; let value: String; let previous: String; let change: String; let trend: String; let note: String? }
    struct Chart { let id: String; let heading: String; let svg: String }
    struct Item { let kind: String; let title: String; let href: String; let summary: String }
    struct Promotion { let id: String; let target: String; let budget: Int64; let spent: Int64; let impressions: Int64; let status: String; let ends: String; let active: Bool; let stopHref: String }

    init(record: NonprofitRecord, report: AnalyticsOutput, items: [AnalyticsOutput.ScopeRef], credits: AdCreditsOutput,
         hasPayoutDetails: Bool, hasFundraiser: Bool, language: String, strings: [String: String],
         rangeErrors: Problem?, promotionErrors: Problem?, promotionForm: FormData?, now: Date) {
        let idText = record.id.lowercasedString
        let console = PagePath.console(idText)
        func t(_ key: String) -> String { strings["console" + key.prefix(1).uppercased() + key.dropFirst()] ?? key }
        nonprofitName = record.name
        nonprofitHref = PagePath.nonprofit(idText)
        moneyHref = PagePath.money(idText)

        let profileComplete = !(record.description ?? "").isEmpty && !record.website.isEmpty && !record.causes.isEmpty
        steps = [
            Step(id: "profile", title: t("stepProfile"), detail: t("stepProfileDetail"), done: profileComplete,
                 href: "/nonprofits/\(idText)/edit", action: t("stepProfileAction")),
            Step(id: "verification", title: t("stepVerification"), detail: t("stepVerificationDetail." + record.status.rawValue),
                 done: record.status == .verified, href: PagePath.nonprofit(idText), action: t("stepVerificationAction")),
            Step(id: "fundraiser", title: t("stepFundraiser"), detail: t("stepFundraiserDetail"), done: hasFundraiser,
                 href: PagePath.newFundraiser(idText), action: t("stepFundraiserAction")),
            Step(id: "live", title: t("stepLive"), detail: t("stepLiveDetail"), done: items.contains { $0.kind == "live" },
                 href: "/lives/new?nonprofit=\(idText)", action: t("stepLiveAction")),
            Step(id: "challenge", title: t("stepChallenge"), detail: t("stepChallengeDetail"), done: items.contains { $0.kind == "challenge" },
                 href: "/challenges/new?nonprofit=\(idText)", action: t("stepChallengeAction")),
            Step(id: "payout", title: t("stepPayout"), detail: t("stepPayoutDetail"), done: hasPayoutDetails,
                 href: PagePath.payoutDetails(idText), action: t("stepPayoutAction")),
        ]
        stepsDone = steps.filter(\.done).count
        stepsTotal = steps.count
        allDone = stepsDone == stepsTotal

        from = report.from
        to = report.to
        let selected = report.scope.kind == "nonprofit" ? "" : "\(report.scope.kind):\(report.scope.id.lowercasedString)"
        scopes = [ScopeOption(value: "", label: t("wholeNonprofit"), selected: selected.isEmpty)]
            + items.map { item in
                let value = "\(item.kind):\(item.id.lowercasedString)"
                return ScopeOption(value: value, label: "\(t("scope." + item.kind)) · \(item.title)", selected: value == selected)
            }
        scopeTitle = report.scope.kind == "nonprofit" ? record.name : "\(t("scope." + report.scope.kind)) · \(report.scope.title)"
        period = "\(ChartFormat.longDay(report.from, language: language)) – \(ChartFormat.longDay(report.to, language: language))"
        previousPeriod = "\(ChartFormat.longDay(report.previousFrom, language: language)) – \(ChartFormat.longDay(report.previousTo, language: language))"
        rolledUp = report.rolledUpAt.map { SitePages.dateText($0, language: language) }

        func kind(_ metric: AnalyticsOutput.MetricOutput) -> ChartValueKind {
            metric.currency.flatMap { Currency.supported[$0] }.map(ChartValueKind.money) ?? .count
        }
        func label(_ metric: AnalyticsOutput.MetricOutput) -> String {
            t("metric." + metric.metric) + (metric.currency.map { " (\($0))" } ?? "")
        }
        totals = report.metrics.map { metric in
            let valueKind = kind(metric)
            let sign = metric.change > 0 ? "+" : ""
            let percent = metric.changePercent.map { " (\($0.hasPrefix("-") ? "" : "+")\($0.replacingOccurrences(of: ".", with: language == "en" ? "." : ","))\u{00A0}%)" } ?? ""
            return Total(metric: metric.metric + (metric.currency.map { "-" + $0.lowercased() } ?? ""), label: label(metric),
                         value: ChartFormat.value(metric.total, kind: valueKind, language: language),
                         previous: ChartFormat.value(metric.previousTotal, kind: valueKind, language: language),
                         change: sign + ChartFormat.value(metric.change, kind: valueKind, language: language) + percent,
                         trend: metric.change > 0 ? "up" : metric.change < 0 ? "down" : "flat",
                         note: metric.personDays ? t("personDaysNote") : nil)
        }
        charts = Self.charts(report, language: language, t: t, kind: kind, label: label)
        var csv = URLComponents()
        csv.path = console + "/analytics.csv"
        csv.queryItems = [URLQueryItem(name: "from", value: report.from), URLQueryItem(name: "to", value: report.to)]
            + (selected.isEmpty ? [] : [URLQueryItem(name: "scope", value: selected)])
        csvHref = csv.string ?? csv.path
        let reportItems: [AnalyticsOutput.ItemOutput] = report.items ?? []
        self.items = reportItems.map { (item: AnalyticsOutput.ItemOutput) -> Item in
            var href = URLComponents()
            href.path = console
            href.queryItems = [URLQueryItem(name: "from", value: report.from), URLQueryItem(name: "to", value: report.to),
                               URLQueryItem(name: "scope", value: "\(item.kind):\(item.id.lowercasedString)")]
            let summary: String = item.totals.filter { $0.total != 0 }.map { (total: AnalyticsOutput.TotalOutput) -> String in
                let valueKind = total.currency.flatMap { Currency.supported[$0] }.map(ChartValueKind.money) ?? .count
                return "\(t("metric." + total.metric)) \(ChartFormat.value(total.total, kind: valueKind, language: language))"
            }.joined(separator: " · ")
            return Item(kind: t("scope." + item.kind), title: item.title, href: (href.string ?? console) + "#analytics",
                        summary: summary.isEmpty ? t("nothingInRange") : summary)
        }
        noItems = self.items.isEmpty
        self.rangeErrors = FormErrors(rangeErrors)

        balance = ChartFormat.integer(credits.balance, language: language)
        promotions = credits.promotions.map { promotion in
            Promotion(id: promotion.id.lowercasedString, target: promotion.target.kind == "challenge" ? "#\(promotion.target.name)" : promotion.target.name,
                      budget: promotion.budget, spent: promotion.spent, impressions: promotion.impressions,
                      status: t("promotion." + promotion.status), ends: SitePages.dateText(promotion.endsAt, language: language),
                      active: promotion.status == "active", stopHref: "\(console)/promotions/\(promotion.id.lowercasedString)/stop")
        }
        noPromotions = promotions.isEmpty
        let chosen = promotionForm?["target"] ?? ""
        targets = items.filter { $0.kind == "challenge" || $0.kind == "live" }.map { item in
            let value = item.kind == "challenge" ? "challenge:\(item.title.dropFirst())" : "live:\(item.id.lowercasedString)"
            return ScopeOption(value: value, label: "\(t("scope." + item.kind)) · \(item.title)", selected: value == chosen)
        }
        canPromote = credits.balance > 0 && !targets.isEmpty
        promoteHref = console + "/promotions"
        budget = promotionForm?["budget"] ?? ""
        endsOn = promotionForm?["endsOn"] ?? UTCDay(now).advanced(by: 7).iso
        self.promotionErrors = FormErrors(promotionErrors)
    }

    /// Line charts for what accumulates (views, money), bars for what is counted per day.
    static func charts(_ report: AnalyticsOutput, language: String, t: (String) -> String,
                       kind: (AnalyticsOutput.MetricOutput) -> ChartValueKind, label: (AnalyticsOutput.MetricOutput) -> String) -> [Chart] {
        var charts: [Chart] = []
        let metrics = report.metrics
        func find(_ name: String) -> [AnalyticsOutput.MetricOutput] { metrics.filter { $0.metric == name } }
        func add(_ id: String, _ heading: String, _ svg: String) { charts.append(Chart(id: id, heading: heading, svg: svg)) }
        let period = "\(report.from) – \(report.to)"
        for metric in find("views") {
            add("views", label(metric), SVGChart.line(title: label(metric), description: "\(t("chartDailyOf")) \(label(metric)), \(period)", days: report.days,
                                                      series: [ChartSeries(name: label(metric), points: metric.series)], values: .count, language: language,
                                                      idPrefix: "chart-views", emptyMessage: t("nothingInRange")))
        }
        for name in ["donations", "videos", "followers_gained"] {
            for metric in find(name) {
                add(name, label(metric), SVGChart.bar(title: label(metric), description: "\(t("chartDailyOf")) \(label(metric)), \(period)", days: report.days,
                                                      series: ChartSeries(name: label(metric), points: metric.series), values: .count, language: language,
                                                      idPrefix: "chart-\(name)", emptyMessage: t("nothingInRange")))
            }
        }
        let new = find("donors_new"), returning = find("donors_returning")
        if let new = new.first, let returning = returning.first {
            let title = t("donorsNewReturning")
            add("donors", title, SVGChart.line(title: title, description: "\(t("chartDailyOf")) \(title), \(period)", days: report.days,
                                                series: [ChartSeries(name: label(new), points: new.series), ChartSeries(name: label(returning), points: returning.series)],
                                                values: .count, language: language, idPrefix: "chart-donors", emptyMessage: t("nothingInRange")))
        }
        for metric in find("net") {
            let code = metric.currency?.lowercased() ?? "net"
            add("net-\(code)", label(metric), SVGChart.line(title: label(metric), description: "\(t("chartDailyOf")) \(label(metric)), \(period)", days: report.days,
                                                            series: [ChartSeries(name: label(metric), points: metric.series)], values: kind(metric), language: language,
                                                            idPrefix: "chart-net-\(code)", emptyMessage: t("nothingInRange")))
        }
        return charts
    }
}
