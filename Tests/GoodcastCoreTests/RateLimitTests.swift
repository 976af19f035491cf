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
            for (index, isRefund) in steps.enumerated() {
                let now = start.addingTimeInterval(Double(index) * 0.5)
                if isRefund {
                    limiter.refund("k", at: now)
                    counted = max(0, counted - 1)
                } else {
                    let allowed = limiter.attempt("k", at: now).allowed
                    #expect(allowed == (counted < limit))
                    if allowed { counted += 1 }
                }
            }
        }
        var limiter = FixedWindowLimiter(limit: 1, window: 60)
        let t0 = Date(timeIntervalSince1970: 0)
        #expect(limiter.attempt("a", at: t0).allowed)
        // The window has passed: nothing of it is given back to the next one.
        limiter.refund("a", at: t0.addingTimeInterval(61))
        #expect(limiter.attempt("a", at: t0.addingTimeInterval(61)).allowed)
        #expect(!limiter.attempt("a", at: t0.addingTimeInterval(62)).allowed)
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
