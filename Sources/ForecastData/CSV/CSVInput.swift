#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The inputs a shell user has: a path, `-` for standard input, `/dev/stdin`, a FIFO, or a process
/// substitution (`<(gunzip -c data.csv.gz)`, which arrives as `/dev/fd/63`).
///
/// Only a regular file may be opened more than once (to peek at its header, or to read two halves
/// in parallel); anything else is opened once and read front to back, never seeked.
package enum CSVInput {
    /// How messages name the input: `-` is "standard input".
    package static func displayName(_ path: String) -> String { path == "-" ? "standard input" : path }

    /// The size of `path` when it is a regular file (links followed); `nil` for standard input,
    /// FIFOs, devices and anything that cannot be stat'ed (the open reports why).
    package static func regularFileSize(_ path: String) -> Int? {
        guard path != "-" else { return nil }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(st.st_size)
    }

    /// Opens `path` for reading (`-`: a duplicate of standard input, so closing it leaves fd 0 alone).
    static func open(_ path: String) throws -> UnsafeMutablePointer<FILE> {
        let name = displayName(path)
        if path == "-" {
            let fd = dup(0)
            guard fd >= 0, let f = fdopen(fd, "rb") else {
                if fd >= 0 { close(fd) }
                throw ForecastError(file: name, message: "cannot read standard input (\(String(cString: strerror(errno))))")
            }
            return f
        }
        var st = stat()
        if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw ForecastError(file: name, message: "is a directory; expected a CSV file")
        }
        guard let f = fopen(path, "rb") else {
            throw ForecastError(file: name, message: "cannot open the file (\(String(cString: strerror(errno))))")
        }
        return f
    }
}
