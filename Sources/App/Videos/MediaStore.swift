import Foundation
import GoodcastCore

/// Where uploaded media lives. The local file system by default; an object store later
/// implements the same few calls.
protocol MediaStore: Sendable {
    /// A fresh path to write an upload to before it is checked and kept.
    func temporaryPath() throws -> String
    /// Keeps the file at `temporary` under `key` (moving it).
    func keep(_ temporary: String, as key: String) throws
    /// The local path of a kept file, for serving with ranges; nil when there is none.
    func path(of key: String) -> String?
    func delete(_ key: String) throws
}

/// Media as files under one folder: `videos/<id>.<ext>`, `videos/<id>.jpg`, `stories/<id>.<ext>`.
struct LocalMediaStore: MediaStore {
    let root: String

    init(root: String) throws {
        self.root = root
        for folder in ["tmp", "videos"] {
            try FileManager.default.createDirectory(atPath: (root as NSString).appendingPathComponent(folder), withIntermediateDirectories: true)
        }
    }

    func temporaryPath() throws -> String {
        (root as NSString).appendingPathComponent("tmp/\(UUID().lowercasedString).upload")
    }

    func keep(_ temporary: String, as key: String) throws {
        let target = fullPath(key)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.moveItem(atPath: temporary, toPath: target)
    }

    func path(of key: String) -> String? {
        let full = fullPath(key)
        return FileManager.default.fileExists(atPath: full) ? full : nil
    }

    func delete(_ key: String) throws {
        let full = fullPath(key)
        if FileManager.default.fileExists(atPath: full) { try FileManager.default.removeItem(atPath: full) }
    }

    /// Keys are made by the server (`videos/<uuid>.mp4`); refuse anything that could leave the folder.
    private func fullPath(_ key: String) -> String {
        precondition(!key.contains("..") && !key.hasPrefix("/"), "media keys are made by the server")
        return (root as NSString).appendingPathComponent(key)
    }
}
