import Foundation
import GoodcastCore
import Synchronization
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
/// `write(2)` on a file opened for appending, so a killed server loses none it wrote, and one
/// process at a time appends (`flock`, see `Loaded`). There is no fsync: the sandbox imitates a
/// processor on this machine, and its books survive the process being killed, not the machine
/// losing power.
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
        /// The dispute's events' ids, and its outcome once closed ("won" or "lost"); absent from
        /// books written before they were kept.
        var disputeOpened: String?
        var disputeClosed: String?
        var disputeOutcome: String?
        var disputeChanged: Int?
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let path: String
    /// The open file, -1 once closed.
    private let descriptor: Mutex<Int32>

    /// What `load` found: the lines, oldest first, and the books to append to: nil when they were
    /// only to be read, or when another process appends to them. One process appends at a time,
    /// so that two never hold diverging copies of one intent and the last line of each is its state.
    struct Loaded {
        let books: SandboxBooks?
        let lines: [Line]
        /// Lines that could not be read (cut short by a crash or a full disk), left out.
        let unreadable: Int
    }

    /// How a process uses the books.
    enum Access: Equatable, Sendable {
        /// Reads them; its own payments (a command's) stay in memory. Missing books are none.
        case read
        /// Appends to them, waiting up to `wait` for another process to let go of them (a command
        /// closing); past it, reads them like `read`.
        case append(wait: Duration)
    }

    /// Opens the file (made if missing when appending), takes it for appending if asked and no
    /// other process has, and reads it.
    static func load(path: String, access: Access) throws -> Loaded {
        var books: SandboxBooks?
        if case .append(let wait) = access {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw Failure(description: "cannot open the sandbox's books at \(path) (errno \(errno))") }
            let deadline = ContinuousClock.now + wait
            while true {
                if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
                    books = SandboxBooks(path: path, descriptor: descriptor)
                    break
                }
                let reason = errno
                guard reason == EWOULDBLOCK, ContinuousClock.now < deadline else {
                    closeFile(descriptor)
                    if reason == EWOULDBLOCK { break }
                    throw Failure(description: "cannot lock the sandbox's books at \(path) (errno \(reason)): set GOODCAST_SANDBOX_BOOKS to a local file, or to memory")
                }
                usleep(50_000)
            }
        }
        let contents: Data
        do {
            contents = FileManager.default.fileExists(atPath: path) ? try Data(contentsOf: URL(fileURLWithPath: path)) : Data()
        } catch {
            books?.close()
            throw Failure(description: "cannot read the sandbox's books at \(path): \(error)")
        }
        var lines: [Line] = []
        var unreadable = 0
        let decoder = JSONDecoder()
        for text in contents.split(separator: UInt8(ascii: "\n")) where !text.isEmpty {
            if let line = try? decoder.decode(Line.self, from: Data(text)) { lines.append(line) } else { unreadable += 1 }
        }
        return Loaded(books: books, lines: lines, unreadable: unreadable)
    }

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = Mutex(descriptor)
    }

    deinit { close() }

    /// Lets another process take the books (the lock goes with the file's closing).
    func close() {
        descriptor.withLock { descriptor in
            if descriptor >= 0 { closeFile(descriptor) }
            descriptor = -1
        }
    }

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
            if let disputeOpened = line.disputeOpened { json.field("disputeOpened", disputeOpened) }
            if let disputeClosed = line.disputeClosed { json.field("disputeClosed", disputeClosed) }
            if let disputeOutcome = line.disputeOutcome { json.field("disputeOutcome", disputeOutcome) }
            if let disputeChanged = line.disputeChanged { json.field("disputeChanged", disputeChanged) }
        }
        try put(json.bytes)
    }

    /// Each line starts with its newline: a line cut short (a crash, a full disk) never glues
    /// itself to the next one written.
    private func put(_ bytes: [UInt8]) throws {
        let written = descriptor.withLock { descriptor in
            descriptor < 0 ? nil : ([UInt8(ascii: "\n")] + bytes).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        }
        guard let written else { throw Failure(description: "the sandbox's books at \(path) are closed (the server is shutting down)") }
        guard written == bytes.count + 1 else {
            throw Failure(description: "cannot write the sandbox's books at \(path) (errno \(written < 0 ? errno : 0), \(max(written, 0)) of \(bytes.count + 1) bytes)")
        }
    }
}

/// `close(2)`, out of reach of `SandboxBooks.close()`'s name.
private func closeFile(_ descriptor: Int32) {
    _ = close(descriptor)
}
