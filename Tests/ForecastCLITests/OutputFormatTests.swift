import Foundation
import Testing

/// `--format table|csv|json` on every command that prints a result, `--json` as its alias, and a
/// `schema` key in every JSON output (docs/output.md).
@Suite(.serialized) struct OutputFormatTests {
    static let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forecast-format-\(getpid())").path
    static let model = "\(dir)/m.fcm"
    static let data = "\(repoRoot)/datasets/airline_passengers.csv"

    init() throws {
        try FileManager.default.createDirectory(atPath: Self.dir, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: Self.model) {
            let r = try forecast(["fit", Self.data, "--target", "passengers", "--horizon", "6", "--max-steps", "20",
                                  "--ensemble", "1", "--model", Self.model, "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
    }

    func json(_ args: [String]) throws -> [String: Any] {
        let r = try forecast(args)
        #expect(r.status == 0, "\(args): \(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    @Test func everyJSONOutputNamesItsSchema() throws {
        let evaluate = ["evaluate", Self.data, "--model", Self.model, "--holdout", "6"]
        #expect(try json(evaluate + ["--format", "json"])["schema"] as? String == "forecast.evaluate/2")
        #expect(try json(evaluate + ["--json"])["schema"] as? String == "forecast.evaluate/2")
        #expect(try json(["inspect", Self.model, "--format", "json"])["schema"] as? String == "forecast.inspect/2")
        #expect(try json(["predict", "--model", Self.model, "--horizon", "3", "--format", "json"])["schema"] as? String == "forecast.predict/1")
        let backtest = try json(["backtest", Self.data, "--target", "passengers", "--horizon", "6", "--folds", "1",
                                 "--max-steps", "10", "--ensemble", "1", "--quiet", "--format", "json"])
        #expect(backtest["schema"] as? String == "forecast.backtest/2")
    }

    /// Every output's keys are snake_case; inspect's too (the model header's own names are
    /// camelCase): checked on every key at every depth.
    @Test func inspectKeysAreSnakeCase() throws {
        let header = try json(["inspect", Self.model, "--format", "json"])
        #expect(header["target_name"] as? String == "passengers" && header["time_column"] != nil)
        func keys(_ v: Any) -> [String] {
            if let d = v as? [String: Any] { return d.keys.map { $0 } + d.values.flatMap(keys) }
            if let a = v as? [Any] { return a.flatMap(keys) }
            return []
        }
        let all = keys(header)
        #expect(all.count > 50 && all.contains("future_size"), "\(all.prefix(20))")
        #expect(all.filter { $0.contains(where: \.isUppercase) }.isEmpty, "\(all.filter { $0.contains(where: \.isUppercase) })")
    }

    @Test func csvOutputsHaveTheDocumentedHeader() throws {
        let e = try forecast(["evaluate", Self.data, "--model", Self.model, "--holdout", "6", "--format", "csv"])
        let lines = e.stdout.split(separator: "\n")
        #expect(lines.first == "id,model,holdout,seasonal_period,mae,rmse,mape,smape,mase,rmsse,bias,coverage_80,winkler_80,coverage_95,winkler_95")
        let fields = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(fields.count >= 3 && fields.allSatisfy { $0.count == 15 })
        // Interval scores for the combination and the network; none for the statistical models.
        for row in fields {
            let scores = row[11...]
            if row[1] == "combination" || row[1] == "network" {
                #expect(scores.allSatisfy { Double($0) != nil }, "\(row)")
                #expect((0...1).contains(Double(row[11])!) && (0...1).contains(Double(row[13])!) && Double(row[12])! > 0)
            } else {
                #expect(scores.allSatisfy { $0.isEmpty }, "\(row)")
            }
        }
        let i = try forecast(["inspect", Self.model, "--format", "csv"])
        #expect(i.stdout.hasPrefix("field,value\n") && i.stdout.contains("\ntarget,passengers\n"))
        let b = try forecast(["backtest", Self.data, "--target", "passengers", "--horizon", "6", "--folds", "2",
                              "--max-steps", "10", "--ensemble", "1", "--quiet", "--format", "csv"])
        let rows = b.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows[0] == ["fold", "origin", "train_points", "model", "mae", "rmse", "smape", "mase", "rmsse", "bias",
                            "coverage_80", "winkler_80", "coverage_95", "winkler_95"])
        #expect(rows.allSatisfy { $0.count == 14 })
        // The interval columns hold the default forecast's coverage and Winkler score, nothing for the others.
        let all = Dictionary(uniqueKeysWithValues: rows.filter { $0[0] == "all" }.map { ($0[3], $0) })
        let combination = try #require(all["combination"]), network = try #require(all["network"])
        #expect(combination[10...].allSatisfy { Double($0) != nil } && network[10...].allSatisfy { $0.isEmpty })
        #expect((0...1).contains(Double(combination[10])!) && Double(combination[11])! > 0)
    }

    @Test func conflictingFormatsAreAUsageError() throws {
        let r = try forecast(["inspect", Self.model, "--json", "--format", "csv"])
        #expect(r.status == 2 && r.stderr.contains("--json and --format csv"))
    }
}

/// Training progress: an updating line on a terminal, a line per round in a log, nothing with --quiet.
@Suite struct ProgressOutputTests {
    func fitArgs(_ dir: String, _ extra: [String] = []) -> [String] {
        ["fit", "\(repoRoot)/datasets/airline_passengers.csv", "--target", "passengers", "--horizon", "6",
         "--max-steps", "60", "--ensemble", "1", "--no-scaled-members", "--model", "\(dir)/m.fcm"] + extra
    }

    @Test func logLinesAndQuiet() throws {
        let dir = tempDir()
        let log = try forecast(fitArgs(dir))
        #expect(log.status == 0)
        let rounds = log.stderr.split(separator: "\n").filter { $0.hasPrefix("step ") }
        #expect(rounds.count >= 2, "\(log.stderr)")
        #expect(!log.stderr.contains("\r"))
        let quiet = try forecast(fitArgs(dir, ["--quiet"]))
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
        let backtest = try forecast(["backtest", "\(repoRoot)/datasets/airline_passengers.csv", "--target", "passengers",
                                     "--horizon", "6", "--folds", "1", "--max-steps", "30", "--ensemble", "1", "--no-scaled-members", "--format", "json"])
        #expect(backtest.stderr.contains("backtest, 1 fold: step "), "\(backtest.stderr)")
    }

    /// Under a pseudo-terminal (`script`), one line rewritten in place: carriage return and
    /// erase-line before each update, and a newline before the summary.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func terminalLineUpdatesInPlace() throws {
        let dir = tempDir()
        let command = ([forecastBinary] + fitArgs(dir)).map { "'\($0)'" }.joined(separator: " ") + " 2>&1"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        p.arguments = ["-qec", command, "/dev/null"]
        let out = Pipe()
        p.standardOutput = out
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.components(separatedBy: "\r\u{1B}[K").count >= 3, "\(text.debugDescription)")
        #expect(text.contains("eta") && text.contains("\nseasonal periods:") || text.contains("\r\nseasonal periods:"), "\(text.debugDescription)")
    }
}
