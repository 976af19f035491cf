import Foundation

/// A few fields of a JSON document, read in one pass without building the rest of it.
///
/// Every payment's webhook is checked against the donations recorded lately, which needs its
/// type, its id, and the four fields of its metadata that name a donation. `JSONDecoder` first
/// builds a map of the whole event (a kilobyte and a half, with the donor's message and the
/// charge's other fields), which was a twentieth of a donation's CPU time.
///
/// The whole document is still checked for well-formed JSON (RFC 8259: nesting, strings and
/// their escapes, numbers, literals, nothing after the value); an ill-formed one gives nil.
/// Strings outside the paths asked for are checked for their escapes but not for valid UTF-8
/// (a request's body is checked for it before).
public struct JSONGlance: Sendable {
    /// A value found at one of the paths.
    public enum Value: Equatable, Sendable {
        case string(String)
        /// A number written without a fraction or exponent that fits in 64 bits.
        case integer(Int64)
        case boolean(Bool)
        /// Any other number, `null`, an object or an array.
        case other
    }

    /// The paths as a tree of keys, each key as its UTF-8 bytes: a key in the document is
    /// compared where it lies, without making a string of it.
    private struct Node: Sendable {
        var children: [(name: [UInt8], node: Int)] = []
        var slot: Int?
    }

    private var nodes = [Node()]
    public let paths: [[String]]
    private let maxDepth: Int
    private let closed: Bool

    /// `paths`: each a list of object keys from the top of the document. A document with more
    /// than `maxDepth` objects and arrays one inside the other is refused.
    ///
    /// `closed`: the document must be an object, and so must the value at every key that leads
    /// further along a path; those objects may hold only keys on the paths. A request body read
    /// this way needs no other check of its fields (anything else is refused, to be read by a
    /// full decoder that says what is wrong).
    public init(paths: [[String]], maxDepth: Int = 64, closed: Bool = false) {
        self.paths = paths
        self.maxDepth = maxDepth
        self.closed = closed
        for (slot, path) in paths.enumerated() {
            var at = 0
            for key in path {
                let name = Array(key.utf8)
                if let next = nodes[at].children.first(where: { $0.name == name })?.node {
                    at = next
                } else {
                    nodes.append(Node())
                    nodes[at].children.append((name, nodes.count - 1))
                    at = nodes.count - 1
                }
            }
            nodes[at].slot = slot
        }
    }

    /// The value at each path, in the order of `paths` (nil where a path is absent). Nil when
    /// `json` is not one well-formed JSON value, nests deeper than `maxDepth`, or has a key on
    /// the paths twice in one object.
    public func read(_ json: Data) -> [Value?]? {
        json.withUnsafeBytes { raw in
            var reader = Reader(bytes: raw.bindMemory(to: UInt8.self), nodes: nodes, maxDepth: maxDepth, closed: closed,
                                found: Array(repeating: nil, count: paths.count))
            guard reader.value(at: 0, depth: 0) else { return nil }
            reader.skipSpace()
            return reader.index == reader.bytes.count ? reader.found : nil
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        let nodes: [Node]
        let maxDepth: Int
        let closed: Bool
        var found: [Value?]
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>, nodes: [Node], maxDepth: Int, closed: Bool, found: [Value?]) {
            self.bytes = bytes
            self.nodes = nodes
            self.maxDepth = maxDepth
            self.closed = closed
            self.found = found
        }

        /// Whether the value at `node` must be an object holding only keys on the paths.
        private func isClosed(_ node: Int?) -> Bool {
            guard closed, let node else { return false }
            return node == 0 || !nodes[node].children.isEmpty
        }

        private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
        }

        /// Reads one value. `node` is where it sits in the tree of paths, nil off the paths.
        mutating func value(at node: Int?, depth: Int) -> Bool {
            skipSpace()
            guard let byte = current else { return false }
            let slot = node.flatMap { nodes[$0].slot }
            if byte != UInt8(ascii: "{"), isClosed(node) { return false }
            switch byte {
            case UInt8(ascii: "{"):
                // At most `maxDepth` containers, one inside the other, as Foundation's parsers count.
                guard depth < maxDepth else { return false }
                if let slot { found[slot] = .other }
                return object(at: node, depth: depth)
            case UInt8(ascii: "["):
                guard depth < maxDepth else { return false }
                if let slot { found[slot] = .other }
                return array(depth: depth)
            case UInt8(ascii: "\""):
                guard let text = string(decoding: slot != nil) else { return false }
                if let slot, let text {
                    guard let decoded = String(validating: text, as: UTF8.self) else { return false }
                    found[slot] = .string(decoded)
                }
                return true
            case UInt8(ascii: "t"): return literal("true", slot: slot, value: .boolean(true))
            case UInt8(ascii: "f"): return literal("false", slot: slot, value: .boolean(false))
            case UInt8(ascii: "n"): return literal("null", slot: slot, value: .other)
            default:
                guard let integer = number(reading: slot != nil) else { return false }
                if let slot { found[slot] = integer.map(Value.integer) ?? .other }
                return true
            }
        }

