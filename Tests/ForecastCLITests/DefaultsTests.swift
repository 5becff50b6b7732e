import Foundation
import Testing
import ForecastKit

/// `ForecasterConfig` is the one place that holds the defaults: the command line's help shows its
/// values, and no help text in the CLI types a default of its own.
@Suite struct DefaultsTests {
    @Test func fitHelpShowsTheConfigurationsDefaults() throws {
        let help = try forecast(["fit", "--help"]).stdout.replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "  ", with: " ")
        let d = ForecasterConfig(horizon: 1)
        for expected in ["(default: \(d.hiddenSize))", "(default: \(d.batchSize))", "(default: \(d.patience))",
                         "(default: \(d.learningRate))", "(default: \(d.validationFraction))", "(default: \(d.seed))",
                         "(default: \(d.loss.rawValue))", "(default: \(d.scaler.rawValue))",
                         "(default: \(d.baseline.rawValue))", "default: \(ForecasterConfig.defaultEnsembleSize))",
                         "(default: \(ForecasterConfig.defaultCombine.rawValue))"] {
            #expect(help.contains(expected), "fit --help lacks \(expected)")
        }
    }

    /// `--fill` shows the loader's default in every command that reads data.
    @Test func fillDefaultIsTheLoaders() throws {
        for command in ["fit", "predict", "evaluate", "backtest"] {
            // Every run of spaces and line breaks as one space: the help wraps where it likes.
            let help = try forecast([command, "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(help.contains("default: \(SeriesLoader.Options.defaultFill.rawValue))"), "\(command) --help: \(help)")
            #expect(help.contains("(values: error, interpolate, ffill;"), "drop is the library's alias of error, not offered: \(help)")
        }
    }

    /// A number typed after "default:" in a CLI source is a second copy of a default.
    @Test func noLiteralDefaultsInTheCommandLine() throws {
        let dir = "\(repoRoot)/Sources/ForecastCLI"
        let pattern = try Regex(#"default: [0-9]"#)
        for file in try FileManager.default.contentsOfDirectory(atPath: dir) where file.hasSuffix(".swift") {
            let text = try String(contentsOfFile: "\(dir)/\(file)", encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.contains("help:") && line.contains(pattern) {
                Issue.record("\(file):\(n + 1) types a default; read it from ForecasterConfig: \(line)")
            }
        }
    }
}
