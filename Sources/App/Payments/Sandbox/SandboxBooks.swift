import Foundation
import GoodcastCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The in-process sandbox's books in a file, so that a restarted `goodcast serve` still knows the
/// payments it made, as a real processor does: a gift made before the restart can be refunded or
/// disputed, a client's retry with its key gets its first charge back instead of a second one,
/// start-up reconciliation finds a charge whose donation a crash kept from being written, and
/// `goodcast ledger verify` can check every charge against its donation.
///
/// One JSON line per change of an intent (made, refunded, disputed), with the whole intent as it
/// is after the change: reading the file back keeps the last line of each. Each line is one
/// `write(2)` on a file opened for appending, so lines from two processes never interleave and a
/// killed server loses none it wrote. There is no fsync: the sandbox imitates a processor on this
/// machine, and its books survive the process being killed, not the machine losing power.
final class SandboxBooks: Sendable {
    /// An intent as it is after a change, with what the change adds to the bank's keys.
    struct Line: Codable, Equatable, Sendable {
        let id: String
        let amount: Int64
        let currency: String
        let fee: Int64
        let token: String
        let metadata: [String: String]
        let created: Int
        let status: String
        let refunded: Int64
        let disputed: Bool
        /// The idempotency key that made the intent, and what it was asked for.
        var key: String?
        var fingerprint: String?
        /// A refund's idempotency key and the refund it made.
        var refundKey: String?
        var refundID: String?
        var refundAmount: Int64?
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let path: String
    private let descriptor: Int32

    /// Opens the file for appending (made if missing); `lines` are what it holds, oldest first.
    /// A line that cannot be read (cut short by a crash mid-write) is left out and counted.
    static func load(path: String) throws -> (books: SandboxBooks, lines: [Line], unreadable: Int) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let contents = FileManager.default.contents(atPath: path) ?? Data()
        var lines: [Line] = []
        var unreadable = 0
        let decoder = JSONDecoder()
        for text in contents.split(separator: UInt8(ascii: "\n")) where !text.isEmpty {
            if let line = try? decoder.decode(Line.self, from: Data(text)) { lines.append(line) } else { unreadable += 1 }
        }
        let books = try SandboxBooks(path: path)
        // A last line cut short must not glue itself to the next one written.
        if let last = contents.last, last != UInt8(ascii: "\n") { try books.put([UInt8(ascii: "\n")]) }
        return (books, lines, unreadable)
    }

    private init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure(description: "cannot open the sandbox's books at \(path) (errno \(errno))") }
    }

    deinit { close(descriptor) }

    func append(_ line: Line) throws {
        var json = JSONText(capacity: 512)
        json.object { json in
            json.field("id", line.id)
            json.field("amount", line.amount)
            json.field("currency", line.currency)
            json.field("fee", line.fee)
            json.field("token", line.token)
            json.field("metadata", line.metadata)
            json.field("created", line.created)
            json.field("status", line.status)
            json.field("refunded", line.refunded)
            json.field("disputed", line.disputed)
            if let key = line.key { json.field("key", key) }
            if let fingerprint = line.fingerprint { json.field("fingerprint", fingerprint) }
            if let refundKey = line.refundKey { json.field("refundKey", refundKey) }
            if let refundID = line.refundID { json.field("refundID", refundID) }
            if let refundAmount = line.refundAmount { json.field("refundAmount", refundAmount) }
        }
        try put(json.bytes + [UInt8(ascii: "\n")])
    }

    private func put(_ bytes: [UInt8]) throws {
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            // A line cut short (a full disk) is ended, so that the next one is read on its own.
            if written > 0 { _ = [UInt8(ascii: "\n")].withUnsafeBytes { write(descriptor, $0.baseAddress, 1) } }
            throw Failure(description: "cannot write the sandbox's books at \(path) (errno \(written < 0 ? errno : 0), \(max(written, 0)) of \(bytes.count) bytes)")
        }
    }
}
