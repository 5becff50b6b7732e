import Foundation
import Testing

/// A source check for the leak fixed in AutoETS, the combination and the members' training:
/// `deallocate()` on a buffer of values that hold references (arrays, classes, errors) frees the
/// buffer but not what its values hold; `deinitialize()` must come first. Buffers of plain numbers
/// need no deinitialization. The check reads every Swift file under Sources and fails naming the
/// buffer that is allocated with a non-trivial element type and never deinitialized in its file.
@Suite struct BufferLifetimeTests {
    /// Element types with nothing to release (`Panel` is the orthogonal initialiser's SIMD8<Double>).
    static let trivial: Set<String> = ["Float", "Double", "Int", "Int32", "Int64", "UInt8", "UInt32", "UInt64",
                                       "Bool", "SeededGenerator", "Panel"]

    @Test func buffersOfReferenceHoldingValuesAreDeinitialized() throws {
        let sources = URL(fileURLWithPath: repoRoot).appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(atPath: sources.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        let pattern = try NSRegularExpression(pattern: #"let (\w+) = UnsafeMutable(?:Buffer)?Pointer<(.+?)>\.allocate"#)
        var checked = 0, missing: [String] = []
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let name = String(text[Range(m.range(at: 1), in: text)!])
                let element = String(text[Range(m.range(at: 2), in: text)!])
                guard !Self.trivial.contains(element) else { continue }
                checked += 1
                if !text.contains("\(name).deinitialize(") { missing.append("\(file): \(name) (\(element))") }
            }
        }
        #expect(checked >= 3)   // the combination's states, AutoETS's fits, the members' outcomes at least
        #expect(missing.isEmpty, "deallocated without deinitialize: \(missing.joined(separator: "; "))")
    }
}
