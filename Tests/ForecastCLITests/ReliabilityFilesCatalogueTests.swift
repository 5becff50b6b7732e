import Foundation
import Testing

/// The "Files" and "Input" parts of the reliability catalogue (issue 14), one test per promise:
/// the built `forecast` is run on a hostile input, and each test checks the exit code, the message,
/// that the inputs are byte-for-byte and inode-for-inode untouched, and that no output appeared.
/// Hostile files are sparse (`truncate`) or streamed through a pipe, so they cost no disk, and the
/// commands that read them run under a 250 MB address-space limit (`ulimit -v`; `forecast` needs
/// about 150 MB), below the size of every hostile file: reading one whole would fail.
@Suite struct ReliabilityFilesCatalogueTests {
    /// A model fitted once (one small network, a few steps): the commands under test only read it.
    static let fitted: (dir: String, model: String) = {
        let dir = tempDir()
        let r = try! forecast(["fit", airline, "--target", "passengers", "--horizon", "3", "--max-steps", "5", "--ensemble", "1",
                               "--combine", "network", "--quiet", "--model", "\(dir)/m.fcm"])
        precondition(r.status == 0, r.stderr)
        return (dir, "\(dir)/m.fcm")
    }()

    // MARK: - Files: never destroy what the user did not ask to replace

