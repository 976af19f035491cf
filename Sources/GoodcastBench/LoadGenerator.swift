import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Runs `clients` concurrent loops of `request` for `duration`, recording each latency.
struct LoadGenerator {
    struct Result {
        let name: String
        let completed: Int
        let failed: Int
        let seconds: Double
        let latencies: [Double]
        /// This process's CPU seconds during the run: server, load generator and all.
        let cpuSeconds: Double

        var perSecond: Double { Double(completed) / seconds }
        /// CPU microseconds per completed operation: steadier than throughput on a shared machine.
        var cpuMicroseconds: Double { completed == 0 ? 0 : cpuSeconds / Double(completed) * 1e6 }
        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }
    }

    let clients: Int
    let duration: Duration

    /// `operation` returns true on success.
    func run(_ name: String, _ operation: @escaping @Sendable (_ client: Int, _ iteration: Int) async -> Bool) async -> Result {
        let clock = ContinuousClock()
        let cpuBefore = ProcessCPU.ownSeconds()
        let start = clock.now
        let deadline = start + duration
        let perClient = await withTaskGroup(of: (Int, Int, [Double]).self) { group in
            for client in 0..<clients {
                group.addTask {
                    var done = 0, failed = 0, latencies: [Double] = []
                    latencies.reserveCapacity(20_000)
                    var iteration = 0
                    while clock.now < deadline {
                        let began = clock.now
                        let ok = await operation(client, iteration)
                        let elapsed = clock.now - began
                        iteration += 1
                        if ok {
                            done += 1
                            latencies.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
                        } else {
                            failed += 1
                        }
                    }
                    return (done, failed, latencies)
                }
            }
            return await group.reduce(into: [(Int, Int, [Double])]()) { $0.append($1) }
        }
        let elapsed = clock.now - start
        return Result(
            name: name, completed: perClient.reduce(0) { $0 + $1.0 }, failed: perClient.reduce(0) { $0 + $1.1 },
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            latencies: perClient.flatMap(\.2), cpuSeconds: ProcessCPU.ownSeconds() - cpuBefore
        )
    }
}

extension HTTPClient {
    /// One request; true when the status is the expected one.
    func send(_ url: String, method: HTTPMethod = .GET, body: String? = nil, headers: [(String, String)] = [], expect: UInt = 200) async -> Bool {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        do {
            let response = try await execute(request, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 20)
            return response.status.code == expect
        } catch {
            return false
        }
    }
}
