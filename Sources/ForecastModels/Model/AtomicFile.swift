import Foundation
import ForecastData

/// Writes files so that readers see the old content or the new, never a mix: the bytes go to a
/// hidden temporary file in the same directory, are flushed, and the file is renamed over the target.
package enum AtomicFile {
    /// Writes `bytes` to `path` atomically.
    package static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { try $0.write(bytes) }
    }

    /// Where `write(to:_:)`'s producer writes its bytes, in order.
    package struct Sink {
        fileprivate let fd: Int32

        /// Appends `bytes` to the temporary file.
        /// - Throws: `SinkFailure` when the write fails (disk full); `write(to:_:)` reports it.
        package func write(_ bytes: [UInt8]) throws {
            let ok = bytes.withUnsafeBytes { p in
                var done = 0
                while done < p.count {
                    let n = systemWrite(fd, p.baseAddress! + done, p.count - done)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { return false }
                    done += n
                }
                return true
            }
            if !ok { throw SinkFailure() }
        }
    }

    /// A failed write to a `Sink`.
    package struct SinkFailure: Error {}

    /// Writes what `produce` hands its sink to `path` atomically, piece by piece (nothing needs to
    /// be whole in memory); an error from `produce` removes the temporary file and is rethrown.
    package static func write(to path: String, _ produce: (Sink) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
            throw ForecastError.output(path: path, message: "the directory \(dir.path) does not exist")
        }
        let temp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        // Written with open/write, not FileManager.createFile: that writes through a temporary file
        // of its own (".dat.nosync…"), which a writer killed mid-write left behind under a name
        // that `removeStaleTemporaries` does not know.
        let failed = ForecastError.output(path: path, message: "cannot write a temporary file in \(dir.path) (permissions or disk full?)")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw failed }
        do {
            try produce(Sink(fd: fd))
            _ = fsync(fd)
            close(fd)
        } catch {
            close(fd)
            unlink(temp.path)
            throw error is SinkFailure ? failed : error
        }
        if rename(temp.path, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temp.path)
            throw ForecastError.output(path: path, message: "cannot replace the file (\(reason))")
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

/// The C library's `write(2)` (the name is taken inside `AtomicFile.Sink`).
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}
