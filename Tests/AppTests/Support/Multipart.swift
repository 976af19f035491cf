import Foundation
import HTTPTypes
import NIOCore

/// A `multipart/form-data` body as a browser sends it.
struct Multipart {
    let boundary = "----goodcast\(UUID().uuidString.prefix(8))"
    private(set) var body = ByteBuffer()

    mutating func field(_ name: String, _ value: String) {
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
    }

    mutating func file(_ name: String, filename: String, type: String, _ bytes: [UInt8]) {
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n")
        body.writeBytes(bytes)
        body.writeString("\r\n")
    }

    func finished() -> ByteBuffer {
        var done = body
        done.writeString("--\(boundary)--\r\n")
        return done
    }

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }
}
