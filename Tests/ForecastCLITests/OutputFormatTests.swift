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
        #expect(try json(evaluate + ["--format", "json"])["schema"] as? String == "forecast.evaluate/1")
        #expect(try json(evaluate + ["--json"])["schema"] as? String == "forecast.evaluate/1")
        #expect(try json(["inspect", Self.model, "--format", "json"])["schema"] as? String == "forecast.inspect/1")
        #expect(try json(["predict", "--model", Self.model, "--horizon", "3", "--format", "json"])["schema"] as? String == "forecast.predict/1")
        let backtest = try json(["backtest", Self.data, "--target", "passengers", "--horizon", "6", "--folds", "1",
                                 "--max-steps", "10", "--ensemble", "1", "--quiet", "--format", "json"])
        #expect(backtest["schema"] as? String == "forecast.backtest/1")
    }

    @Test func csvOutputsHaveTheDocumentedHeader() throws {
        let e = try forecast(["evaluate", Self.data, "--model", Self.model, "--holdout", "6", "--format", "csv"])
        let lines = e.stdout.split(separator: "\n")
        #expect(lines.first == "id,model,holdout,seasonal_period,mae,rmse,mape,smape,mase,rmsse,bias")
        #expect(lines.count >= 3 && lines.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 11 })
        let i = try forecast(["inspect", Self.model, "--format", "csv"])
        #expect(i.stdout.hasPrefix("field,value\n") && i.stdout.contains("\ntarget,passengers\n"))
        let b = try forecast(["backtest", Self.data, "--target", "passengers", "--horizon", "6", "--folds", "2",
                              "--max-steps", "10", "--ensemble", "1", "--quiet", "--format", "csv"])
        #expect(b.stdout.hasPrefix("fold,origin,train_points,model,mae,"))
        #expect(b.stdout.contains("\nall,,,network,"))
    }

    @Test func conflictingFormatsAreAUsageError() throws {
        let r = try forecast(["inspect", Self.model, "--json", "--format", "csv"])
        #expect(r.status == 2 && r.stderr.contains("--json and --format csv"))
    }
}
