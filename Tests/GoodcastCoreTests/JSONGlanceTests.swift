import Foundation
import GoodcastCore
import PropertyBased
import Testing

@Suite("JSON glance")
struct JSONGlanceTests {
    /// A JSON value as the test writes it, so that what each path holds is known exactly.
    indirect enum Value {
        case object([(String, Value)])
        case array([Value])
        case string(String)
        case integer(Int64)
        case fraction(String)
        case literal(String)

        /// What the glance should report for this value.
        var glanced: JSONGlance.Value {
            switch self {
            case .string(let text): .string(text)
            case .integer(let number): .integer(number)
            case .literal("true"): .boolean(true)
            case .literal("false"): .boolean(false)
            default: .other
            }
        }

        func at(_ path: ArraySlice<String>) -> Value? {
            guard let first = path.first else { return self }
            guard case .object(let members) = self, let member = members.first(where: { $0.0 == first }) else { return nil }
            return member.1.at(path.dropFirst())
        }
    }

    /// SplitMix64: a whole random document from one generated seed.
    struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    static let keys = ["id", "type", "data", "object", "created", "metadata", "k", "x", "é", "a\"b"]
    static let characters: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{1}", "\u{1F}", "é", "€", "\u{FFFF}", "😀", "𝄞"]
    static let paths: [[String]] = [["id"], ["type"], ["data"], ["data", "object", "created"], ["data", "object", "metadata", "k"], ["data", "object", "metadata", "é"], ["x", "a\"b"]]
    static let glance = JSONGlance(paths: paths)

    static func value(_ random: inout Random, depth: Int) -> Value {
        switch random.next(depth > 3 ? 4 : 6) {
        case 0: return .string(String((0..<random.next(8)).map { _ in characters[random.next(characters.count)] }))
        case 1: return .integer([Int64.min, Int64.max, 0, -1, 1_764_201_600][random.next(5)] &+ (Int64(random.next(3)) - 1))
        case 2: return .fraction(["1.5", "-0.25", "1e3", "2E-2", "-0.0", "123456789012345678901234567890", "0.0"][random.next(7)])
        case 3: return .literal(["true", "false", "null"][random.next(3)])
        case 4: return .array((0..<random.next(4)).map { _ in value(&random, depth: depth + 1) })
        default:
            var seen: Set<String> = []
            var members: [(String, Value)] = []
            for _ in 0..<random.next(6) {
                let key = keys[random.next(keys.count)]
                if seen.insert(key).inserted { members.append((key, value(&random, depth: depth + 1))) }
            }
            return .object(members)
        }
    }

