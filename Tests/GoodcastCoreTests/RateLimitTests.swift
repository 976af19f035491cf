import Foundation
import GoodcastCore
import PropertyBased
import Testing

@Suite("Rate limits")
struct RateLimitTests {
    @Test("within one window at most `limit` attempts per key are allowed, whatever the sequence")
    func neverMoreThanLimit() async {
        await propertyCheck(input: Gen.int(in: 1...8), Gen.int(in: 0...3).array(of: 1...60)) { limit, steps in
            var limiter = FixedWindowLimiter(limit: limit, window: 60)
            let start = Date(timeIntervalSince1970: 1_000_000)
            var allowed: [String: Int] = [:]
            for (index, step) in steps.enumerated() {
                let key = "k\(step)"
                // All attempts fall inside the first window.
                let decision = limiter.attempt(key, at: start.addingTimeInterval(Double(index) * 0.5))
                if decision.allowed { allowed[key, default: 0] += 1 } else { #expect(decision.retryAfterSeconds > 0) }
            }
            for (key, count) in allowed {
                #expect(count <= limit, "\(key)")
                #expect(count == min(limit, steps.filter { "k\($0)" == key }.count))
            }
        }
    }

    @Test("a new window allows again; reset forgets a key")
    func windows() {
        var limiter = FixedWindowLimiter(limit: 2, window: 60)
        let t0 = Date(timeIntervalSince1970: 0)
        #expect(limiter.attempt("a", at: t0).allowed)
        #expect(limiter.attempt("a", at: t0).allowed)
        let refused = limiter.attempt("a", at: t0.addingTimeInterval(10))
        #expect(!refused.allowed)
        #expect(refused.retryAfterSeconds == 50)
        #expect(limiter.attempt("a", at: t0.addingTimeInterval(60)).allowed)
        limiter.reset("a")
        #expect(limiter.attempt("a", at: t0.addingTimeInterval(61)).allowed)
        #expect(limiter.attempt("a", at: t0.addingTimeInterval(61)).allowed)
    }

    @Test("a refund gives back one counted attempt of the current window, never more than were counted")
    func refunds() async {
        await propertyCheck(input: Gen.int(in: 1...5), Gen.bool.array(of: 1...40)) { limit, steps in
            var limiter = FixedWindowLimiter(limit: limit, window: 60)
            let start = Date(timeIntervalSince1970: 1_000_000)
            var counted = 0
            var windows: [Date] = []
            for (index, isRefund) in steps.enumerated() {
                let now = start.addingTimeInterval(Double(index) * 0.5)
                if isRefund {
                    // Refunds outnumbering the attempts counted give back nothing more.
                    guard let window = windows.popLast() else { limiter.refund("k", window: start); continue }
                    limiter.refund("k", window: window)
                    counted -= 1
                } else {
                    let decision = limiter.attempt("k", at: now)
                    #expect(decision.allowed == (counted < limit))
                    if decision.allowed, let window = decision.window {
                        counted += 1
                        windows.append(window)
                    }
                }
            }
        }
        var limiter = FixedWindowLimiter(limit: 1, window: 60)
        let t0 = Date(timeIntervalSince1970: 0)
        let first = limiter.attempt("a", at: t0)
        #expect(first.allowed && first.window == t0)
        // A new window opened meanwhile: the old window's attempt is not given back to it.
        #expect(limiter.attempt("a", at: t0.addingTimeInterval(60)).allowed)
        limiter.refund("a", window: t0)
        #expect(!limiter.attempt("a", at: t0.addingTimeInterval(61)).allowed)
    }

    @Test("memory stays bounded under many distinct keys")
    func bounded() {
        var limiter = FixedWindowLimiter(limit: 1, window: 60, maxKeys: 100)
        let t0 = Date(timeIntervalSince1970: 0)
        for index in 0..<1_000 { _ = limiter.attempt("key\(index)", at: t0.addingTimeInterval(Double(index) * 0.01)) }
        // The newest keys are still remembered.
        #expect(!limiter.attempt("key999", at: t0.addingTimeInterval(10)).allowed)
    }
}
