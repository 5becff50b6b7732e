import Foundation
import Testing

/// Inputs found by an adversarial pass over the commands (session 17): each crashed, hung, wrote
/// a file the tool then refused, or mislabelled a forecast. Each case runs the built `forecast`.
@Suite struct AdversarialInputTests {
    /// `t,y` with y = t mod 4, for `n` integer steps.
    static func cycle(_ n: Int, in dir: String) -> String {
        write("t,y\n" + (0..<n).map { "\($0),\($0 % 4)\n" }.joined(), "s\(n).csv", in: dir)
    }

    @Test func noValidationSplitWithAnEnsembleCalibratesOnCommonWindows() throws {
        // The members' lookbacks differ (L and 1.5 L), so their training windows do too; the
        // calibration without a split reads the windows every member has (it trapped on an index).
        let dir = tempDir()
        let data = Self.cycle(30, in: dir)
        let fit = try forecast(["fit", data, "--target", "y", "--horizon", "2", "--max-steps", "3", "--validation-fraction", "0",
                                "--model", "\(dir)/m.fcm"])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stderr.contains("no validation split (validation fraction 0)"), "\(fit.stderr)")
        let p = try forecast(["predict", "--model", "\(dir)/m.fcm", "--horizon", "2", "--intervals", "80"])
        #expect(p.status == 0, "\(p.stderr)")
        #expect(p.stdout.hasPrefix("t,y,y_lower_80,y_upper_80\n30,"), "\(p.stdout)")
    }

    @Test func eachColumnPlaysOnePart() throws {
        // The id column as the target trapped while assembling the series; the target as a
        // (future) covariate fitted a model that then asked for the target's future values.
        let dir = tempDir()
        let data = write("t,y,x\n0,1,5\n1,2,6\n2,1,5\n3,2,6\n", "tiny.csv", in: dir)
        let cases: [([String], String)] = [
            (["--id-column", "y"], "the column 'y' is given to both --target and --id-column"),
            (["--id-column", "x", "--covariates", "x"], "the column 'x' is given to both --id-column and --covariates"),
            (["--covariates", "y"], "the column 'y' is given to both --target and --covariates"),
            (["--covariates", "x,x"], "--covariates names the column 'x' twice"),
            (["--future-covariates", "y"], "the column 'y' is given to both --target and --future-covariates"),
            (["--covariates", "x", "--future-covariates", "x"], "the column 'x' is given to both --covariates and --future-covariates"),
            (["--delimiter", "\""], "--delimiter must be"),
        ]
        for (command, extra) in [("fit", ["--model", "\(dir)/m.fcm"]), ("backtest", [])] {
            for (options, message) in cases {
                let before = files(in: dir)
                let r = try forecast([command, data, "--target", "y", "--horizon", "1"] + options + extra)
                #expect(r.status == 2, "\(command) \(options): \(r.stderr)")
                #expect(r.stderr.contains(message), "\(command) \(options): \(r.stderr)")
                #expect(files(in: dir) == before)
            }
        }
    }

    @Test func aPanelModelThatKeptOneSeriesMatchesSeriesById() throws {
        // Series 'a' is too short to train on, so the model trained on 'b' alone; 'a' (and a new
        // series 'zz') were forecast under b's id, scaler and baseline.
        let dir = tempDir()
        let rows = (0..<10).map { "a,\($0),\(100 + $0)\n" } + (0..<40).map { "b,\($0),\($0 % 4)\n" }
        let data = write("id,t,y\n" + rows.joined(), "p.csv", in: dir)
        let model = "\(dir)/m.fcm"
        let fit = try forecast(["fit", data, "--target", "y", "--id-column", "id", "--horizon", "4", "--lookback", "8",
                                "--max-steps", "3", "--ensemble", "1", "--quiet", "--model", model])
        #expect(fit.status == 0, "\(fit.stderr)")
        let plain = try forecast(["predict", "--model", model, "--horizon", "2"])
        let ids = plain.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[0] }
        #expect(ids == ["b", "b", "a", "a"], "\(plain.stdout)")
        let picked = try forecast(["predict", "--model", model, "--horizon", "2", "--series", "a"])
        #expect(picked.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[0] } == ["a", "a"], "\(picked.stdout)")
        // The same forecast as the plain predict's rows for 'a'.
        #expect(Array(picked.stdout.split(separator: "\n").dropFirst()) == Array(plain.stdout.split(separator: "\n").suffix(2)))
        let renamed = write("id,t,y\n" + (0..<10).map { "zz,\($0),\(100 + $0)\n" }.joined(), "zz.csv", in: dir)
        let new = try forecast(["predict", "--model", model, "--horizon", "2", "--data", renamed])
        #expect(new.stdout.split(separator: "\n").dropFirst().allSatisfy { $0.hasPrefix("zz,") }, "\(new.stdout)")
        #expect(new.stderr.contains("not trained on ('zz')"), "\(new.stderr)")
    }

    @Test func aSeriesWhollyHeldOutIsLeftOutOfTheModel() throws {
        // `--holdout 3` empties series 'c' (3 points): the model kept it with no values and every
        // command then refused the file as damaged.
        let dir = tempDir()
        let rows = (0..<20).map { "a,\($0),\($0 % 4)\n" } + (0..<3).map { "c,\($0),\($0)\n" }
        let data = write("id,t,y\n" + rows.joined(), "ho.csv", in: dir)
        let model = "\(dir)/m.fcm"
        let fit = try forecast(["fit", data, "--target", "y", "--id-column", "id", "--horizon", "2", "--holdout", "3",
                                "--max-steps", "3", "--ensemble", "1", "--model", model])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stderr.contains("series 'c' has no points; left out of the model"), "\(fit.stderr)")
        #expect(try forecast(["predict", "--model", model, "--horizon", "2"]).status == 0)
        #expect(try forecast(["inspect", model]).status == 0)
        let evaluate = try forecast(["evaluate", data, "--model", model, "--holdout", "3"])
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
    }

    @Test func stepsLongerThanAModelCanHoldAreRefusedWhenRead() throws {
        // fit accepted them and wrote a model that predict and inspect refused as damaged.
        let dir = tempDir()
        let big = write("t,y\n" + (0..<8).map { "\(Int64($0) * 2_000_000_000_000),\($0 % 3)\n" }.joined(), "big.csv", in: dir)
        let r = try forecast(["fit", big, "--target", "y", "--horizon", "2", "--model", "\(dir)/m.fcm"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("big.csv, line 3, column 't': the rows are steps of 2000000000000 index units, at most 1000000000000"), "\(r.stderr)")
        let years = write("year,y\n" + (1...9).map { "\($0 * 1000),\($0 % 3)\n" }.joined(), "years.csv", in: dir)
        let y = try forecast(["fit", years, "--target", "y", "--time-format", "year", "--horizon", "2", "--model", "\(dir)/m.fcm"])
        #expect(y.status == 1)
        #expect(y.stderr.contains("steps of 12000 months, at most 1200"), "\(y.stderr)")
        #expect(!files(in: dir).contains("m.fcm"))
    }

    @Test func aPlotOfAMissingForecastIsAnSVGThatSaysSo() throws {
        // The forecast of an all-missing series drew nothing: a 0-byte file replaced the old one.
        let dir = tempDir()
        let data = write("id,t,y\n" + (0..<6).map { "a,\($0),\($0 % 2 + 1)\n" }.joined() + "b,0,\nb,1,\n", "e.csv", in: dir)
        let model = "\(dir)/m.fcm"
        #expect(try forecast(["fit", data, "--target", "y", "--id-column", "id", "--horizon", "1", "--max-steps", "3",
                              "--ensemble", "1", "--quiet", "--model", model]).status == 0)
        let plot = write("old", "e.svg", in: dir)
        let p = try forecast(["predict", "--model", model, "--horizon", "1", "--series", "b", "--plot", plot])
        #expect(p.status == 0, "\(p.stderr)")
        let svg = try String(contentsOfFile: plot, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.contains("no finite values to plot"))
        #expect(!svg.lowercased().contains("nan"))
    }

    @Test func aTimeFormatTheFirstRowDoesNotMatchIsShownAsTheFormat() throws {
        // It said "expected a time written like the first row (1970)" at the first row itself.
        let dir = tempDir()
        let data = write("t,y\n0,1\n1,2\n2,1\n3,2\n", "t.csv", in: dir)
        let r = try forecast(["fit", data, "--target", "y", "--time-column", "t", "--time-format", "year", "--horizon", "1",
                              "--model", "\(dir)/m.fcm"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("t.csv, line 2, column 1 ('t'): expected a time such as 2024, as the time format says, found \"0\""), "\(r.stderr)")
    }

    @Test func tooLittleDataNamesTheFile() throws {
        // These said what was short without saying which file.
        let dir = tempDir()
        let data = write("t,y\n0,1\n1,2\n", "two.csv", in: dir)
        let fit = try forecast(["fit", data, "--target", "y", "--horizon", "3", "--model", "\(dir)/m.fcm"])
        #expect(fit.stderr.contains("forecast: error: \(data): the series has 2 points, fewer than lookback + horizon"), "\(fit.stderr)")
        let backtest = try forecast(["backtest", airline, "--target", "passengers", "--horizon", "3", "--folds", "60"])
        #expect(backtest.stderr.contains("forecast: error: \(airline): 60 folds of 3 points need more than"), "\(backtest.stderr)")
        let evaluate = try forecast(["evaluate", airline, "--model", smallAirlineModel, "--holdout", "140"])
        #expect(evaluate.stderr.contains("forecast: error: \(airline): scoring 140 points needs more than"), "\(evaluate.stderr)")
        #expect([fit.status, backtest.status, evaluate.status] == [1, 1, 1])
    }

    @Test func aWarmStartOnDataOfAnotherFrequencySaysWhatDiffers() throws {
        // It said "the model to resume has 2 different networks (lstm->lstm, hidden 32, ...)".
        let dir = tempDir()
        // 125 days of hourly temperatures: calendar inputs the monthly model's networks do not have.
        let lines = try String(contentsOfFile: "\(repoRoot)/datasets/seattle_temp_hourly.csv", encoding: .utf8)
            .split(separator: "\n").prefix(3000)
        let hourly = write((["date,passengers"] + lines.dropFirst()).joined(separator: "\n") + "\n", "hourly.csv", in: dir)
        let r = try forecast(["fit", hourly, "--target", "passengers", "--fill", "interpolate", "--horizon", "3", "--max-steps", "3",
                              "--warm-start", smallAirlineModel, "--model", "\(dir)/m.fcm"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("the model to resume does not fit this data and configuration: calendar inputs: the model's position in the 12-step season, this fit's"), "\(r.stderr)")
    }

    @Test func aFitInterruptedBeforeItsFirstRoundWritesNothing() throws {
        // Interrupted within its first round (500 steps of a 25,000-point series), a network
        // holds its initial weights: the old model file must stay as it was.
        let dir = tempDir()
        let model = write("old model", "m.fcm", in: dir)
        let run = try Watched(["fit", ReliabilityCommandsCatalogueTests.long.data, "--target", "v", "--horizon", "1",
                               "--hidden", "32", "--ensemble", "1", "--combine", "network", "--seasonal-period", "none",
                               "--model", model])
        #expect(run.waitFor("data: "), "\(run.stderr)")
        kill(run.process.processIdentifier, SIGINT)
        let r = run.finish(seconds: 60)
        #expect(r.status == 130, "\(r.stderr)")
        // Within training: "no model was written"; between reading and training: "nothing was written".
        #expect(r.stderr.contains("no model was written") || r.stderr.contains("nothing was written"), "\(r.stderr)")
        #expect(try String(contentsOfFile: model, encoding: .utf8) == "old model")
        #expect(files(in: dir) == ["m.fcm"])
    }

    @Test func aTimeFormatWhoseTimesRepeatIsAUsageError() throws {
        // `--time-format %H` read 25 hourly rows as 24 times of one day and a duplicate.
        let dir = tempDir()
        let data = write("t,y\n" + (0..<30).map { "\(String(format: "%02d", $0 % 24)),\($0)\n" }.joined(), "h.csv", in: dir)
        for (format, problem) in [("%H", "has no %Y or %y"), ("%m/%d", "has no %Y or %y"), ("%Y-%m-%d %M", "has no %H")] {
            let r = try forecast(["fit", data, "--target", "y", "--horizon", "2", "--time-format", format, "--model", "\(dir)/m.fcm"])
            #expect(r.status == 2, "\(r.stderr)")
            #expect(r.stderr.contains("--time-format '\(format)' \(problem): without it times repeat"), "\(r.stderr)")
        }
        let p = try forecast(["predict", "--model", smallAirlineModel, "--horizon", "2", "--time-format", "%H"])
        #expect(p.status == 2 && p.stderr.contains("--time-format '%H' has no %Y or %y"), "\(p.stderr)")
        #expect(files(in: dir) == ["h.csv"])
    }
}
