import Foundation

extension UUID {
    /// The lower-case text form, as `uuidString.lowercased()` gives it, without Foundation's
    /// formatted printing and a second string: a gift spells a dozen ids (keys, ledger
    /// references, processor metadata), and printing them showed in its CPU profile.
    public var lowercasedString: String { text(letters: UInt8(ascii: "a")) }

    /// `uuidString`, written directly: Foundation prints it with `snprintf`, and SQLite stores
    /// every id in this form (as SQLiteKit does), some forty per gift.
    public var uppercasedString: String { text(letters: UInt8(ascii: "A")) }

    /// `UUID(uuidString:)`'s reading of 36 characters, dashes after 8, 12, 16 and 20 hex digits
    /// of either case, without Foundation's `sscanf` (which also lets a space in before each
    /// pair of digits; this does not): the ledger reads a fundraiser's id back from each entry
    /// it writes.
    public static func parse(_ text: String) -> UUID? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        var high: UInt8?
        var position = 0
        for character in text.utf8 {
            defer { position += 1 }
            if position == 8 || position == 13 || position == 18 || position == 23 {
                guard character == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard position < 36, let value = character.hexDigitValue else { return nil }
            if let first = high {
                bytes.append(first << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        guard position == 36, bytes.count == 16 else { return nil }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    private func text(letters: UInt8) -> String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var cursor = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        out[cursor] = UInt8(ascii: "-")
                        cursor += 1
                    }
                    out[cursor] = Self.hexDigit(byte >> 4, letters: letters)
                    out[cursor + 1] = Self.hexDigit(byte & 0x0F, letters: letters)
                    cursor += 2
                }
                return cursor
            }
        }
    }

    private static func hexDigit(_ value: UInt8, letters: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : letters + value - 10
    }
}

extension UInt8 {
    /// The value of a hexadecimal digit of either case, as ASCII; nil for any other byte.
    var hexDigitValue: UInt8? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): self - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): self - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): self - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