        private mutating func object(at node: Int?, depth: Int) -> Bool {
            index += 1
            skipSpace()
            if current == UInt8(ascii: "}") {
                index += 1
                return true
            }
            let children = node.map { nodes[$0].children } ?? []
            let closedHere = isClosed(node)
            // A key on the paths that comes twice could mean two things (parsers differ on
            // which copy wins, or merge them): the glance gives up instead.
            var seen: [Int] = []
            while true {
                skipSpace()
                guard current == UInt8(ascii: "\"") else { return false }
                var child: Int?
                if children.isEmpty && !closedHere {
                    guard string(decoding: false) != nil else { return false }
                } else {
                    guard let named = key(among: children) else { return false }
                    if closedHere && named == nil { return false }
                    child = named
                    if let child {
                        guard !seen.contains(child) else { return false }
                        seen.append(child)
                    }
                }
                skipSpace()
                guard current == UInt8(ascii: ":") else { return false }
                index += 1
                guard value(at: child, depth: depth + 1) else { return false }
                skipSpace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    return true
                default: return false
                }
            }
        }

        /// Reads a key: the child among `children` it names (`.some(nil)` for none), nil when it
        /// is ill-formed. A key without escapes is compared where it lies.
        private mutating func key(among children: [(name: [UInt8], node: Int)]) -> Int?? {
            let start = index + 1
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 { end += 1 }
            if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
                index = end + 1
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<end])
                return .some(children.first { $0.name.elementsEqual(raw) }?.node)
            }
            guard let decoded = string(decoding: true), let decoded else { return nil }
            return .some(children.first { $0.name == decoded }?.node)
        }

        private mutating func array(depth: Int) -> Bool {
            index += 1
            skipSpace()
            if current == UInt8(ascii: "]") {
                index += 1
                return true
            }
            while true {
                guard value(at: nil, depth: depth + 1) else { return false }
                skipSpace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    return true
                default: return false
                }
            }
        }

        private mutating func literal(_ word: StaticString, slot: Int?, value: Value) -> Bool {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
            index += count
            if let slot { found[slot] = value }
            return true
        }

        /// Checks a number; when `reading`, its value if it is an integer that fits in 64 bits
        /// (`.some(nil)` otherwise, and when not reading).
        private mutating func number(reading: Bool) -> Int64?? {
            let start = index
            if current == UInt8(ascii: "-") { index += 1 }
            guard let first = current, isDigit(first) else { return nil }
            index += 1
            if first != UInt8(ascii: "0") { while let byte = current, isDigit(byte) { index += 1 } }
            var integral = true
            if current == UInt8(ascii: ".") {
                integral = false
                index += 1
                guard let byte = current, isDigit(byte) else { return nil }
                while let byte = current, isDigit(byte) { index += 1 }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                integral = false
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard let byte = current, isDigit(byte) else { return nil }
                while let byte = current, isDigit(byte) { index += 1 }
            }
            guard integral, reading else { return .some(nil) }
            return .some(Int64(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)))
        }

        private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        /// Checks a string; its UTF-8 bytes, unescaped, when `decoding` (`.some(nil)` otherwise).
        private mutating func string(decoding: Bool) -> [UInt8]?? {
            index += 1
            var out: [UInt8] = []
            while let byte = current {
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return decoding ? .some(out) : .some(nil)
                case UInt8(ascii: "\\"):
                    guard let escaped = current else { return nil }
                    index += 1
                    let plain: UInt8? = switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): escaped
                    case UInt8(ascii: "b"): 0x08
                    case UInt8(ascii: "f"): 0x0C
                    case UInt8(ascii: "n"): 0x0A
                    case UInt8(ascii: "r"): 0x0D
                    case UInt8(ascii: "t"): 0x09
                    default: nil
                    }
                    if let plain {
                        if decoding { out.append(plain) }
                        continue
                    }
                    // A surrogate must come in a pair, read or not, as JSONDecoder has it.
                    guard escaped == UInt8(ascii: "u"), let unit = hexUnit(), let scalar = scalar(from: unit) else { return nil }
                    if decoding { out.append(contentsOf: String(Character(scalar)).utf8) }
                case 0x00..<0x20:
                    return nil
                default:
                    if decoding { out.append(byte) }
                }
            }
            return nil
        }

        /// The scalar of a `\u` escape, reading the low half of a surrogate pair that follows.
        private mutating func scalar(from unit: UInt16) -> Unicode.Scalar? {
            switch unit {
            case 0xD800..<0xDC00:
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { return nil }
                index += 2
                guard let low = hexUnit(), (0xDC00..<0xE000).contains(low) else { return nil }
                return Unicode.Scalar(0x10000 + (UInt32(unit - 0xD800) << 10) + UInt32(low - 0xDC00))
            case 0xDC00..<0xE000:
                return nil
            default:
                return Unicode.Scalar(unit)
            }
        }

        private mutating func hexUnit() -> UInt16? {
            guard index + 4 <= bytes.count else { return nil }
            var unit: UInt16 = 0
            for _ in 0..<4 {
                guard let digit = bytes[index].hexDigitValue else { return nil }
                unit = unit << 4 | UInt16(digit)
                index += 1
            }
            return unit
        }
    }
}
