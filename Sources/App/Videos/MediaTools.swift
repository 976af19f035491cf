import Foundation
import NIOPosix

/// ffprobe and ffmpeg, when they are installed: the duration and size of an upload, whether it
/// really holds a video stream, and a poster frame. Without them uploads are still checked by
/// their container signature.
struct MediaTools: Sendable {
    let ffprobe: String?
    let ffmpeg: String?

    static let none = MediaTools(ffprobe: nil, ffmpeg: nil)

    /// Finds the tools on the PATH.
    static func find(enabled: Bool) -> MediaTools {
        guard enabled else { return .none }
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        func locate(_ name: String) -> String? {
            folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        }
        return MediaTools(ffprobe: locate("ffprobe"), ffmpeg: locate("ffmpeg"))
    }

    struct Probe: Sendable, Equatable {
        var durationMilliseconds: Int64?
        var width: Int64?
        var height: Int64?
    }

    enum ProbeError: Error { case noVideoStream, unreadable }

    /// What ffprobe reads in the file; nil when ffprobe is not installed.
    func probe(_ path: String) async throws -> Probe? {
        guard let ffprobe else { return nil }
        let result = try await Self.run(ffprobe, ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", path], seconds: 20)
        guard result.status == 0,
              let object = try? JSONSerialization.jsonObject(with: result.output) as? [String: Any] else { throw ProbeError.unreadable }
        let streams = object["streams"] as? [[String: Any]] ?? []
        guard let video = streams.first(where: { $0["codec_type"] as? String == "video" }) else { throw ProbeError.noVideoStream }
        var probe = Probe()
        if let seconds = ((object["format"] as? [String: Any])?["duration"] as? String).flatMap(Double.init), seconds.isFinite, seconds >= 0, seconds < 1e9 {
            probe.durationMilliseconds = Int64((seconds * 1000).rounded())
        }
        probe.width = (video["width"] as? Int).map(Int64.init)
        probe.height = (video["height"] as? Int).map(Int64.init)
        return probe
    }

    /// Writes a JPEG of the first frame, at most 480 pixels wide; false when it could not.
    func poster(of path: String, to output: String) async -> Bool {
        guard let ffmpeg else { return false }
        let result = try? await Self.run(ffmpeg, ["-v", "error", "-y", "-i", path, "-frames:v", "1", "-vf", "scale='min(480,iw)':-2", "-q:v", "5", output], seconds: 30)
        return result?.status == 0 && FileManager.default.fileExists(atPath: output)
    }

    /// At most two tools at a time: each takes a core, and the server has two.
    static let slots = ToolSlots(limit: 2)

    /// Runs a tool to its end (killed after `seconds`), with its standard output.
    static func run(_ tool: String, _ arguments: [String], seconds: Int) async throws -> (status: Int32, output: Data) {
        await slots.acquire()
        do {
            let result = try await runNow(tool, arguments, seconds: seconds)
            await slots.release()
            return result
        } catch {
            await slots.release()
            throw error
        }
    }

    private static func runNow(_ tool: String, _ arguments: [String], seconds: Int) async throws -> (status: Int32, output: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let (ended, exit) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { finished in
            exit.yield(finished.terminationStatus)
            exit.finish()
        }
        try process.run()
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: .seconds(seconds))
            kill(pid, SIGKILL)
        }
        // Read before waiting (a full pipe would block the tool), on NIO's blocking-I/O pool
        // rather than the concurrency pool, which has a thread per core.
        let reading = pipe.fileHandleForReading
        let output = try await NIOThreadPool.singleton.runIfActive { reading.readDataToEndOfFile() }
        var status: Int32 = -1
        for await code in ended { status = code }
        watchdog.cancel()
        return (status, output)
    }
}

/// A counting semaphore for async code.
actor ToolSlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { free = limit }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}
