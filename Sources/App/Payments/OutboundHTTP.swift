import AsyncHTTPClient

extension HTTPClient {
    /// The client for calls to the payment processor and for the sandbox's webhook deliveries.
    ///
    /// `HTTPClient.shared` opens at most 8 connections to one host. Donations call the
    /// processor concurrently, and each call takes as long as the processor does (hundreds of
    /// milliseconds at Stripe): with 8 connections the rest waited in the client's queue, and
    /// past their timeout a donation's outcome was unknown. The sandbox's webhooks stalled the
    /// same way behind a receiver that takes seconds to answer: deliveries timed out in the
    /// queue, were retried, and the retries piled up behind them (the webhook chaos drill).
    /// Like `shared`, it lives as long as the process, so it is never shut down.
    static let payments = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: .init(connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)))
}
