import Foundation
import Testing

/// `predict --threads`: the same output whatever the count, and the same CSV as forecast 0.2.0
/// wrote for a format-2 panel model (Tests/ForecastModelsTests/Fixtures: `predict --horizon 9
/// --intervals 80,95` by that version).
@Suite struct PredictThreadsTests {
    static let fixtures = "\(repoRoot)/Tests/ForecastModelsTests/Fixtures"

    @Test func outputIsTheOldVersionsWhateverTheThreads() throws {
        let expected = try String(contentsOfFile: "\(Self.fixtures)/panel-format2-forecast.csv", encoding: .utf8)
        for threads in ["1", "2", "3"] {
            let r = try forecast(["predict", "--model", "\(Self.fixtures)/panel-format2.fcm", "--horizon", "9",
                                  "--intervals", "80,95", "--threads", threads])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout == expected, "--threads \(threads)")
        }
        let bad = try forecast(["predict", "--model", "\(Self.fixtures)/panel-format2.fcm", "--horizon", "9", "--threads", "0"])
        #expect(bad.status == 2 && bad.stderr.contains("--threads must be between 1 and 256"))
    }
}
