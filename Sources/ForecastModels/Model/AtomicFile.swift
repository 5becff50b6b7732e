import Foundation

/// Writes files so that readers see the old content or the new, never a mix: the bytes go to a
/// hidden temporary file in the same directory, are flushed, and the file is renamed over the target.
package enum AtomicFile {
    /// Writes `bytes` to `path` atomically.
    package static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
            throw OutputError(path: path, message: "the directory \(dir.path) does not exist")
        }
        let temp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        guard FileManager.default.createFile(atPath: temp.path, contents: Data(bytes)) else {
            throw OutputError(path: path, message: "cannot write a temporary file in \(dir.path) (permissions or disk full?)")
        }
        let fd = open(temp.path, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        if rename(temp.path, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temp.path)
            throw OutputError(path: path, message: "cannot replace the file (\(reason))")
        }
    }

    /// Writes UTF-8 text atomically.
    package static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Removes temporary files that a killed writer left beside `path`.
    package static func removeStaleTemporaries(for path: String) {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        let prefix = ".\(url.lastPathComponent).tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return }
        for n in names where n.hasPrefix(prefix) {
            let pid = Int32(n.dropFirst(prefix.count)) ?? 0
            if pid > 0 && kill(pid, 0) == 0 && pid != getpid() { continue }   // a live writer
            unlink(dir.appendingPathComponent(n).path)
        }
    }
}

/// An output file that could not be written.
public struct OutputError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}
