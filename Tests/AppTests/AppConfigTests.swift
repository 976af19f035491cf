@testable import App
import Testing

@Suite("Settings from the environment")
struct AppConfigTests {
    @Test("the sandbox's webhook delivery: in-process by default, http on request, anything else refused by name")
    func sandboxWebhooks() throws {
        #expect(try AppConfig.fromEnvironment([:]).sandboxWebhooks == .inProcess)
        #expect(try AppConfig.fromEnvironment(["GOODCAST_SANDBOX_WEBHOOKS": "http"]).sandboxWebhooks == .http)
        #expect(try AppConfig.fromEnvironment(["GOODCAST_SANDBOX_WEBHOOKS": " In-Process "]).sandboxWebhooks == .inProcess)
        let error = #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["GOODCAST_SANDBOX_WEBHOOKS": "smtp"]) }
        #expect(error?.setting == "GOODCAST_SANDBOX_WEBHOOKS")
    }
}
