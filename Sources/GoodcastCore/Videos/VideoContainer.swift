/// The video containers Goodcast accepts, recognised by their first bytes rather than by the
/// file's name or the type the client claims (a renamed `.exe` is not a video).
public enum VideoContainer: String, Sendable, CaseIterable {
    case mp4
    case webm
    case quickTime = "quicktime"

    public var mediaType: String {
        switch self {
        case .mp4: "video/mp4"
        case .webm: "video/webm"
        case .quickTime: "video/quicktime"
        }
    }

    /// How many leading bytes `sniff` needs to decide.
    public static let sniffLength = 64

    /// The container of a file from its first bytes, or nil if it is none of the accepted ones.
    /// ISO base media files start with a box (`size`, then `ftyp`) whose major brand tells
    /// QuickTime (`qt  `) from MP4; older QuickTime files start with a `moov`, `mdat`, `wide`,
    /// `free` or `skip` atom; WebM is an EBML header whose DocType is `webm`.
    public static func sniff<Bytes: Collection<UInt8>>(_ head: Bytes) -> VideoContainer? {
        let bytes = Array(head.prefix(sniffLength))
        guard bytes.count >= 12 else { return nil }
        if bytes[0...3] == [0x1A, 0x45, 0xDF, 0xA3] {
            // The DocType element (0x42 0x82) names the flavour: Matroska files that are not WebM are refused.
            guard let at = bytes.firstRange(of: [0x42, 0x82])?.lowerBound, at + 3 < bytes.count else { return nil }
            let length = Int(bytes[at + 2] & 0x7F)
            let start = at + 3
            guard bytes[at + 2] & 0x80 != 0, start + length <= bytes.count else { return nil }
            return bytes[start..<(start + length)].elementsEqual("webm".utf8) ? .webm : nil
        }
        let size = bytes[0...3].reduce(0) { $0 << 8 | Int($1) }
        let type = String(decoding: bytes[4...7], as: UTF8.self)
        switch type {
        case "ftyp":
            guard size >= 16 else { return nil }
            let brand = String(decoding: bytes[8...11], as: UTF8.self)
            if brand == "qt  " { return .quickTime }
            return mp4Brands.contains(brand) ? .mp4 : nil
        case "moov", "mdat", "wide", "free", "skip":
            return size >= 8 || size == 1 ? .quickTime : nil
        default:
            return nil
        }
    }

    /// Major brands of MP4 video (not still images like HEIF's `heic` or `avif`).
    static let mp4Brands: Set<String> = ["isom", "iso2", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "dash", "M4V ", "MSNV", "3gp4", "3gp5", "3g2a", "mmp4"]
}
