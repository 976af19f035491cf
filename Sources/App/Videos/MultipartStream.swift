import Foundation

/// A streaming `multipart/form-data` reader: bytes go in as they arrive, parts come out as a
/// part's headers, then its body in pieces, then its end. Written here because multipart-kit
/// 4.7.1's parser traps (index out of range) on a byte above 127 in a part's header name, which
/// any client could send; this one treats every byte as data and never indexes past its buffer.
final class MultipartStream {
    enum Event {
        case part(headers: [(name: String, value: String)])
        case body([UInt8])
        case end
    }

    struct Malformed: Error { let reason: String }

    private enum State { case preamble, afterBoundary, headers, body, done }

    /// `CRLF--boundary`: what ends a part's body (the very first boundary is matched by
    /// starting the buffer with a CRLF).
    private let delimiter: [UInt8]
    private var buffer: [UInt8] = [13, 10]
    private var state = State.preamble
    /// Where the search for the end of a part's headers resumes (what came before has no end).
    private var headerScan = 0
    /// The most bytes a part's headers may take, whatever pieces the body arrives in.
    static let maxHeaderBytes = 16 * 1024

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    var isComplete: Bool { state == .done }

    func feed(_ bytes: some Sequence<UInt8>, _ emit: (Event) throws -> Void) throws {
        guard state != .done else { return }
        buffer.append(contentsOf: bytes)
        while true {
            switch state {
            case .preamble:
                guard let at = find(delimiter) else {
                    keepTail(delimiter.count - 1)
                    return
                }
                buffer.removeFirst(at + delimiter.count)
                state = .afterBoundary
            case .afterBoundary:
                guard buffer.count >= 2 else { return }
                if buffer[0] == 45, buffer[1] == 45 { // "--": the last boundary
                    state = .done
                    buffer = []
                    return
                }
                guard buffer[0] == 13, buffer[1] == 10 else { throw Malformed(reason: "a boundary is not followed by a line break") }
                buffer.removeFirst(2)
                state = .headers
                headerScan = 0
            case .headers:
                if buffer.count >= 2, buffer[0] == 13, buffer[1] == 10 { // a part without headers
                    buffer.removeFirst(2)
                    try emit(.part(headers: []))
                    state = .body
                    continue
                }
                guard let at = find([13, 10, 13, 10], from: headerScan) else {
                    // Headers that end at or before the limit are found once 4 bytes past it
                    // have come: the same answer in one piece or in a thousand.
                    if buffer.count > Self.maxHeaderBytes + 3 { throw Malformed(reason: "a part's headers are too long") }
                    headerScan = max(0, buffer.count - 3)
                    return
                }
                guard at <= Self.maxHeaderBytes else { throw Malformed(reason: "a part's headers are too long") }
                let headers = Self.headers(buffer[..<at])
                buffer.removeFirst(at + 4)
                try emit(.part(headers: headers))
                state = .body
            case .body:
                if let at = find(delimiter) {
                    if at > 0 { try emit(.body(Array(buffer[..<at]))) }
                    try emit(.end)
                    buffer.removeFirst(at + delimiter.count)
                    state = .afterBoundary
                    continue
                }
                // Keep what could be the start of a delimiter split across two reads.
                let safe = buffer.count - (delimiter.count - 1)
                if safe > 0 {
                    try emit(.body(Array(buffer[..<safe])))
                    buffer.removeFirst(safe)
                }
                return
            case .done:
                return
            }
        }
    }

    private func keepTail(_ count: Int) {
        if buffer.count > count { buffer.removeFirst(buffer.count - count) }
    }

    /// Where `needle` first starts in the buffer, at `start` or after.
    private func find(_ needle: [UInt8], from start: Int = 0) -> Int? {
        guard let first = needle.first, buffer.count >= needle.count else { return nil }
        var index = start
        let last = buffer.count - needle.count
        while index <= last {
            if buffer[index] == first {
                var matched = true
                for offset in 1..<needle.count where buffer[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }

    /// `Name: value` lines; names lowercased; bytes that are not UTF-8 become replacement characters.
    /// Split on bytes: a value that starts with a combining mark makes one `Character` with the
    /// colon, which a search by character did not find (the header was dropped).
    private static func headers(_ block: ArraySlice<UInt8>) -> [(name: String, value: String)] {
        var lines: [ArraySlice<UInt8>] = []
        var start = block.startIndex, index = block.startIndex
        while index < block.endIndex {
            if block[index] == 13, index + 1 < block.endIndex, block[index + 1] == 10 {
                lines.append(block[start..<index])
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        lines.append(block[start..<block.endIndex])
        return lines.compactMap { line in
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
            let name = String(decoding: line[..<colon], as: UTF8.self), value = String(decoding: line[(colon + 1)...], as: UTF8.self)
            return (name.trimmingCharacters(in: .whitespaces).lowercased(), value.trimmingCharacters(in: .whitespaces))
        }
    }
}
