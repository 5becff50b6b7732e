import Foundation

/// Writes `text` to a fresh temporary file and returns its path.
func tempCSV(_ text: String, name: String = "data.csv") -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forecast-tests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try! Data(text.utf8).write(to: url)
    return url.path
}

/// Writes raw bytes to a fresh temporary file.
func tempFile(bytes: [UInt8], name: String = "data.csv") -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forecast-tests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try! Data(bytes).write(to: url)
    return url.path
}

/// The repository root (the tests live two levels below it).
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
