import Foundation
import Testing

/// `predict --threads`: the same output whatever the count, and the same CSV as forecast 0.2.0
/// wrote for a format-2 panel model (Tests/ForecastModelsTests/Fixtures: `predict --horizon 9
/// --intervals 80,95` by that version), but for the intervals, which since session 19 lie
/// `inflation` times (`Forecaster.selectionInflation`: 1.15 until session 34, 1.10 since) as far
/// from the forecast, and since session 27 widen
/// where the ensemble's members disagree (z × s in quadrature, one s per series and step, see
/// FastPredictTests.expectSame).
@Suite struct PredictThreadsTests {
    /// `Forecaster.selectionInflation` (this target does not import the library's internals).
    static let inflation = 1.10
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
        let z80 = 1.2815515655446004, z95 = 1.959963984540054
        var widened = 0
        for (g, o) in zip(got, old) {
            #expect(g.key == o.key && g.value == o.value, "\(g.key): \(g.value) vs \(o.value)")
            // Bounds printed to 7 significant digits (lower, upper at 80%, then at 95%).
            let v = Double(o.value)!, tolerance = 1e-5 * max(1, abs(v))
            let c80 = Self.inflation * (Double(o.bounds[1])! - v), c95 = Self.inflation * (Double(o.bounds[3])! - v)
            let n80 = Double(g.bounds[1])! - v, n95 = Double(g.bounds[3])! - v
            let s2 = max(0, (n80 * n80 - c80 * c80) / (z80 * z80))
            #expect(n80 >= c80 - tolerance, "\(g.key): \(n80) below \(c80)")
            #expect(abs(n95 - (c95 * c95 + z95 * z95 * s2).squareRoot()) <= tolerance, "\(g.key): 95% half-width \(n95)")
            for (lower, n) in [(Double(g.bounds[0])!, n80), (Double(g.bounds[2])!, n95)] {
                #expect(abs(lower - max(0, v - n)) <= tolerance, "\(g.key): lower \(lower)")
            }
            if n80 > c80 + tolerance { widened += 1 }
        }
        #expect(widened > 0, "no interval widened where members disagree")
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
