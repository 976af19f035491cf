import Foundation

extension UUID {
    /// The lower-case text form, as `lowercasedString` gives it, without Foundation's
    /// formatted printing and a second string: a gift spells a dozen ids (keys, ledger
    /// references, processor metadata), and printing them showed in its CPU profile.
    var lowercasedString: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var cursor = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        out[cursor] = UInt8(ascii: "-")
                        cursor += 1
                    }
                    out[cursor] = Self.hexDigit(byte >> 4)
                    out[cursor + 1] = Self.hexDigit(byte & 0x0F)
                    cursor += 2
                }
                return cursor
            }
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}
