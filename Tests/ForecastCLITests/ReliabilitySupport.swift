import Foundation
import ForecastKit

/// A small two-member model of the airline data (horizon 3, hidden 4, one epoch), fitted once for
/// the reliability tests, which only read it.
let smallAirlineModel: String = {
    let dir = tempDir()
    let r = try! forecast(["fit", airline, "--target", "passengers", "--horizon", "3", "--epochs", "1", "--hidden", "4",
                           "--quiet", "--model", "\(dir)/m.fcm"])
    precondition(r.status == 0, r.stderr)
    return "\(dir)/m.fcm"
}()

/// A `forecast` process whose output is collected as it comes, so a test can wait for a line on
/// stderr (the sign that work has begun) and then signal it.
final class Watched: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var out = Data(), err = Data()

    init(_ args: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: forecastBinary)
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: repoRoot)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let o = Pipe(), e = Pipe()
        process.standardOutput = o
        process.standardError = e
        // An empty read is the end of the stream: stop watching it (else the handler spins).
        o.fileHandleForReading.readabilityHandler = { [self] h in
            let d = h.availableData
            if d.isEmpty { h.readabilityHandler = nil } else { lock.withLock { out.append(d) } }
        }
        e.fileHandleForReading.readabilityHandler = { [self] h in
            let d = h.availableData
            if d.isEmpty { h.readabilityHandler = nil } else { lock.withLock { err.append(d) } }
        }
        try process.run()
    }

    var stderr: String { lock.withLock { String(decoding: err, as: UTF8.self) } }

    /// Waits until stderr contains `marker` (true), or the process ends or `seconds` pass (false).
    func waitFor(_ marker: String, seconds: Double = 120) -> Bool {
        var left = seconds
        while left > 0 {
            if stderr.contains(marker) { return true }
            if !process.isRunning { return stderr.contains(marker) }
            Thread.sleep(forTimeInterval: 0.05); left -= 0.05
        }
        return false
    }

    /// Waits for the end (killing the process after `seconds`) and returns what it did.
    func finish(seconds: Double = 120) -> RunResult {
        var left = seconds
        while process.isRunning && left > 0 { Thread.sleep(forTimeInterval: 0.05); left -= 0.05 }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.2)   // the last readability callbacks
        let status = process.terminationReason == .uncaughtSignal ? 1000 + process.terminationStatus : process.terminationStatus
        return lock.withLock { RunResult(status: status, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self)) }
    }
}

/// Runs `forecast` with extra environment variables and waits for it.
func forecast(_ args: [String], environment: [String: String]) throws -> RunResult {
    try Watched(args, environment: environment).finish()
}

/// A model file taken apart: its format version, its header as JSON objects, its weights.
struct EditableModel {
    var version: UInt32
    var header: [String: Any]
    var weights: Data

    init(_ path: String) throws {
        let b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func u32(_ i: Int) -> UInt32 { UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24 }
        version = u32(8)
        let n = Int(u32(12))
        header = try JSONSerialization.jsonObject(with: Data(b[16..<(16 + n)])) as! [String: Any]
        weights = Data(b[(16 + n)..<(b.count - 4)])
    }

    /// The file's bytes: the edited header re-encoded and the CRC-32 computed again, as a writer
    /// would, so only the reader's own checks can refuse it.
    func bytes() throws -> Data {
        let json = [UInt8](try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        func le(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
        var out = Array("FCSTMDL".utf8) + [0] + le(version) + le(UInt32(json.count)) + json + [UInt8](weights)
        out += le(CRC32.checksum(out))
        return Data(out)
    }

    func write(to path: String) throws { try bytes().write(to: URL(fileURLWithPath: path)) }
}

/// `value[keys...]` set through nested dictionaries and arrays ("series", 0, "targetScaler", "scale").
func setting(_ root: Any, _ path: ArraySlice<AnyHashable>, to value: Any) -> Any {
    guard let key = path.first else { return value }
    if var d = root as? [String: Any], let k = key as? String {
        d[k] = setting(d[k] as Any, path.dropFirst(), to: value)
        return d
    }
    if var a = root as? [Any], let i = key as? Int {
        a[i] = setting(a[i], path.dropFirst(), to: value)
        return a
    }
    fatalError("no \(key) in \(type(of: root))")
}

/// `value[keys...]` read through nested dictionaries and arrays.
func getting(_ root: Any, _ path: ArraySlice<AnyHashable>) -> Any {
    guard let key = path.first else { return root }
    if let d = root as? [String: Any], let k = key as? String { return getting(d[k] as Any, path.dropFirst()) }
    if let a = root as? [Any], let i = key as? Int { return getting(a[i], path.dropFirst()) }
    fatalError("no \(key) in \(type(of: root))")
}
