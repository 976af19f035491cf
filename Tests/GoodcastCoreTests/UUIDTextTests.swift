import Foundation
import GoodcastCore
import PropertyBased
import Testing

@Suite("UUID text")
struct UUIDTextTests {
    static let anyUUID = Gen.uint8().array(of: 16).map { bytes in
        UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                    bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    @Test("both cases spell what Foundation spells")
    func spelling() async {
        await propertyCheck(input: Self.anyUUID) { id in
            #expect(id.uppercasedString == id.uuidString)
            #expect(id.lowercasedString == id.uuidString.lowercased())
        }
    }

    @Test("parse reads what UUID(uuidString:) reads from 36 hex digits and four dashes, and nothing else")
    func parsing() async {
        let edits = Gen.int(in: 0...40).array(of: 0...3)
        let characters = Gen.element(of: Array("0123456789abcdefABCDEFgG-xé {}"))
        await propertyCheck(input: Self.anyUUID, edits, characters.array(of: 3), Gen.bool) { id, positions, replacements, lower in
            var text = Array(lower ? id.lowercasedString : id.uuidString)
            #expect(UUID.parse(String(text)) == id)
            for (position, replacement) in zip(positions, replacements) {
                let replacement = replacement!
                if position < text.count { text[position] = replacement } else { text.append(replacement) }
            }
            let edited = String(text)
            // Foundation's sscanf also lets a space in before a pair of digits; parse does not.
            let strict = edited.utf8.count == 36 && edited.enumerated().allSatisfy { index, character in
                [8, 13, 18, 23].contains(index) ? character == "-" : character.isHexDigit
            }
            #expect(UUID.parse(edited) == (strict ? UUID(uuidString: edited) : nil), "\(edited)")
            if edited.count <= 36 { #expect(UUID.parse(String(edited.dropLast())) == nil) }
        }
    }

    @Test("pooled random words are all different and each bit is set about half the time")
    func pooledRandom() {
        var random = PooledRandom()
        // Past the pool's size, so that it refills at least twice.
        let words = (0..<2_000).map { _ in random.next() }
        #expect(Set(words).count == words.count)
        for bit in 0..<64 {
            let set = words.filter { $0 >> UInt64(bit) & 1 == 1 }.count
            // Binomial(2000, 0.5): the standard deviation is about 22; 200 is nine of them.
            #expect((800...1_200).contains(set), "bit \(bit) set in \(set) of 2000")
        }
    }
}
