import Foundation
import Testing

/// The notebooks in notebooks-md/ are checked like code: every ```sh block runs (in the repository,
/// with the built `forecast` first on PATH) and its output must match the ```output block beneath it —
/// text exactly, numbers within a relative 1e-3, and `…` matching anything (for timings). A ```swift
/// block marked `file=PATH` must equal that file, which the package compiles (and a later sh block runs).
/// Set FORECAST_RECORD_NOTEBOOKS=1 to rewrite the output blocks from a fresh run.
@Suite(.serialized) struct NotebookTests {
    static let directory = "\(repoRoot)/notebooks-md"
    static var notebooks: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory))?.filter { $0.hasSuffix(".md") }.sorted() ?? []
    }

    struct Block { var info: String; var body: String; var range: Range<Int> }

    /// Fenced blocks with their line ranges (body lines only).
    static func blocks(_ lines: [String]) -> [Block] {
        var out: [Block] = []
        var i = 0
        while i < lines.count {
            if lines[i].hasPrefix("```") && lines[i].count > 3 {
                let info = String(lines[i].dropFirst(3)).trimmingCharacters(in: .whitespaces)
                var j = i + 1
                while j < lines.count && lines[j] != "```" { j += 1 }
                out.append(Block(info: info, body: lines[(i + 1)..<j].joined(separator: "\n"), range: (i + 1)..<j))
                i = j + 1
            } else if lines[i] == "```" {
                var j = i + 1
                while j < lines.count && lines[j] != "```" { j += 1 }
                i = j + 1
            } else { i += 1 }
        }
        return out
    }

    static func run(_ script: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", "set -e\n" + script]
        p.currentDirectoryURL = URL(fileURLWithPath: repoRoot)
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = URL(fileURLWithPath: forecastBinary).deletingLastPathComponent().path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        var text = String(decoding: data, as: UTF8.self)
        if p.terminationStatus != 0 { text += "[exit \(p.terminationStatus)]\n" }
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// Whether `actual` matches `expected` line by line under the notebook rules.
    static func matches(_ expected: String, _ actual: String) -> String? {
        let e = expected.components(separatedBy: "\n"), a = actual.components(separatedBy: "\n")
        guard e.count == a.count else { return "expected \(e.count) lines, got \(a.count):\n\(actual)" }
        for (k, (x, y)) in zip(e, a).enumerated() where !lineMatches(x, y) {
            return "line \(k + 1): expected\n  \(x)\ngot\n  \(y)"
        }
        return nil
    }

    static func lineMatches(_ expected: String, _ actual: String) -> Bool {
        if expected == actual { return true }
        if expected.contains("…") {
            let parts = expected.components(separatedBy: "…")
            var rest = Substring(actual)
            for (i, part) in parts.enumerated() {
                if i == 0 { guard rest.hasPrefix(part) else { return false }; rest = rest.dropFirst(part.count); continue }
                if part.isEmpty { continue }
                guard let r = rest.range(of: part) else { return false }
                rest = rest[r.upperBound...]
            }
            return parts.last!.isEmpty || actual.hasSuffix(parts.last!)
        }
        let te = tokens(expected), ta = tokens(actual)
        guard te.count == ta.count else { return false }
        for (x, y) in zip(te, ta) where x != y {
            guard let dx = Double(x), let dy = Double(y), abs(dx - dy) <= 1e-3 * max(abs(dx), abs(dy)) + 1e-9 else { return false }
        }
        return true
    }

    /// The lines to record for `actual`: its own, but where the block keeps its line count, an
    /// expected line with `…` that still matches stays as it was (a recording keeps its wildcards).
    static func recorded(_ expected: String, _ actual: String) -> [String] {
        let e = expected.components(separatedBy: "\n"), a = actual.components(separatedBy: "\n")
        guard e.count == a.count else { return a }
        return zip(e, a).map { x, y in x.contains("…") && lineMatches(x, y) ? x : y }
    }

    static func tokens(_ s: String) -> [String] {
        var out: [String] = [], cur = ""
        for ch in s {
            if ch.isNumber || ch == "." || ch == "-" || ch == "e" || ch == "+" { cur.append(ch) } else {
                if !cur.isEmpty { out.append(cur); cur = "" }
                out.append(String(ch))
            }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    @Test(arguments: notebooks)
    func notebookOutputsMatch(name: String) throws {
        let path = "\(Self.directory)/\(name)"
        var lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        let record = ProcessInfo.processInfo.environment["FORECAST_RECORD_NOTEBOOKS"] == "1"
        let all = Self.blocks(lines)
        var replacements: [(Range<Int>, [String])] = []
        for (k, b) in all.enumerated() {
            if b.info.hasPrefix("swift"), let file = b.info.components(separatedBy: "file=").dropFirst().first {
                let source = try String(contentsOfFile: "\(repoRoot)/\(file)", encoding: .utf8)
                #expect(source.trimmingCharacters(in: .whitespacesAndNewlines) == b.body.trimmingCharacters(in: .whitespacesAndNewlines),
                        "\(name): the swift block differs from \(file)")
            }
            guard b.info == "sh" else { continue }
            let actual = try Self.run(b.body)
            guard k + 1 < all.count, all[k + 1].info == "output" else {
                #expect(actual.isEmpty || record, "\(name): sh block at line \(b.range.lowerBound) prints output but has no ```output block")
                continue
            }
            let expected = all[k + 1].body
            if record { replacements.append((all[k + 1].range, actual.isEmpty ? [] : Self.recorded(expected, actual))) }
            else if let problem = Self.matches(expected, actual) {
                Issue.record("\(name), block at line \(b.range.lowerBound): \(problem)")
            }
        }
        if record {
            for (r, new) in replacements.reversed() { lines.replaceSubrange(r, with: new) }
            try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        // Figures: `![...](images/NAME.svg)` is the plot the notebook's commands wrote to
        // out/NAME.svg, copied when recording and compared like an output block otherwise.
        for line in lines {
            guard let open = line.range(of: "](images/"), let close = line.range(of: ".svg)", range: open.upperBound..<line.endIndex) else { continue }
            let image = String(line[open.upperBound..<close.lowerBound]) + ".svg"
            let produced = "\(repoRoot)/out/\(image)", committed = "\(Self.directory)/images/\(image)"
            let actual = try String(contentsOfFile: produced, encoding: .utf8)
            if record {
                try FileManager.default.createDirectory(atPath: "\(Self.directory)/images", withIntermediateDirectories: true)
                try actual.write(toFile: committed, atomically: true, encoding: .utf8)
            } else if let problem = Self.matches(try String(contentsOfFile: committed, encoding: .utf8), actual) {
                Issue.record("\(name), figure images/\(image) differs from \(produced): \(problem)")
            }
        }
    }

    @Test func recordingKeepsMatchingWildcards() {
        #expect(Self.recorded("a\nfitted in … s", "b\nfitted in 12.5 s") == ["b", "fitted in … s"])
        #expect(Self.recorded("fitted in … min", "fitted in 12.5 s") == ["fitted in 12.5 s"])
        #expect(Self.recorded("x … y", "x 1 y\nz") == ["x 1 y", "z"])
    }

    @Test func checkerRules() {
        #expect(Self.lineMatches("loss 0.12345 done", "loss 0.12349 done"))
        #expect(!Self.lineMatches("loss 0.12345 done", "loss 0.13 done"))
        #expect(Self.lineMatches("fitted in … s", "fitted in 12.5 s"))
        #expect(!Self.lineMatches("date,value", "date,values"))
        #expect(Self.matches("a\nb", "a") != nil)
    }
}

/// README figures come from committed benchmark outputs: every `<!-- results: PATH -->` block must
/// equal that file (python3 scripts/readme_tables.py rewrites them).
@Suite struct ReadmeResultsTests {
    @Test func readmeBlocksEqualTheCommittedResults() throws {
        let readme = try String(contentsOfFile: "\(repoRoot)/README.md", encoding: .utf8)
        let parts = readme.components(separatedBy: "<!-- results: ")
        #expect(parts.count > 1, "the README has no generated results block")
        for part in parts.dropFirst() {
            let path = String(part.prefix { $0 != " " })
            let body = part.components(separatedBy: " -->\n").dropFirst().joined(separator: " -->\n")
                .components(separatedBy: "<!-- end results -->")[0]
            let file = try String(contentsOfFile: "\(repoRoot)/\(path)", encoding: .utf8)
            #expect(body == file.trimmingCharacters(in: .whitespacesAndNewlines) + "\n",
                    "README block for \(path) differs from the file: run python3 scripts/readme_tables.py")
        }
    }

    /// The DocC pipeline article shows the example target's code exactly (the package compiles it).
    @Test func docCPipelineArticleIsTheExample() throws {
        let article = try String(contentsOfFile: "\(repoRoot)/Sources/ForecastKit/ForecastKit.docc/BuildingAPipeline.md", encoding: .utf8)
        let block = try #require(NotebookTests.blocks(article.components(separatedBy: "\n")).first { $0.info == "swift" })
        let source = try String(contentsOfFile: "\(repoRoot)/Sources/Examples/PipelineExample/main.swift", encoding: .utf8)
        #expect(block.body.trimmingCharacters(in: .whitespacesAndNewlines) == source.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
