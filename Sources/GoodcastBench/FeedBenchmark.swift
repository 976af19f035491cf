import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// `GoodcastBench feed`: one live, N WebSocket viewers, D donations a second. Goodcast runs as
/// its own process (`goodcast serve`, as in production); beside it, in the same run, the same
/// message stream (a donation event and a total per gift) published to nginx with the nchan
/// module, to the same number of WebSocket viewers. Both get the same load generator, viewers
/// and measurement: delivered messages a second and gift-to-viewer latency (the gift's send
/// time travels in its message).
struct FeedBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "feed", abstract: "Live feed fan-out to WebSocket viewers, against nginx + nchan.")

    @Option(help: "WebSocket viewers.") var viewers = 2000
    @Option(help: "Donations per second.") var rate = 200
    @Option(help: "Seconds measured (after a warm-up).") var seconds = 20
    @Option(help: "The goodcast binary (build it with -c release).") var goodcast = ".build/release/goodcast"
    @Option(help: "The nginx binary with the nchan module.") var nginx = "/usr/sbin/nginx"
    @Option(help: "Only run: goodcast, nchan or both.") var only = "both"

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        var results: [FeedRun.Result] = []
        if only != "nchan" {
            let server = try await GoodcastUnderTest.start(binary: goodcast)
            defer { server.stop() }
            let target = try await server.prepareLive()
            results.append(try await FeedRun(name: "Goodcast (goodcast serve, SQLite)", viewers: viewers, rate: rate, seconds: seconds, logger: logger)
                .measure(viewerURL: target.viewerURL, publish: target.publish, serverPID: server.process.processIdentifier))
            server.stop()
        }
        if only != "goodcast" {
            let server = try NchanUnderTest.start(binary: nginx)
            defer { server.stop() }
            try await server.waitUntilUp()
            results.append(try await FeedRun(name: "nginx + nchan (baseline)", viewers: viewers, rate: rate, seconds: seconds, logger: logger)
                .measure(viewerURL: server.viewerURL, publish: server.publish, serverPID: server.process.processIdentifier))
            server.stop()
        }
        print("\n| \(viewers) viewers, \(rate) donations/s, \(seconds) s | delivered msgs/s | gift events delivered | p50 ms | p99 ms | max ms |")
        print("|---|---:|---:|---:|---:|---:|")
        for result in results {
            print(String(format: "| %@ | %.0f | %.2f%% | %.1f | %.1f | %.1f |", result.name, result.messagesPerSecond, result.completeness * 100,
                         result.percentile(0.5), result.percentile(0.99), result.percentile(1.0)))
        }
        // Where the latency comes from: the publish path (for Goodcast the whole donation) or the fan-out.
        for result in results {
            print(String(format: "%@: publish answered p50 %.1f ms, p99 %.1f ms", result.name, result.acknowledged(0.5), result.acknowledged(0.99)))
        }
        // Where the two cores went while the window was open: the server, and this process
        // (the viewers and the publisher), with the server's CPU per message it delivered.
        for result in results {
            print(String(format: "%@: server %.2f cores, viewers and publisher %.2f cores; server %.2f µs of CPU per delivered message",
                         result.name, result.serverCores, result.benchCores, result.serverCores * 1e6 / max(1, result.messagesPerSecond)))
        }
        if results.count == 2 {
            print(String(format: "\nGoodcast / nchan: delivered messages %.2f, gift events %.2f; p99 latency %.2f",
                         results[0].messagesPerSecond / max(1, results[1].messagesPerSecond),
                         results[0].giftEventsPerSecond / max(1, results[1].giftEventsPerSecond),
                         results[0].percentile(0.99) / max(0.001, results[1].percentile(0.99))))
        }
    }
}

/// Nanoseconds on a clock every task of this process shares.
func monotonicNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// One system under the same load: connect the viewers, publish gifts at the rate, count.
struct FeedRun {
    /// Connections the gifts are sent on, for both systems. Every gift comes from its own donor:
    /// with 64 connections (until 2026-11-26) gifts queued in the bench's client pool as soon
    /// as a donation took more than 320 ms, and that queue, not the server, grew the latency.
    static let publisherConnections = 512
    let name: String
    let viewers: Int
    let rate: Int
    let seconds: Int
    let logger: Logger

    struct Result {
        let name: String
        let messagesPerSecond: Double
        let giftEventsPerSecond: Double
        let completeness: Double
        let latenciesMicros: [UInt32]
        /// Gift sent → its publish answered (for Goodcast: the donation's 201), sorted.
        let acknowledgedMicros: [UInt32]
        /// CPU used during the window, in cores: the server's processes, and this one.
        let serverCores: Double
        let benchCores: Double

        func percentile(_ p: Double) -> Double { Self.percentile(p, of: latenciesMicros) }
        func acknowledged(_ p: Double) -> Double { Self.percentile(p, of: acknowledgedMicros) }

        static func percentile(_ p: Double, of sorted: [UInt32]) -> Double {
            guard !sorted.isEmpty else { return .nan }
            let index = min(sorted.count - 1, Int(Double(sorted.count - 1) * p))
            return Double(sorted[index]) / 1000
        }
    }

    /// What each viewer saw while the window was open.
    final class ViewerStats: Sendable {
        struct Counts { var messages = 0; var gifts = 0; var latencies: [UInt32] = [] }
        let counts = NIOLockedValueBox(Counts())
    }

