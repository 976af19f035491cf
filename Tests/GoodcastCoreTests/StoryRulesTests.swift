import Foundation
import GoodcastCore
import Testing

@Suite("Stories: image formats, sticker placement, lifetime")
struct StoryRulesTests {
    @Test("images are recognised by their first bytes, whatever they are called")
    func sniffing() {
        #expect(ImageFormat.sniff([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 0x4A, 0x46]) == .jpeg)
        #expect(ImageFormat.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D]) == .png)
        let webp = Array("RIFF".utf8) + [0x24, 0, 0, 0] + Array("WEBPVP8 ".utf8)
        #expect(ImageFormat.sniff(webp) == .webp)
        // A RIFF that is a WAV, a PNG cut short, GIF, text, nothing.
        #expect(ImageFormat.sniff(Array("RIFF".utf8) + [0x24, 0, 0, 0] + Array("WAVEfmt ".utf8)) == nil)
        #expect(ImageFormat.sniff([0x89, 0x50, 0x4E, 0x47]) == nil)
        #expect(ImageFormat.sniff(Array("GIF89a".utf8)) == nil)
        #expect(ImageFormat.sniff(Array("<html><script>".utf8)) == nil)
        #expect(ImageFormat.sniff([UInt8]()) == nil)
    }

    @Test("a sticker's placement stays on the picture, at a visible size")
    func placement() throws {
        try StickerPlacement(x: 0, y: 1, scale: 0.1, rotation: -360).check(field: "stickers[0]")
        try StickerPlacement(x: 0.5, y: 0.5, scale: 5, rotation: 360).check(field: "stickers[0]")
        for (bad, name) in [(StickerPlacement(x: 1.01, y: 0.5, scale: 1, rotation: 0), "x"), (StickerPlacement(x: 0.5, y: -0.1, scale: 1, rotation: 0), "y"),
                            (StickerPlacement(x: 0.5, y: 0.5, scale: 0, rotation: 0), "scale"), (StickerPlacement(x: 0.5, y: 0.5, scale: 1, rotation: 400), "rotation"),
                            (StickerPlacement(x: .nan, y: 0.5, scale: 1, rotation: 0), "x"), (StickerPlacement(x: 0.5, y: 0.5, scale: .infinity, rotation: 0), "scale")] {
            #expect(throws: ValidationIssue.self) { try bad.check(field: "stickers[1]") }
            do { try bad.check(field: "stickers[1]") } catch { #expect(error.field == "stickers[1].\(name)") }
        }
    }

    @Test("a story is seen for a day, a highlight for good, a deleted one never")
    func lifetime() {
        let posted = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(StoryRules.isVisible(createdAt: posted, highlight: false, deleted: false, now: posted.addingTimeInterval(23 * 3600)))
        #expect(!StoryRules.isVisible(createdAt: posted, highlight: false, deleted: false, now: posted.addingTimeInterval(24 * 3600)))
        #expect(StoryRules.isVisible(createdAt: posted, highlight: true, deleted: false, now: posted.addingTimeInterval(400 * 86_400)))
        #expect(!StoryRules.isVisible(createdAt: posted, highlight: true, deleted: true, now: posted))
    }
}
