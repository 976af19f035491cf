import Hummingbird

/// Echoes Hummingbird's per-request id (already in every log line as `hb.request.id`) so a
/// user's report can be matched to the logs.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xRequestID] = context.id
        return response
    }
}