    func measure(viewerURL: String, publish: @escaping @Sendable (Int, UInt64) async -> Bool, serverPID: Int32) async throws -> Result {
        let window = MeasurementWindow()
        let stats = (0..<viewers).map { _ in ViewerStats() }
        guard let url = URLComponents(string: viewerURL), let host = url.host, let port = url.port else { throw ValidationError("bad viewer URL \(viewerURL)") }
        let path = url.percentEncodedPath + (url.percentEncodedQuery.map { "?" + $0 } ?? "")
        var channels: [any Channel] = []
        // In waves, so that the listen backlog never overflows.
        for wave in stride(from: 0, to: viewers, by: 100) {
            try await withThrowingTaskGroup(of: (any Channel).self) { group in
                for index in wave..<min(wave + 100, viewers) {
                    let handler = ViewerHandler(stats: stats[index], window: window, host: host, port: port, path: path)
                    group.addTask { try await ViewerClient.connect(host: host, port: port, path: path, handler: handler) }
                }
                for try await channel in group { channels.append(channel) }
            }
        }
        defer { for channel in channels { channel.close(promise: nil) } }
        // Warm-up, then the measured window, then time for the last messages to arrive.
        let interval = 1_000_000_000 / UInt64(rate)
        let warmup: UInt64 = 2_000_000_000
        let begin = monotonicNanos()
        let start = begin + warmup, end = start + UInt64(seconds) * 1_000_000_000
        window.end.store(end, ordering: .relaxed)
        window.start.store(start, ordering: .relaxed)
        let sentInWindow = NIOLockedValueBox(0)
        let failures = NIOLockedValueBox(0)
        let acknowledged = NIOLockedValueBox([UInt32]())
        let cpu = Task { () -> (server: Double, bench: Double) in
            try? await Task.sleep(for: .nanoseconds(Int64(start - monotonicNanos())))
            let server = ProcessCPU.seconds(ofTree: serverPID), bench = ProcessCPU.ownSeconds()
            try? await Task.sleep(for: .nanoseconds(Int64(end - min(end, monotonicNanos()))))
            return (ProcessCPU.seconds(ofTree: serverPID) - server, ProcessCPU.ownSeconds() - bench)
        }
        await withTaskGroup(of: Void.self) { group in
            var index = 0
            while true {
                let due = begin + UInt64(index) * interval
                guard due < end else { break }
                let now = monotonicNanos()
                if due > now { try? await Task.sleep(for: .nanoseconds(Int64(due - now))) }
                let sent = monotonicNanos()
                let number = index
                group.addTask {
                    if await !publish(number, sent) { failures.withLockedValue { $0 += 1 } }
                    if sent >= start && sent < end {
                        let micros = UInt32(min(UInt64(UInt32.max), (monotonicNanos() - sent) / 1000))
                        acknowledged.withLockedValue { $0.append(micros) }
                    }
                }
                if sent >= start && sent < end { sentInWindow.withLockedValue { $0 += 1 } }
                index += 1
            }
        }
        let used = await cpu.value
        try await Task.sleep(for: .seconds(3))
        let measured = Double(seconds)
        var messages = 0, gifts = 0
        var latencies: [UInt32] = []
        for stat in stats {
            stat.counts.withLockedValue { counts in
                messages += counts.messages
                gifts += counts.gifts
                latencies += counts.latencies
            }
        }
        latencies.sort()
        let expected = sentInWindow.withLockedValue { $0 } * viewers
        if failures.withLockedValue({ $0 }) > 0 { print("\(name): \(failures.withLockedValue { $0 }) publishes failed") }
        return Result(name: name, messagesPerSecond: Double(messages) / measured, giftEventsPerSecond: Double(gifts) / measured,
                      completeness: expected == 0 ? 0 : Double(gifts) / Double(expected), latenciesMicros: latencies,
                      acknowledgedMicros: acknowledged.withLockedValue { $0 }.sorted(),
                      serverCores: used.server / measured, benchCores: used.bench / measured)
    }

    /// The send time a gift's message carries (`"message":"t<nanoseconds>"`), if this is one.
    /// `memchr` for the needle's rarest byte (its `m`), then a compare, not a loop over every
    /// byte: the search runs for each of 400,000 messages a second.
    static func sentTime(in bytes: UnsafeRawBufferPointer, needle: [UInt8]) -> UInt64? {
        guard bytes.count >= needle.count, let base = bytes.baseAddress, needle.count > 1 else { return nil }
        var from = 1
        var match: Int?
        while match == nil, from <= bytes.count - needle.count + 1 {
            guard let hit = memchr(base + from, Int32(needle[1]), bytes.count - from) else { return nil }
            let offset = base.distance(to: UnsafeRawPointer(hit))
            guard offset - 1 + needle.count <= bytes.count else { return nil }
            if needle.withUnsafeBytes({ memcmp(base + offset - 1, $0.baseAddress!, needle.count) }) == 0 { match = offset - 1 }
            from = offset + 1
        }
        guard let match else { return nil }
        var cursor = match + needle.count
        var value: UInt64 = 0
        while cursor < bytes.count, bytes[cursor] >= 48, bytes[cursor] <= 57 {
            value = value * 10 + UInt64(bytes[cursor] - 48)
            cursor += 1
        }
        return value
    }
}
