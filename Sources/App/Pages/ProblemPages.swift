import GoodcastCore
import Hummingbird

/// `/problems/{type}`: the page each problem `type` URI points at.
struct ProblemPages: Sendable {
    let pages: PageRenderer

    struct ProblemDoc { let slug: String; let title: String; let status: Int }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/problems/:slug") { request, context in
            guard let kind = ProblemKind(rawValue: context.parameters.get("slug") ?? "") else {
                throw Problem.notFound("problem type")
            }
            return pages.render("errors/problem", title: kind.title, page: ProblemDoc(slug: kind.rawValue, title: kind.title, status: Int(kind.status.code)), request: request, context: context)
        }
    }
}
