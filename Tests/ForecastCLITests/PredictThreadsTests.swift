import Foundation
import Testing

/// `predict --threads`: the same output whatever the count, and the same CSV as forecast 0.2.0
/// wrote for a format-2 panel model (Tests/ForecastModelsTests/Fixtures: `predict --horizon 9
/// --intervals 80,95` by that version), but for the intervals, which since session 19 lie 1.15
/// times (`Forecaster.selectionInflation`) as far from the forecast.
@Suite struct PredictThreadsTests {
    static let fixtures = "\(repoRoot)/Tests/ForecastModelsTests/Fixtures"

    @Test func outputIsTheOldVersionsWhateverTheThreads() throws {
        let expected = try String(contentsOfFile: "\(Self.fixtures)/panel-format2-forecast.csv", encoding: .utf8)
        var outputs: [String] = []
        for threads in ["1", "2", "3"] {
            let r = try forecast(["predict", "--model", "\(Self.fixtures)/panel-format2.fcm", "--horizon", "9",
                                  "--intervals", "80,95", "--threads", threads])
            #expect(r.status == 0, "\(r.stderr)")
            outputs.append(r.stdout)
        }
        #expect(Set(outputs).count == 1, "the output depends on --threads")
        let got = Self.rows(outputs[0]), old = Self.rows(expected)
        #expect(got.count == old.count && got.count == 12 * 9)
        for (g, o) in zip(got, old) {
            #expect(g.key == o.key && g.value == o.value, "\(g.key): \(g.value) vs \(o.value)")
            // Bounds printed to 7 significant digits: v + 1.15 (b - v) within two units of the last digit.
            for (b, ob) in zip(g.bounds, o.bounds) {
                let v = Double(o.value)!, want = v + 1.15 * (Double(ob)! - v)
                #expect(abs(Double(b)! - want) <= 2e-6 * abs(want), "\(g.key): \(b) vs \(want)")
            }
        }
        let bad = try forecast(["predict", "--model", "\(Self.fixtures)/panel-format2.fcm", "--horizon", "9", "--threads", "0"])
        #expect(bad.status == 2 && bad.stderr.contains("--threads must be between 1 and 256"))
    }

    /// The data rows of a forecast CSV: series and time, the value as printed, the four bounds.
    static func rows(_ csv: String) -> [(key: String, value: String, bounds: [String])] {
        csv.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return (f[0] + " " + f[1], f[2], Array(f[3...]))
        }
    }
}
