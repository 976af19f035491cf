import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOEmbedded

/// HummingbirdWebSocket's HTTP/1 channel, made to end at shutdown. Until a connection's first
/// request arrives, that channel waits for it without listening for the server's shutdown, and
/// the wait ignores cancellation: one spare keep-alive connection that a client opened and never
/// used (AsyncHTTPClient keeps such spares) held the whole graceful shutdown, and then made
/// ServiceLifecycle's cancellation limit stop the process with a fatal error. Here a connection
/// that has sent nothing is closed when the server quiesces, and cancelling a connection's
/// handler closes the connection, which ends any wait on it.
struct QuiescingWebSocketChannel: ServerChildChannel {
    let inner: HTTP1WebSocketUpgradeChannel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1WebSocketUpgradeChannel.Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            try channel.pipeline.syncOperations.addHandler(CloseUnusedOnQuiesce(), position: .first)
            return value
        }
    }

    func handle(value: HTTP1WebSocketUpgradeChannel.Value, logger: Logger) async {
        await withTaskCancellationHandler {
            await inner.handle(value: value, logger: logger)
        } onCancel: {
            value.channel.close(promise: nil)
        }
    }
}

extension HTTPServerBuilder {
    /// `.http1WebSocketUpgrade(webSocketRouter:)`, with connections that end at shutdown.
    static func quiescingWebSocketUpgrade<Router: HTTPResponderBuilder>(webSocketRouter: Router) -> HTTPServerBuilder
    where Router.Responder.Context: WebSocketRequestContext {
        let webSocketResponder = webSocketRouter.buildResponder()
        return HTTPServerBuilder { responder in
            let child = QuiescingWebSocketChannel(inner: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: .init()))
            child.warmUp()
            return child
        }
    }
}

extension QuiescingWebSocketChannel {
    /// Sets one connection's pipeline up on an embedded channel, on this thread, before the
    /// server listens. Swift's runtime can crash when two threads make the same generic type's
    /// metadata for the first time at once: seen in the crash drill, when two event loops set up
    /// the first two connections after a restart (`swift_conformsToProtocol` in one,
    /// `swift_getTypeByMangledName` in the other, for the HTTP upgrade pipeline's types). Made
    /// here first, those types are cached before any connection arrives.
    func warmUp() {
        let channel = EmbeddedChannel()
        // The embedded loop runs the setup now, on this thread; its outcome does not matter.
        _ = setup(channel: channel, logger: Logger(label: "goodcast.warm-up"))
        _ = try? channel.finish()
    }
}

/// First in the pipeline, so it sees every byte: a connection that has sent none when the server
/// quiesces is closed. Once bytes came, HTTP's own handler deals with the quiesce.
private final class CloseUnusedOnQuiesce: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private var used = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        used = true
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, !used {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
