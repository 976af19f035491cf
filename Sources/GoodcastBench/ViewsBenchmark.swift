import App
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// `GoodcastBench views`: many concurrent HTTP clients posting batches of view events (every
/// one unique, so none is deduplicated) to `POST /api/v1/views`, the app in-process; then the
/// time until the recorder has counted them all; beside it, in the same run, the bare database
/// writing the same rows in the same batches with `ViewStore.write`, without HTTP or recorder.
struct ViewsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "views", abstract: "View events per second through POST /api/v1/views, against the bare database.")

    @Option(help: "Concurrent clients.") var clients = 32
    @Option(help: "Seconds per measurement.") var seconds = 10
    @Option(help: "View events per request (and per bare database batch), 1...1000.") var batch = 500
    @Option(help: "Videos the views are spread over.") var videos = 100
    @Option(help: "PostgreSQL URL; SQLite in a temporary folder when absent.") var databaseURL: String?

    func validate() throws {
        guard clients >= 1 else { throw ValidationError("--clients must be at least 1") }
        guard seconds >= 1 else { throw ValidationError("--seconds must be at least 1") }
        guard (1...1000).contains(batch) else { throw ValidationError("--batch must be 1...1000 (the endpoint's limit)") }
        guard videos >= 1 else { throw ValidationError("--videos must be at least 1") }
    }

    func run() async throws {
        let bench = try BenchServer(databaseURL: databaseURL)
        defer { bench.removeFolder() }
        let commands = try await AppCommands.open(bench.config, logger: bench.logger)
        let videoIDs = try await commands.viewBenchmarkFixture(videos: videos)
        let (port, server) = try await bench.start()
        let url = "http://127.0.0.1:\(port)/api/v1/views"

        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: clients)
        let http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: clientConfiguration)
        let load = LoadGenerator(clients: clients, duration: .seconds(seconds))
        let batch = self.batch
        let videoStrings = videoIDs.map { $0.uuidString.lowercased() }

        // (a) Over HTTP: events accepted (the answers' `accepted`), not requests.
        let accepted = NIOLockedValueBox(0)
        let firstFailure = NIOLockedValueBox<String?>(nil)
        let overHTTP = await load.run("views over HTTP (POST /api/v1/views, 202)") { client, iteration in
            let body = ViewsBenchmark.body(videos: videoStrings, client: client, iteration: iteration, batch: batch, at: Date().formatted(.iso8601))
            switch await http.postViews(url, body: body) {
            case .accepted(let count):
                accepted.withLockedValue { $0 += count }
                return true
            case .failed(let reason):
                firstFailure.withLockedValue { if $0 == nil { $0 = reason } }
                return false
            }
        }
        let httpAccepted = accepted.withLockedValue { $0 }

        // Until the recorder has written them all: SUM(views) == accepted, or 60 s.
        let clock = ContinuousClock()
        let drainStart = clock.now
        var countedAfterHTTP = try await commands.countedViews(videos: videoIDs)
        while countedAfterHTTP < Int64(httpAccepted), clock.now - drainStart < .seconds(60) {
            try await Task.sleep(for: .milliseconds(20))
            countedAfterHTTP = try await commands.countedViews(videos: videoIDs)
        }
        let drainSeconds = ViewsBenchmark.inSeconds(clock.now - drainStart)
        let drained = countedAfterHTTP >= Int64(httpAccepted)

        // (b) The bare database: the same rows, the same batches, one INSERT each: no HTTP, no
        // recorder, no counting.
        let written = NIOLockedValueBox(0)
        let bareFailure = NIOLockedValueBox<String?>(nil)
        let bare = await load.run("bare database (same rows, one INSERT per batch, no HTTP)") { client, iteration in
            do {
                let count = try await commands.writeViewRows(
                    videos: videoIDs, viewerPrefix: "b-\(client)-\(iteration)", count: batch, firstVideo: client + iteration * batch, at: Date()
                )
                written.withLockedValue { $0 += count }
                return true
            } catch {
                bareFailure.withLockedValue { if $0 == nil { $0 = String(describing: error) } }
                return false
            }
        }
        let bareWritten = written.withLockedValue { $0 }
        let countedAtEnd = try await commands.countedViews(videos: videoIDs)

        try await http.shutdown()
        server.cancel()
        _ = try? await server.value
        await commands.shutdown()

        let httpEventsPerSecond = Double(httpAccepted) / max(0.001, overHTTP.seconds)
        let bareEventsPerSecond = Double(bareWritten) / max(0.001, bare.seconds)
        let engine = databaseURL == nil ? "SQLite" : "PostgreSQL"
        print("\n| \(engine), \(clients) clients, \(batch) events a batch, \(videos) videos, \(seconds) s each | events/s | batches/s | p50 ms (batch) | p99 ms (batch) | failed batches |")
        print("|---|---:|---:|---:|---:|---:|")
        for (result, eventsPerSecond) in [(overHTTP, httpEventsPerSecond), (bare, bareEventsPerSecond)] {
            print(String(format: "| %@ | %.0f | %.1f | %.2f | %.2f | %d |", result.name, eventsPerSecond, result.perSecond,
                         result.percentile(0.5), result.percentile(0.99), result.failed))
        }
        let sustained = Double(countedAfterHTTP) / max(0.001, overHTTP.seconds + drainSeconds)
        print(String(format: "\naccepted over HTTP / bare database: %.2f; accepted and counted (sustained) / bare database: %.2f",
                     httpEventsPerSecond / max(1, bareEventsPerSecond), sustained / max(1, bareEventsPerSecond)))
        print(String(format: "drain after the HTTP run: %.2f s%@; accepted and counted over the run and the drain: %.0f events/s",
                     drainSeconds, drained ? "" : " (NOT DRAINED after 60 s)", Double(countedAfterHTTP) / max(0.001, overHTTP.seconds + drainSeconds)))
        print("SUM(views) after the HTTP run: \(countedAfterHTTP), HTTP events accepted: \(httpAccepted): \(countedAfterHTTP == Int64(httpAccepted) ? "ok" : "MISMATCH")")
        print("SUM(views) at the end: \(countedAtEnd) (the bare rows count nothing): \(countedAtEnd == Int64(httpAccepted) ? "ok" : "MISMATCH")")
        if let reason = firstFailure.withLockedValue({ $0 }) { print("first HTTP failure: \(reason)") }
        if let reason = bareFailure.withLockedValue({ $0 }) { print("first bare database failure: \(reason)") }
    }

    /// One request's JSON: `batch` views, event `i` of video `(client + iteration × batch + i) % videos`
    /// by viewer `v-<client>-<iteration>-<i>`, all at `at`.
    static func body(videos: [String], client: Int, iteration: Int, batch: Int, at: String) -> String {
        let first = client + iteration * batch
        var body = "["
        body.reserveCapacity(batch * 120)
        for index in 0..<batch {
            if index > 0 { body.append(",") }
            body.append(#"{"videoId":""#)
            body.append(videos[(first + index) % videos.count])
            body.append(#"","viewerId":"v-\#(client)-\#(iteration)-\#(index)","at":""#)
            body.append(at)
            body.append(#""}"#)
        }
        body.append("]")
        return body
    }

    static func inSeconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// What `POST /api/v1/views` answered.
enum ViewsPostOutcome: Sendable {
    case accepted(Int)
    case failed(String)
}

extension HTTPClient {
    /// Posts one batch of views; `.accepted(n)` on 202 `{"accepted": n}`.
    func postViews(_ url: String, body: String) async -> ViewsPostOutcome {
        struct Answer: Decodable { let accepted: Int }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            guard response.status.code == 202 else {
                return .failed("\(response.status.code): \(String(buffer: bytes).prefix(300))")
            }
            return .accepted(try JSONDecoder().decode(Answer.self, from: Data(bytes.readableBytesView)).accepted)
        } catch {
            return .failed(String(describing: error))
        }
    }
}
