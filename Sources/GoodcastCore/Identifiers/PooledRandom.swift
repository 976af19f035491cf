import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The system's cryptographically secure random bytes, fetched a few kilobytes at a time.
/// `SystemRandomNumberGenerator` makes one `getrandom` system call per 64-bit value; a gift
/// asked for about twenty (ledger ids, event ids, the sandbox's ids and delays), a visible
/// share of its CPU time. The bytes are the same kernel generator's, each handed out once.
public struct PooledRandom: RandomNumberGenerator, Sendable {
    public init() {}

    public mutating func next() -> UInt64 {
        Self.pool.withLock { $0.next() }
    }

    private static let pool = Mutex(Pool())

    private struct Pool: ~Copyable {
        private var words = [UInt64](repeating: 0, count: 512)
        private var used = 512

        mutating func next() -> UInt64 {
            if used == words.count { refill() }
            defer { used += 1 }
            return words[used]
        }

        private mutating func refill() {
            words.withUnsafeMutableBytes { buffer in
                #if canImport(Glibc)
                // /dev/urandom is the kernel's generator that `getrandom` reads (Glibc's module
                // map leaves `getrandom` out); one read of four kilobytes per refill.
                let file = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
                var filled = 0
                if file >= 0 {
                    while filled < buffer.count {
                        let got = read(file, buffer.baseAddress! + filled, buffer.count - filled)
                        if got > 0 { filled += got } else if got < 0 && errno == EINTR { continue } else { break }
                    }
                    close(file)
                }
                if filled == buffer.count { return }
                #endif
                // Not Linux, or /dev/urandom could not be read: the standard library's generator, word by word.
                var system = SystemRandomNumberGenerator()
                for index in 0..<(buffer.count / 8) { buffer.storeBytes(of: system.next() as UInt64, toByteOffset: index * 8, as: UInt64.self) }
            }
            used = 0
        }
    }
}
