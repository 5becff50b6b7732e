import Foundation

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// The built `forecast` executable: `$FORECAST_BIN` when set, else beside the test bundle (same
/// configuration, so a `--scratch-path` build tests its own binary), else release, else debug.
let forecastBinary: String = {
    if let given = ProcessInfo.processInfo.environment["FORECAST_BIN"], !given.isEmpty {
        guard FileManager.default.isExecutableFile(atPath: given) else { fatalError("FORECAST_BIN=\(given) is not an executable") }
        return given
    }
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var dir = beside
    // Swift Testing may run from inside the .xctest bundle on some platforms.
    while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("forecast").path) {
        if dir.lastPathComponent == ".build" { break }
        dir = dir.deletingLastPathComponent()
    }
    for candidate in [dir.appendingPathComponent("forecast").path, "\(repoRoot)/.build/release/forecast", "\(repoRoot)/.build/debug/forecast"]
    where FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    fatalError("build the forecast executable first (swift build)")
}()

struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `forecast` with `args` in `cwd` and waits for it.
@discardableResult
func forecast(_ args: [String], cwd: String? = nil) throws -> RunResult {
    let p = try start(args, cwd: cwd)
    return p.wait()
}

final class Running {
    let process: Process
    let out: Pipe, err: Pipe
    init(process: Process, out: Pipe, err: Pipe) { self.process = process; self.out = out; self.err = err }
    func wait() -> RunResult {
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return RunResult(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}

func start(_ args: [String], cwd: String? = nil) throws -> Running {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: forecastBinary)
    p.arguments = args
    p.currentDirectoryURL = URL(fileURLWithPath: cwd ?? repoRoot)
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    return Running(process: p, out: out, err: err)
}

/// A fresh temporary directory.
func tempDir() -> String {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("forecast-cli-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d.path
}

func write(_ text: String, _ name: String, in dir: String) -> String {
    let path = "\(dir)/\(name)"
    try! text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

func files(in dir: String) -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: dir))?.sorted() ?? [] }
