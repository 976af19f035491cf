/// The still-image formats a story takes, recognised by their first bytes (a renamed file is
/// not an image because of its name).
public enum ImageFormat: String, Sendable, CaseIterable {
    case jpeg
    case png
    case webp

    public var mediaType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .webp: "image/webp"
        }
    }

    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .png: "png"
        case .webp: "webp"
        }
    }

    /// JPEG starts with an SOI marker and another marker (`FF D8 FF`); PNG with its eight-byte
    /// signature; WebP is a RIFF container whose form type is `WEBP` followed by a VP8 chunk.
    public static func sniff<Bytes: Collection<UInt8>>(_ head: Bytes) -> ImageFormat? {
        let bytes = Array(head.prefix(16))
        if bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF { return .jpeg }
        if bytes.count >= 8, bytes[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.count >= 16, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WEBP".utf8),
           bytes[12..<15].elementsEqual("VP8".utf8) {
            return .webp
        }
        return nil
    }
}
