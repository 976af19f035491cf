import App
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOPosix

/// `GoodcastBench donations`: many concurrent HTTP clients giving to one fundraiser, the
/// sandbox processor in-process; beside it, in the same run, the same server's trivial JSON
/// route (the framework's ceiling) and the bare database doing the same writes.
struct DonationsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "donations", abstract: "Donations per second into one fundraiser, with baselines.")

    @Option(help: "Concurrent clients.") var clients = 64
    @Option(help: "Seconds per measurement.") var seconds = 10
    @Option(help: "PostgreSQL URL; SQLite in a temporary folder when absent.") var databaseURL: String?
    @Option(help: "How the in-process sandbox delivers its webhooks: in-process or http (a loopback POST per event, as Stripe's would arrive).")
    var sandboxWebhooks = "in-process"

    func run() async throws {
        guard let delivery = AppConfig.SandboxWebhooks(rawValue: sandboxWebhooks) else { throw ValidationError("--sandbox-webhooks must be in-process or http") }
        var bench = try BenchServer(databaseURL: databaseURL)
        bench.config.sandboxWebhooks = delivery
        defer { bench.removeFolder() }
        let commands = try await AppCommands.open(bench.config, logger: bench.logger)
        let fixture = try await commands.benchmarkFixture()
        let (port, server) = try await bench.start()
        let base = "http://127.0.0.1:\(port)"

        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: clients)
        let http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: clientConfiguration)
        var tokens: [String] = []
        for donor in fixture.donors {
            var request = HTTPClientRequest(url: base + "/api/v1/sessions")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(.init(string: #"{"handle":"\#(donor.handle)","password":"\#(fixture.password)"}"#))
            let response = try await http.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 16)
            let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as! [String: Any]
            tokens.append(object["token"] as! String)
        }
        let load = LoadGenerator(clients: clients, duration: .seconds(seconds))
        let frozenTokens = tokens
        let fundraiser = fixture.fundraiser.uuidString.lowercased()
        // Unique across runs against one PostgreSQL database; a fresh `UUID()` per request read
        // /dev/urandom each time, the load generator's cost counted as the donation's.
        let run = UUID().uuidString

        let ceiling = await load.run("trivial JSON route (GET /api/v1/causes)") { _, _ in
            await http.send(base + "/api/v1/causes")
        }
        let donations = await load.run("donations (POST, durable, one fundraiser)") { client, iteration in
            await http.send(
                base + "/api/v1/fundraisers/\(fundraiser)/donations", method: .POST,
                body: #"{"amount":{"amount":\#(500 + iteration % 1000),"currency":"USD"},"paymentToken":"tok_visa"}"#,
                headers: [("Authorization", "Bearer \(frozenTokens[client % frozenTokens.count])"), ("Idempotency-Key", "b-\(run)-\(client)-\(iteration)")],
                expect: 201
            )
        }
        let donors = fixture.donors
        let bare = await load.run("bare database, same writes, no HTTP") { client, iteration in
            do {
                // Every key is new: a call that writes nothing is a failure.
                return try await commands.writeDonationRows(fundraiser: fixture.fundraiser, donor: donors[client % donors.count].id, amount: 500,
                                                            key: "bare-\(run)-\(client)-\(iteration)")
            } catch {
                return false
            }
        }
        let grouped = await load.run("bare database, same writes, group commit, no HTTP") { client, iteration in
            do {
                return try await commands.writeDonationRowsGrouped(fundraiser: fixture.fundraiser, donor: donors[client % donors.count].id, amount: 500,
                                                                   key: "grouped-\(run)-\(client)-\(iteration)")
            } catch {
                return false
            }
        }
        try await http.shutdown()
        server.cancel()
        _ = try? await server.value
        await commands.shutdown()
        // With every charge the server made, from the sandbox's books, strictly: nothing is in flight.
        let verify = try await AppCommands.with(bench.config, logger: bench.logger) { try await $0.verifyLedger() }

        let engine = databaseURL == nil ? "SQLite" : "PostgreSQL"
        print("\n| \(engine), \(clients) clients, \(seconds) s each, sandbox webhooks \(delivery.rawValue) | per second | p50 ms | p99 ms | failed | CPU µs each |")
        print("|---|---:|---:|---:|---:|---:|")
        for result in [ceiling, donations, bare, grouped] {
            print(String(format: "| %@ | %.0f | %.2f | %.2f | %d | %.0f |", result.name, result.perSecond, result.percentile(0.5), result.percentile(0.99), result.failed,
                         result.cpuMicroseconds))
        }
        print(String(format: "\ndonations / framework ceiling: %.2f; donations / bare database: %.2f; donations / bare database grouped: %.2f; ledger verify: %@",
                     donations.perSecond / max(1, ceiling.perSecond), donations.perSecond / max(1, bare.perSecond),
                     donations.perSecond / max(1, grouped.perSecond), verify.clean ? "clean" : "VIOLATIONS"))
        if !verify.clean { verify.violations.prefix(10).forEach { print("VIOLATION: \($0)") } }
    }
}
