import Foundation
import ForecastKit

/// Checks on every file the CLI writes, made before any work so that a long fit never ends in
/// "cannot write", and repeated just before the atomic rename. A destination is refused when it
/// is the same file as an input (device and inode, links followed: `--output data.csv`, or a link
/// to it), when it exists and is not a regular file (a symbolic link, FIFO, device or directory:
/// the atomic rename would replace the link or node rather than write through it), when it is
/// named twice, or when its directory is missing or not writable (probed by creating a file).
enum OutputSafety {
    /// Refuses unsafe `outputs` (flag, path) given the `inputs` (flag, path; `-` is standard input).
    static func check(outputs: [(flag: String, path: String?)], inputs: [(flag: String, path: String?)]) throws {
        let given = outputs.compactMap { o in o.path.map { (flag: o.flag, path: $0) } }
        var seen: [(flag: String, id: FileID)] = []
        for (flag, path) in given {
            if path == "-" { throw DestinationError(path: path, message: "\(flag) takes a file name; '-' (standard output) is not accepted here") }
            try checkNode(path, flag: flag)
            for (inFlag, input) in inputs.compactMap({ i in i.path.map { (i.flag, $0) } }) {
                if let a = FileID(path), let b = FileID(input), a == b {
                    throw DestinationError(path: path, message: "\(flag) is the same file as \(inFlag) \(input); refusing to replace an input, write to another file")
                }
            }
            if let id = FileID(path: path, orPlanned: true) {
                if let other = seen.first(where: { $0.id == id }) {
                    throw DestinationError(path: path, message: "\(flag) names the same file as \(other.flag); give each output its own file")
                }
                seen.append((flag, id))
            }
            try probeDirectory(of: path)
        }
    }

    /// Writes `text` to `path` atomically after checking the destination again (it may have been
    /// replaced by a link or a FIFO while the command worked).
    static func write(_ text: String, to path: String) throws {
        try checkNode(path, flag: "the destination")
        try writingOutput { try AtomicFile.write(text, to: path) }
    }

    /// Refuses an existing destination that is not a regular file.
    static func checkNode(_ path: String, flag: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }   // does not exist yet: fine
        switch st.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFLNK:
            throw DestinationError(path: path, message: "\(flag) is a symbolic link; forecast replaces files atomically and does not write through links: name the file itself")
        case S_IFDIR: throw DestinationError(path: path, message: "\(flag) is a directory; expected a file name")
        case S_IFIFO: throw DestinationError(path: path, message: "\(flag) is a FIFO, not a regular file; write to a file (or to standard output where the command allows it)")
        default: throw DestinationError(path: path, message: "\(flag) is a device or special file, not a regular file; write to a regular file")
        }
    }

    /// Creates and removes a probe file beside `path`: the only check that also holds for root,
    /// read-only mounts and full quotas.
    static func probeDirectory(of path: String) throws {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var st = stat()
        guard stat(dir, &st) == 0 else {
            throw DestinationError(path: path, message: "the directory \(dir) does not exist")
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            throw DestinationError(path: path, message: "\(dir) is not a directory")
        }
        let probe = "\(dir)/.\(URL(fileURLWithPath: path).lastPathComponent).probe-\(getpid())"
        try writingOutput {   // a second Ctrl-C must not leave the probe behind
            let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard fd >= 0 else {
                throw DestinationError(path: path, message: "cannot create files in \(dir) (\(String(cString: strerror(errno))))")
            }
            close(fd)
            unlink(probe)
        }
    }
}

/// A file's identity: device and inode, links followed.
struct FileID: Equatable {
    let device: UInt64, inode: UInt64

    /// The identity of an existing file; `-` is standard input.
    init?(_ path: String) {
        var st = stat()
        guard (path == "-" ? fstat(0, &st) : stat(path, &st)) == 0 else { return nil }
        (device, inode) = (UInt64(st.st_dev), UInt64(st.st_ino))
    }

    /// For a file that may not exist yet: its directory's identity and a hash of its name
    /// (two spellings of one new file, `./f.csv` and `f.csv`, compare equal).
    init?(path: String, orPlanned: Bool) {
        if let id = FileID(path) { self = id; return }
        let url = URL(fileURLWithPath: path)
        guard let dir = FileID(url.deletingLastPathComponent().path) else { return nil }
        var h = Hasher()
        h.combine(url.lastPathComponent)
        (device, inode) = (dir.device ^ 0x5A5A_5A5A_5A5A_5A5A, dir.inode ^ UInt64(bitPattern: Int64(h.finalize())))
    }
}

/// Standard output with every write checked: a failed write (`> /dev/full`, a closed descriptor)
/// is an error with exit code 1; a reader that went away (`| head -1`) ends the process quietly by
/// SIGPIPE, as `cat` does, even when SIGPIPE was ignored by whoever started us.
enum StandardOutput {
    static func write(_ text: String) throws {
        fflush(nil)   // keep order with anything printed through stdio
        var text = text
        try text.withUTF8 { b in
            var done = 0
            while done < b.count {
                let n = Foundation.write(1, b.baseAddress! + done, b.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { try fail(errno) }
                done += n
            }
        }
    }

    /// Flushes what went through stdio (`print`, as in `bench` and help) once the command is done.
    static func finish() throws {
        if fflush(nil) != 0 { try fail(errno == 0 ? EIO : errno) }
    }

    static func fail(_ code: Int32) throws -> Never {
        if code == EPIPE {
            signal(SIGPIPE, SIG_DFL)
            raise(SIGPIPE)
            Foundation.exit(141)
        }
        throw DestinationError(path: "standard output", message: "cannot write (\(String(cString: strerror(code))))")
    }
}

/// Prints a line to standard output, checked.
func say(_ s: String) throws { try StandardOutput.write(s + "\n") }

/// A destination refused, or standard output that could not be written; exit code 1.
struct DestinationError: Error, CustomStringConvertible {
    var path: String
    var message: String
    var description: String { "\(path): \(message)" }
}
