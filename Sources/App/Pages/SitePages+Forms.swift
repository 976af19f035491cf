import Foundation
import GoodcastCore
import Hummingbird

/// Forms that create and edit: a live, a challenge, the nonprofit's profile and payout details.
/// Each goes through the service its JSON API uses, and shows that service's field messages
/// again beside what was typed when it refuses.
extension SitePages {
    func addFormRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(PagePath.newLive), use: newLiveForm)
        router.post(RouterPath(PagePath.newLive), use: createLive)
        router.get(RouterPath(PagePath.newChallenge), use: newChallengeForm)
        router.post(RouterPath(PagePath.newChallenge), use: createChallenge)
        router.get("/nonprofits/:nonprofitId/edit", use: editNonprofitForm)
        router.post("/nonprofits/:nonprofitId/edit", use: editNonprofit)
        router.get("/nonprofits/:nonprofitId/payout-details", use: payoutDetailsForm)
        router.post("/nonprofits/:nonprofitId/payout-details", use: setPayoutDetails)
    }

    /// To the sign-in page, and back to this page with its query (`?nonprofit=`) afterwards.
    func formSignIn(_ request: Request) -> Response {
        let here = request.uri.query.map { "\(request.uri.path)?\($0)" } ?? request.uri.path
        let next = here.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["/", "-"])) ?? "/"
        return PageRenderer.redirect("\(PagePath.signIn)?next=\(next)")
    }

    /// The verified nonprofits a form offers: the account's own first, then the directory's
    /// first page by name, and `chosen` even when it is on neither.
    func verifiedNonprofits(for account: AccountRecord, mineOnly: Bool, including chosen: UUID?) async throws -> [NonprofitRecord] {
        var list = try await services.nonprofits.store.nonprofits(ofMember: account.id).map(\.0).filter { $0.status == .verified }
        if !mineOnly {
            var query = NonprofitStore.DirectoryQuery()
            query.perPage = 100
            for record in try await services.nonprofits.store.search(query).items where !list.contains(where: { $0.id == record.id }) {
                list.append(record)
            }
        }
        if !mineOnly, let chosen, !list.contains(where: { $0.id == chosen }),
           let record = try await services.nonprofits.store.find(id: chosen), record.status == .verified {
            list.insert(record, at: 0)
        }
        return list
    }
}

/// An `<option>` of a form's `<select>`.
struct FormChoice {
    let value: String
    let label: String
    let selected: Bool
}

/// A refused form's problems, each field named by its label in the page's language; the
/// messages are the service's own.
struct FormIssues {
    struct Item { let label: String; let message: String }
    let items: [Item]
    /// Stored: Mustache reads models through `Mirror`.
    let any: Bool

    /// `labels` maps a service's field (`fundraiser.goal`) to a string key (`goal`).
    init(_ problem: Problem?, labels: [String: String], language: String) {
        let strings = Strings.table(for: language)
        let issues = problem.map { $0.issues.isEmpty ? [ValidationIssue(field: "", message: $0.detail)] : $0.issues } ?? []
        items = issues.map { issue in
            Item(label: issue.field.isEmpty ? "" : labels[issue.field].flatMap { strings[$0] } ?? issue.field, message: issue.message)
        }
        any = !items.isEmpty
    }
}

/// `datetime-local` fields: the page says their times are UTC, and they are read as UTC.
enum UTCFormTime {
    /// "2026-11-30T19:00" (no zone, as the browser sends it) becomes "2026-11-30T19:00:00Z";
    /// anything else goes to the service as typed, to be refused with its message there.
    static func iso(_ raw: String?) -> String? {
        guard let text = raw?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard text.wholeMatch(of: #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?/#) != nil else { return text }
        return text.count == 16 ? text + ":00Z" : text + "Z"
    }

    /// What a `datetime-local` field shows for an instant: its UTC time to the minute.
    static func field(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
        return formatter.string(from: date)
    }
}

extension Optional where Wrapped == String {
    /// A form field that was left blank counts as not sent.
    var formValue: String? {
        guard let text = self?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return self
    }
}

extension PagePath {
    static let newLive = "/lives/new"
    static func newLive(nonprofit: String) -> String { "/lives/new?nonprofit=\(nonprofit)" }
    static func liveHost(_ id: String) -> String { "/lives/\(id)/host" }
    static let newChallenge = "/challenges/new"
    static func newChallenge(nonprofit: String) -> String { "/challenges/new?nonprofit=\(nonprofit)" }
    static func editNonprofit(_ id: String) -> String { "/nonprofits/\(id)/edit" }
    static func payoutDetails(_ id: String) -> String { "/nonprofits/\(id)/payout-details" }
}
