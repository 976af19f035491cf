@testable import App
import Foundation
import Synchronization

/// The real time plus an offset a test moves forward (to end a challenge, to pass a grace period).
final class ShiftableClock: Sendable {
    private let offset = Mutex<TimeInterval>(0)

    var appClock: AppClock { AppClock { [self] in Date().addingTimeInterval(offset.withLock { $0 }) } }

    func advance(_ seconds: TimeInterval) { offset.withLock { $0 += seconds } }
}
