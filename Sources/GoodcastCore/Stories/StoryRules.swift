import Foundation

/// Where a sticker sits on a story: its centre as fractions of the width and height, its
/// scale and its rotation in degrees. Bounded, so that a sticker cannot be hidden off the
/// picture or shrunk to nothing.
public struct StickerPlacement: Sendable, Equatable, Codable {
    public var x: Double
    public var y: Double
    public var scale: Double
    public var rotation: Double

    public init(x: Double, y: Double, scale: Double, rotation: Double) {
        self.x = x
        self.y = y
        self.scale = scale
        self.rotation = rotation
    }

    public static let scaleRange = 0.1...5.0
    public static let rotationRange = -360.0...360.0

    /// Checks every value, naming the first one out of bounds.
    public func check(field: String) throws(ValidationIssue) {
        for (name, value, range) in [("x", x, 0.0...1.0), ("y", y, 0.0...1.0), ("scale", scale, Self.scaleRange), ("rotation", rotation, Self.rotationRange)] {
            guard value.isFinite, range.contains(value) else {
                throw ValidationIssue(field: "\(field).\(name)", message: "must be a number from \(range.lowerBound) to \(range.upperBound)")
            }
        }
    }
}

/// How long stories last and what they may carry.
public enum StoryRules {
    /// A story is seen for a day, unless its owner keeps it as a highlight.
    public static let lifetime: TimeInterval = 24 * 3600
    public static let maxStickers = 5
    /// Longest video story, in seconds.
    public static let maxVideoSeconds = 60.0
    /// Largest still image, in bytes.
    public static let maxImageBytes = 10 << 20

    public static func isVisible(createdAt: Date, highlight: Bool, deleted: Bool, now: Date) -> Bool {
        !deleted && (highlight || now.timeIntervalSince(createdAt) < lifetime)
    }
}
