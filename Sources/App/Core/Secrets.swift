import Crypto
import Foundation
import GoodcastCore
import HummingbirdBcrypt
import NIOPosix

/// Random secrets and the one-way forms in which they are stored.
enum Secrets {
    /// 32 random bytes, base64url without padding: safe in a header, a cookie and a URL.
    static func token(prefix: String = "") -> String {
        prefix + Data(randomBytes(32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func sha256Hex(_ text: String) -> String {
        hex(SHA256.hash(data: Data(text.utf8)))
    }

    /// `count` random bytes in lowercase hexadecimal.
    static func randomHex(byteCount count: Int) -> String {
        hex(randomBytes(count))
    }

    /// `count` random bytes from the system's generator, eight at a time (`UInt8.random` asks
    /// for each byte).
    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = PooledRandom()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 7)
        while bytes.count < count { withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) } }
        return Array(bytes.prefix(count))
    }

    /// Lowercase hexadecimal, as digests and signatures are written.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        // Not String(format:) per byte: every gift hashes its request and the sandbox signs and
        // the server checks its webhook, and formatting was a tenth of a donation's CPU time.
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Comparison whose time does not depend on where the strings first differ.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

/// bcrypt on the thread pool: it blocks for tens of milliseconds by design.
struct PasswordHasher: Sendable {
    let cost: UInt8

    func hash(_ password: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// A real hash of nothing, verified against when the account does not exist, so that
    /// "no such account" and "wrong password" take the same time.
    static let decoyHash = Bcrypt.hash("goodcast-decoy-password", cost: 4)
}

/// The time, injected so that tests can pin it.
public struct AppClock: Sendable {
    public var now: @Sendable () -> Date
    public init(now: @escaping @Sendable () -> Date) { self.now = now }
    public static let system = AppClock { Date() }
}
