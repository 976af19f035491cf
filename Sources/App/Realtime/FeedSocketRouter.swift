import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket

/// The request context of WebSocket upgrades: the feed the upgrade was checked for travels,
/// by reference, from the check to the connection's handler.
struct FeedSocketContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    let target = NIOLockedValueBox<FeedController.Target?>(nil)
    /// The connection, which stays the same channel once upgraded.
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        channel = source.channel
    }
}

/// `GET /api/v1/lives/{id}/feed` upgraded to a WebSocket: the same checks as the HTTP feed,
/// then one JSON text message per event, pushed to the connection on its event loop. A request that fails the checks is not upgraded and
/// gets the HTTP route's problem+json answer instead.
struct FeedSocketRouter: Sendable {
    let lives: LiveService
    let accounts: AccountStore
    let hub: FeedHub
    /// How long a viewer that overflowed gets to take its resync message before it is cut off:
    /// long enough for a phone that stalled a moment (or a busy machine) to read it; its queue is
    /// gone already, so waiting costs a socket, not memory.
    var resyncGrace: Duration = .seconds(8)

    func build() -> Router<FeedSocketContext> {
        let router = Router(context: FeedSocketContext.self)
        let lives = self.lives, accounts = self.accounts, hub = self.hub, grace = resyncGrace
        router.ws(RouterPath(APIPath.prefix + "/" + APIPath.liveFeed.description)) { request, context in
            let account = try await Self.account(request, accounts: accounts)
            let target = try await FeedController.target(request, liveID: try context.parameters.requireUUID("liveId"), account: account, lives: lives)
            context.target.withLockedValue { $0 = target }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            guard let target = context.requestContext.target.withLockedValue({ $0 }) else { return }
            let session = try await FeedSession(hub: hub, feed: target.live.feedId, after: target.after)
            defer { session.close() }
            let subscriber = session.subscription.subscriber
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Frames go straight to the connection on its event loop: every frame ready
                // in one go, one flush, and the wait for the socket to take them is the
                // backpressure (a viewer that stops reading stops here, and its bounded queue
                // overflows instead of the server's memory).
                let channel = context.requestContext.channel
                group.addTask {
                    // The backlog from the log, then push mode (see FeedChannelPusher).
                    while let frames = try await session.backlogPage() {
                        guard let last = frames.last else { continue }
                        try await channel.eventLoop.flatSubmit {
                            for frame in frames.dropLast() {
                                channel.write(WebSocketFrame(fin: true, opcode: .text, data: frame.json), promise: nil)
                            }
                            return channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: last.json))
                        }.get()
                    }
                    let pusher = FeedChannelPusher(channel: channel, subscriber: subscriber, after: session.lastSeq)
                    try await withTaskCancellationHandler {
                        try await pusher.run()
                    } onCancel: {
                        pusher.stop()
                    }
                    try? await outbound.close(.normalClosure, reason: nil)
                }
                // What the viewer sends is ignored; its end (a close) ends the stream.
                group.addTask { for try await _ in inbound {} }
                // A viewer whose socket stopped taking bytes may never return from a write:
                // after the grace period its stream is cancelled, which closes the connection.
                group.addTask {
                    await subscriber.overflowed()
                    guard subscriber.isOverflowed else { return }
                    try await Task.sleep(for: grace)
                    throw CancellationError()
                }
                defer {
                    subscriber.close()
                    group.cancelAll()
                }
                _ = try await group.next()
            }
        }
        return router
    }

    /// Browsers cannot set headers on a WebSocket: a page's session cookie counts too, but only
    /// from this site's own pages (a cross-site page would otherwise watch as the viewer).
    static func account(_ request: Request, accounts: AccountStore) async throws -> AccountRecord? {
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer",
                  let identity = try await accounts.identity(forSecret: String(parts[1]), kind: .api) else {
                throw Problem(.unauthenticated, detail: "the bearer token is unknown, expired or revoked; sign in again")
            }
            return identity.account
        }
        guard let cookie = request.cookies[IdentityMiddleware.sessionCookie]?.value, !cookie.isEmpty else { return nil }
        if let origin = request.headers[.origin], let host = request.head.authority {
            guard origin == "http://\(host)" || origin == "https://\(host)" else { return nil }
        }
        return try await accounts.identity(forSecret: cookie, kind: .session)?.account
    }
}