    /// JSON text, with random spacing and random `\u` escapes (surrogate pairs beyond the BMP).
    static func write(_ value: Value, _ random: inout Random) -> String {
        let space = [" ", "\n", "\t", "\r", ""][random.next(5)]
        switch value {
        case .object(let members):
            return "{" + space + members.map { write(.string($0.0), &random) + space + ":" + write($0.1, &random) }.joined(separator: "," + space) + "}"
        case .array(let items):
            return "[" + items.map { space + write($0, &random) }.joined(separator: ",") + "]"
        case .integer(let number): return String(number)
        case .fraction(let text), .literal(let text): return text
        case .string(let text):
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += random.next(2) == 0 ? "\\\\" : "\\u005C"
                case "/": out += random.next(2) == 0 ? "/" : "\\/"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 || random.next(4) == 0 {
                        for unit in String(scalar).utf16 { out += "\\u" + String(format: "%04X", unit) }
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            return out + "\""
        }
    }

    @Test("reads what sits at each path of any document, and reports absent paths as absent")
    func readsPaths() async {
        await propertyCheck(input: Gen.int64(in: .min ... .max)) { seed in
            var random = Random(state: UInt64(bitPattern: seed))
            var document = Self.value(&random, depth: 0)
            if case .object = document {} else { document = .object([("data", document)]) }
            let text = Self.write(document, &random)
            let found = try #require(Self.glance.read(Data(text.utf8)), "\(text)")
            for (index, path) in Self.paths.enumerated() {
                #expect(found[index] == document.at(path[...])?.glanced, "\(path) in \(text)")
            }
            // No strict prefix of an object is a JSON document.
            let bytes = Array(text.utf8)
            for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 25)) {
                #expect(Self.glance.read(Data(bytes[..<length])) == nil, "\(String(decoding: bytes[..<length], as: UTF8.self))")
            }
        }
    }

    @Test("refuses what is not JSON", arguments: [
        #"{"a":01}"#, #"{"a":1.}"#, #"{"a":-}"#, #"{"a":.5}"#, #"{"a":+1}"#, #"{"a":1e}"#, "{\"a\":\"\u{1}\"}", #"{"a":"\q"}"#, #"{"a":"\u12G4"}"#,
        #"{"a":tru}"#, #"{"a":nul}"#, #"{"a":1}x"#, #"{"a" 1}"#, #"{,}"#, #"{"a":[1,]}"#, #"{"a":1,}"#, #"{a:1}"#, #"{"id":"\uD800"}"#, #"{"id":"\uDC00x"}"#, #"{"b":"\uD800"}"#, #"{"b":"\uDBFF\u0041"}"#,
        "", " ", #"{"a":1"#, String(repeating: "[", count: 70) + String(repeating: "]", count: 70),
    ])
    func refuses(_ text: String) {
        #expect(JSONGlance(paths: [["id"], ["a"]]).read(Data(text.utf8)) == nil)
    }

    @Test("a key on the paths that comes twice in one object is refused; elsewhere a repeat is left alone")
    func repeatedKeys() throws {
        let glance = JSONGlance(paths: [["data", "object", "id"], ["type"]])
        #expect(glance.read(Data(#"{"data":{"object":{"id":"a"}},"data":{"object":{}}}"#.utf8)) == nil)
        #expect(glance.read(Data(#"{"data":{"object":{"id":"a","id":"b"}}}"#.utf8)) == nil)
        #expect(glance.read(Data(#"{"type":"a","type":"b"}"#.utf8)) == nil)
        let found = try #require(glance.read(Data(#"{"x":1,"x":2,"data":{"other":1,"other":2,"object":{"id":"a"}},"type":"t"}"#.utf8)))
        #expect(found == [.string("a"), .string("t")])
    }

    @Test("at most maxDepth objects and arrays one inside the other")
    func depth() {
        let glance = JSONGlance(paths: [], maxDepth: 3)
        #expect(glance.read(Data("[[[]]]".utf8)) != nil)
        #expect(glance.read(Data(#"[{"a":[1,"x",null]}]"#.utf8)) != nil)
        #expect(glance.read(Data("[[[[]]]]".utf8)) == nil)
        #expect(glance.read(Data(#"{"a":{"b":{"c":{}}}}"#.utf8)) == nil)
    }

    @Test("a string's bytes are checked only where they are read")
    func unreadStrings() throws {
        var bytes = Array(#"{"id":"ok","x":"?"}"#.utf8)
        bytes[bytes.count - 3] = 0xFF
        #expect(try #require(JSONGlance(paths: [["id"]]).read(Data(bytes))) == [.string("ok")])
        #expect(JSONGlance(paths: [["x"]]).read(Data(bytes)) == nil)
    }

    @Test("closed: a document that is an object holding only keys on the paths, objects where a path goes on")
    func closed() throws {
        let glance = JSONGlance(paths: [["amount"], ["amount", "amount"], ["token"], ["flag"]], closed: true)
        func read(_ text: String) -> [JSONGlance.Value?]? { glance.read(Data(text.utf8)) }
        #expect(try #require(read(#"{"amount":{"amount":5},"token":"t","flag":false}"#)) == [.other, .integer(5), .string("t"), .boolean(false)])
        #expect(try #require(read(#" {} "#)) == [nil, nil, nil, nil])
        #expect(try #require(read(#"{"amount":{},"flag":true}"#)) == [.other, nil, nil, .boolean(true)])
        // A leaf may hold anything; it is reported, not opened.
        #expect(try #require(read(#"{"token":{"any":[1,{"x":null}]},"flag":null}"#)) == [nil, nil, .other, .other])
        // Keys with escapes are the keys they spell.
        #expect(try #require(read(#"{"\u0074oken":"t"}"#)) == [nil, nil, .string("t"), nil])
        for text in [#"{"amount":{"amount":5},"tip":1}"#, #"{"amount":{"amount":5,"x":1}}"#, #"{"amount":5}"#, #"{"amount":null}"#,
                     #"{"amount":[]}"#, "[]", "null", #""token""#, "5", #"{"token":"a","token":"b"}"#, #"{"amount":{"amount":1,}}"#] {
            #expect(read(text) == nil, "\(text)")
        }
        // Not closed, the same documents are read.
        #expect(JSONGlance(paths: [["amount", "amount"]]).read(Data(#"{"amount":5,"tip":1}"#.utf8)) == [nil])
    }
}
