@testable import App
import Foundation

/// The sample videos that ship with the project.
enum Samples {
    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: PageRenderer.samplesDirectory.appendingPathComponent(name)))
    }
}