    @Test func destinationsThatAreInputsLinksOrSpecialFilesAreRefused() throws {
        let dir = tempDir()
        let model = "\(dir)/m.fcm"
        try FileManager.default.copyItem(atPath: Self.fitted.model, toPath: model)
        let data = "\(dir)/data.csv"
        try FileManager.default.copyItem(atPath: airline, toPath: data)
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/link.csv", withDestinationPath: data)
        #expect(mkfifo("\(dir)/fifo", 0o600) == 0)
        let device = mknod("\(dir)/null", S_IFCHR | 0o666, dev_t(0x103)) == 0   // root only: a private /dev/null (1, 3)
        let predict = ["predict", "--model", model, "--horizon", "3"]
        var cases: [(args: [String], message: String)] = [
            (predict + ["--output", model], "--output is the same file as --model"),
            (predict + ["--data", data, "--output", data], "--output is the same file as --data"),
            (predict + ["--data", data, "--output", "\(dir)/link.csv"], "is a symbolic link"),
            (predict + ["--data", "\(dir)/link.csv", "--plot", data], "--plot is the same file as --data"),
            (predict + ["--output", "\(dir)/fifo"], "is a FIFO, not a regular file"),
            (predict + ["--output", "\(dir)/f.csv", "--plot", "\(dir)/./f.csv"], "names the same file as --output"),
            (predict + ["--output", "\(dir)/nowhere/f.csv"], "does not exist"),
            (["evaluate", data, "--model", model, "--plot", data], "--plot is the same file as the data"),
            (["backtest", data, "--target", "passengers", "--horizon", "3", "--plot", "\(dir)/link.csv"], "is a symbolic link"),
            // Refused before the data are read, let alone trained on.
            (["fit", data, "--target", "passengers", "--horizon", "3", "--model", data], "--model is the same file as the data"),
            (["fit", data, "--target", "passengers", "--horizon", "3", "--model", "\(dir)/link.csv"], "is a symbolic link"),
            (["fit", data, "--target", "passengers", "--horizon", "3", "--resume", model, "--model", model], "--model is the same file as --resume"),
            (["fit", data, "--target", "passengers", "--horizon", "3", "--warm-start", model, "--model", model], "--model is the same file as --warm-start"),
            (["fit", data, "--target", "passengers", "--horizon", "3", "--model", "\(data)/m.fcm"], "is not a directory"),
            (["fit", data, "--target", "passengers", "--horizon", "3", "--model", "-"], "--model takes a file name"),
        ]
        if device { cases.append((predict + ["--output", "\(dir)/null"], "is a device or special file")) }
        // A directory this user cannot write to, refused before training: a mode-500 one, or for
        // root (who writes into any mode) sysfs, which refuses new files to everyone.
        let locked = "\(dir)/locked"
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o500])
        let unwritable = geteuid() != 0 ? locked : FileManager.default.fileExists(atPath: "/sys/kernel") ? "/sys" : nil
        if let unwritable {
            cases.append((["fit", data, "--target", "passengers", "--horizon", "3", "--model", "\(unwritable)/m.fcm"],
                          "cannot create files in \(unwritable)"))
            cases.append((predict + ["--output", "\(unwritable)/f.csv"], "cannot create files in \(unwritable)"))
        }
        let inputs = [model, data, "\(dir)/link.csv"]
        let before = try inputs.map(Snapshot.init), listing = files(in: dir)
        for c in cases {
            let r = try forecast(c.args)
            #expect(r.status == 1, "\(c.args): \(r.stderr)")
            #expect(r.stderr.contains(c.message), "\(c.args): \(r.stderr)")
            #expect(!r.stderr.contains("data:") && !r.stderr.contains("model written"), "worked before refusing: \(r.stderr)")
            #expect(try inputs.map(Snapshot.init) == before, "\(c.args) changed an input")
            #expect(files(in: dir) == listing, "\(c.args) left a file")
        }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(dir)/link.csv") == data)
    }

    @Test func standardOutputWriteFailuresAreErrors() throws {
        let predict = "\"$F\" predict --model '\(Self.fitted.model)' --horizon 3"
        let dash = try shell("cd '\(tempDir())' && \(predict) --output - && ls")   // `-` is standard output, not a file
        #expect(dash.status == 0 && dash.stdout.hasPrefix("date,passengers\n1961-01-01,"), "\(dash.stdout)")
        #expect(!dash.stdout.contains("\n-\n"), "wrote a file named '-'")
        for (redirect, message) in [("> /dev/full", "standard output: cannot write (No space left on device)"),
                                    (">&-", "standard output: cannot write (Bad file descriptor)")] {
            let r = try shell("\(predict) \(redirect)")
            #expect(r.status == 1, "\(redirect): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(redirect): \(r.stderr)")
        }
        // Help and the version are output too.
        for command in ["\"$F\" help", "\"$F\" --version", "\"$F\" fit --help"] {
            let r = try shell("\(command) > /dev/full")
            #expect(r.status == 1 && r.stderr.contains("No space left on device"), "\(command): \(r.status) \(r.stderr)")
            #expect(try shell(command).status == 0, "\(command)")
        }
        // A reader that went away: the conventional quiet death by SIGPIPE, even when the parent
        // ignored SIGPIPE (then writes fail with EPIPE instead).
        for script in ["exec \(predict)", "trap '' PIPE; exec \(predict)"] {
            let (reason, status, stderr) = try runWithClosedStdout(script)
            #expect(reason == .uncaughtSignal && status == SIGPIPE, "\(script): \(reason) \(status) \(stderr)")
            #expect(stderr.isEmpty, "\(script): \(stderr)")
        }
    }

    // MARK: - Input: every source a shell user has

    @Test func standardInputFIFOsAndProcessSubstitutionAreRead() throws {
        let dir = tempDir(), m = Self.fitted.model
        let before = try Snapshot(m)
        #expect(mkfifo("\(dir)/fifo", 0o600) == 0)
        let scripts = [
            "timeout -s KILL 60 \"$F\" evaluate - --model '\(m)' --holdout 3 < '\(airline)'",
            "cat '\(airline)' | timeout -s KILL 60 \"$F\" evaluate /dev/stdin --model '\(m)' --holdout 3",
            "cat '\(airline)' > '\(dir)/fifo' & timeout -s KILL 60 \"$F\" evaluate '\(dir)/fifo' --model '\(m)' --holdout 3",
            "timeout -s KILL 60 \"$F\" evaluate <(cat '\(airline)') --model '\(m)' --holdout 3",
            "timeout -s KILL 60 \"$F\" predict --model '\(m)' --horizon 3 --data <(cat '\(airline)')",
            "cat '\(airline)' | timeout -s KILL 60 \"$F\" fit - --target passengers --horizon 3 --max-steps 2 --ensemble 1 --combine network --quiet --model '\(dir)/s.fcm'",
        ]
        for script in scripts {
            let r = try shell(script, bash: true)
            #expect(r.status == 0, "\(script): \(r.stderr)")
            #expect(!r.stderr.contains("empty"), "\(script): \(r.stderr)")
        }
        #expect(FileManager.default.fileExists(atPath: "\(dir)/s.fcm"))
        let r = try shell("timeout -s KILL 60 \"$F\" predict --model '\(dir)/s.fcm' --horizon 2")
        #expect(r.stdout.hasPrefix("date,passengers\n1961-01-01,"), "\(r.stdout) \(r.stderr)")
        #expect(try Snapshot(m) == before)
    }

    @Test func hostileFilesAreRefusedEarlyWithShortCleanMessages() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fit = "\"$F\" fit %@ --target v --horizon 1 --model '\(dir)/m.fcm'"
        // 300 MB and 2 GB of NULs cost no disk: sparse files, and a pipe.
        #expect(try shell("truncate -s 300M '\(dir)/nul.csv' && truncate -s 2G '\(dir)/sparse.csv'").status == 0)
        let field = "\(dir)/field.csv"   // one 50 MB field, streamed into a file and deleted afterwards
        #expect(try shell("{ printf 'date,v\\n2024-01-01,'; head -c 50000000 /dev/zero | tr '\\000' 7; echo; } > '\(field)'").status == 0)
        var header = "date,\u{1B}]0;pwned\u{07}\u{1B}[2J" + String(repeating: "w", count: 5000) + ",x\n"
        for i in 1...5 { header += "2024-01-0\(i),\(i),\u{1B}[31m" + String(repeating: "z", count: 3000) + "\n" }
        let escape = write(header, "escape.csv", in: dir)
        let cases: [(input: String, message: String)] = [
            ("'\(dir)/nul.csv'", "nul.csv, line 1: the file contains a NUL byte"),
            ("'\(dir)/sparse.csv'", "sparse.csv, line 1: the file contains a NUL byte"),
            ("- < '\(dir)/sparse.csv'", "standard input, line 1: the file contains a NUL byte"),
            ("- --quiet", "standard input, line 1: the file contains a NUL byte"),   // 300 MB of NULs through a pipe
            ("'\(field)'", "field.csv, line 2: a field longer than 1 MiB"),
            ("'\(escape)'", "no such column; the header has 'date', '\\u{1B}]0;pwned\\u{7}\\u{1B}[2Jwww"),
        ]
        let listing = files(in: dir), sizes = try listing.map { try Snapshot("\(dir)/\($0)") }
        for c in cases {
            let started = Date()
            let feed = c.input.hasSuffix("--quiet") ? "head -c 300000000 /dev/zero | " : "exec "
            let r = try shell("ulimit -v 250000; " + feed + fit.replacingOccurrences(of: "%@", with: c.input))
            #expect(r.status == 1, "\(c.input): \(r.stderr)")
            #expect(r.stderr.contains(c.message), "\(c.input): \(r.stderr)")
            #expect(Date().timeIntervalSince(started) < 10, "\(c.input) was read whole")
            #expect(!r.stderr.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "raw control characters: \(r.stderr)")
            #expect(r.stderr.count < 600, "message too long: \(r.stderr.count) characters")
        }
        // A long bad value is quoted in part, escaped.
        let r = try forecast(["fit", escape, "--target", "x", "--horizon", "1", "--model", "\(dir)/m.fcm"])
        #expect(r.status == 1 && r.stderr.contains("line 2, column 3 ('x'): expected a number, found \"\\u{1B}[31mzzz"), "\(r.stderr)")
        #expect(r.stderr.count < 400 && !r.stderr.unicodeScalars.contains { $0.value == 0x1B }, "\(r.stderr)")
        let after = try listing.map { try Snapshot("\(dir)/\($0)") }
        #expect(files(in: dir) == listing && after == sizes)
    }

    @Test func timeColumnsMustBeTimes() throws {
        let dir = tempDir()
        var someday = "date,v\n", iso = "date,v\n", compact = "date,v\n"
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        for i in 0..<60 {
            let t = Date(timeIntervalSince1970: 1_704_067_200 + Double(i) * 86_400)   // from 2024-01-01
            day.dateFormat = "yyyy-MM-dd"
            someday += "someday,\(i % 7)\n"
            iso += "\(day.string(from: t)),\(i % 7)\n"
            day.dateFormat = "yyyyMMdd"
            compact += "\(day.string(from: t)),\(Double(i % 7) + 0.1 * Double(i))\n"
        }
        let files_ = [write(someday, "someday.csv", in: dir), write(iso, "iso.csv", in: dir)]
        for (args, message) in [([files_[0]], "someday.csv, line 2, column 1 ('date'): expected a date or time"),
                                ([files_[0]], "found \"someday\""),
                                ([files_[1], "--time-format", "%d/%m/%Y"], "iso.csv, line 2, column 1 ('date'): expected a time in the --time-format given (%d/%m/%Y), found \"2024-01-01\"")] {
            let r = try forecast(["fit"] + args + ["--target", "v", "--horizon", "2", "--model", "\(dir)/m.fcm"])
            #expect(r.status == 1, "\(args): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
            #expect(!r.stderr.contains("rows are numbered"), "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/m.fcm"))
        // Compact dates are dates, and the summary says so.
        let c = write(compact, "compact.csv", in: dir)
        let r = try forecast(["fit", c, "--target", "v", "--horizon", "2", "--max-steps", "2", "--ensemble", "1", "--combine", "network", "--model", "\(dir)/c.fcm"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("values such as 20240101 read as dates (YYYYMMDD)"), "\(r.stderr)")
        #expect(r.stderr.contains("data: 60 points, daily, 20240101 to 20240229"), "\(r.stderr)")
        let p = try forecast(["predict", "--model", "\(dir)/c.fcm", "--horizon", "2"])
        #expect(p.stdout.hasPrefix("date,v\n20240301,"), "\(p.stdout) \(p.stderr)")
        #expect(p.status == 0)
    }

    @Test func predictDataMustMatchTheModelsFrequencyAndColumns() throws {
        let dir = tempDir(), m = Self.fitted.model
        let before = try Snapshot(m)
        // The airline values on consecutive days, and with the target renamed.
        let rows = try String(contentsOfFile: airline, encoding: .utf8).split(separator: "\n").dropFirst()
        var daily = "date,passengers\n"
        for (i, row) in rows.enumerated() { daily += "2000-01-\(String(format: "%02d", i % 28 + 1)),\(row.split(separator: ",")[1])\n"; if i == 27 { break } }
        let renamed = "date,pax\n" + rows.joined(separator: "\n") + "\n"
        let cases = [(write(daily, "daily.csv", in: dir), "daily.csv, column 'date': the rows are daily but the model was trained on monthly data; the model expects 'date' (monthly), 'passengers' (target)"),
                     (write(renamed, "renamed.csv", in: dir), "renamed.csv, line 1, column 'passengers': no such column; the header has 'date', 'pax'; the model expects 'date' (monthly), 'passengers' (target)")]
        let listing = files(in: dir)
        for (data, message) in cases {
            for command in [["predict", "--model", m, "--horizon", "3", "--data", data, "--output", "\(dir)/f.csv"],
                            ["evaluate", data, "--model", m, "--holdout", "3"]] {
                let r = try forecast(command)
                #expect(r.status == 1, "\(command): \(r.stderr)")
                #expect(r.stderr.contains(message), "\(command): \(r.stderr)")
                #expect(r.stdout.isEmpty)
            }
        }
        let after = try Snapshot(m)
        #expect(files(in: dir) == listing && after == before)
    }
}

/// A file's inode, type, size and modification time, and its bytes when it is small (the hostile
/// files are gigabytes), to show that a refused command left it alone.
struct Snapshot: Equatable {
    let bytes: Data, inode: UInt64, mode: UInt32, size: Int64, modified: Int
    init(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { throw CocoaError(.fileNoSuchFile) }
        (inode, mode, size) = (UInt64(st.st_ino), UInt32(st.st_mode), Int64(st.st_size))
        modified = st.st_mtim.tv_sec * 1_000_000_000 + st.st_mtim.tv_nsec
        let small = (st.st_mode & S_IFMT) == S_IFREG && st.st_size < 1 << 20
        bytes = small ? try Data(contentsOf: URL(fileURLWithPath: path)) : Data()
    }
}

/// Runs `script` with `sh -c` (or `bash -c`, for `<(...)`), `$F` naming the built `forecast`.
func shell(_ script: String, bash: Bool = false) throws -> RunResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: bash ? "/bin/bash" : "/bin/sh")
    p.arguments = ["-c", script]
    p.environment = ProcessInfo.processInfo.environment.merging(["F": forecastBinary]) { $1 }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    return Running(process: p, out: out, err: err).wait()
}

/// Runs `script` with standard output a pipe whose reading end is already closed.
func runWithClosedStdout(_ script: String) throws -> (Process.TerminationReason, Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", script]
    p.environment = ProcessInfo.processInfo.environment.merging(["F": forecastBinary]) { $1 }
    let out = Pipe(), err = Pipe()
    try out.fileHandleForReading.close()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    try out.fileHandleForWriting.close()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationReason, p.terminationStatus, String(decoding: e, as: UTF8.self))
}
