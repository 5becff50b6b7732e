import Foundation
import ForecastKit
import Testing

/// Issue 14, "Commands: bounds, signals, exit codes" and the `--resume` bullet of "Model files":
/// one case per bullet, each running the built `forecast` and checking its exit code, a message
/// and that no file was written.
@Suite(.serialized) struct ReliabilityCommandsCatalogueTests {
    /// 25,000 integer-indexed points and a network slow enough per step (lookback 200, 64 hidden
    /// units, horizon 1) that a long recursive forecast takes minutes: the signal tests interrupt it.
    static let long: (data: String, model: String) = {
        let dir = tempDir()
        var text = "t,v\n"
        for t in 0..<25_000 { text += "\(t),\(String(format: "%.4f", 10 + sin(Double(t) * 0.2618) + 0.1 * sin(Double(t * t % 97))))\n" }
        let data = write(text, "long.csv", in: dir)
        let r = try! forecast(["fit", data, "--target", "v", "--horizon", "1", "--lookback", "200", "--hidden", "64",
                               "--max-steps", "2", "--ensemble", "1", "--combine", "network", "--seasonal-period", "none",
                               "--validation-fraction", "0.01", "--quiet", "--model", "\(dir)/long.fcm"])
        precondition(r.status == 0, r.stderr)
        return (data, "\(dir)/long.fcm")
    }()

    static let small = smallAirlineModel

    // MARK: - predict --horizon 0 and absurd horizons end at once; memory is checked first

    @Test func predictHorizonZeroEndsAtOnce() throws {
        let dir = tempDir()
        let r = try forecast(["predict", "--model", Self.small, "--horizon", "0", "--output", "\(dir)/f.csv"])
        #expect(r.status == 2 && r.stderr.contains("--horizon must be at least 1, got 0"), "\(r.stderr)")
        #expect(files(in: dir).isEmpty)
    }

    /// Options a Darts or pandas user would read differently, and options that contradict each
    /// other, are usage errors that say so, before anything is read or written.
    @Test func misreadableOptionsAreUsageErrors() throws {
        let dir = tempDir()
        let cases: [([String], String)] = [
            (["predict", "--model", Self.small, "--horizon", "2", "--json", "--format", "csv"],
             "--json and --format csv ask for different formats; give one"),
            (["predict", "--model", Self.small, "--horizon", "2", "--intervals", "0.8,0.95"],
             "--intervals takes percentages, like 80,95; '0.8' would be a 0.8% interval (for 80%, write 80)"),
            (["fit", airline, "--target", "passengers", "--horizon", "3", "--fill", "drop", "--model", "\(dir)/m.fcm"],
             "The value 'drop' is invalid for '--fill <fill>'"),
            (["fit", airline, "--target", "passengers", "--horizon", "3", "--lookback", "24,x", "--model", "\(dir)/m.fcm"],
             "--lookback takes whole numbers, one for every network (48) or one per network separated by commas (24,36), got '24,x'"),
            // A negative number is the option's value, not a missing value followed by an option.
            (["fit", airline, "--target", "passengers", "--horizon", "-1", "--model", "\(dir)/m.fcm"],
             "--horizon must be at least 1, got -1"),
            (["fit", airline, "--target", "passengers", "--horizon", "3", "--seed", "-5", "--model", "\(dir)/m.fcm"],
             "The value '-5' is invalid for '--seed <seed>'"),
            // An option right after a numeric one is a missing value, said as such.
            (["predict", "--model", Self.small, "--horizon", "--threads", "2"],
             "Missing value for '--horizon <horizon>' (the next argument, '--threads', is an option)"),
            // Not when the value was given with '=', nor when it is no option of the command.
            (["predict", "--model", Self.small, "--horizon=--threads"], "The value '--threads' is invalid for '--horizon <horizon>'"),
            (["predict", "--model", Self.small, "--horizon", "--bogus"], "The value '--bogus' is invalid for '--horizon <horizon>'"),
            (["predict", "--model", Self.small, "--horizon", "2", "--intervals", "80,"],
             "--intervals takes comma-separated percentages, like 80,95; got '80,', with an empty entry"),
            (["predict", "--model", Self.small, "--horizon", "2", "--intervals", ""],
             "got '', with an empty entry"),
        ]
        for (args, message) in cases {
            let r = try forecast(args)
            #expect(r.status == 2 && r.stderr.contains(message), "\(args): \(r.status) \(r.stderr)")
        }
        // A holdout the data cannot satisfy is a data error (exit 1): usage errors come before any data is read.
        let all = try forecast(["fit", airline, "--target", "passengers", "--horizon", "3", "--holdout", "144", "--model", "\(dir)/m.fcm"])
        #expect(all.status == 1 && all.stderr.contains("--holdout 144 leaves nothing to train on: the series has 144 points"), "\(all.stderr)")
        let most = try forecast(["fit", airline, "--target", "passengers", "--horizon", "12", "--holdout", "143", "--model", "\(dir)/m.fcm"])
        #expect(most.status == 1 && most.stderr.contains("with the last 143 points held out (--holdout), the series has 1 point, fewer than"), "\(most.stderr)")
        #expect(files(in: dir).isEmpty)
        let one = try forecast(["predict", "--model", Self.small, "--horizon", "2", "--intervals", "1"])
        #expect(one.status == 2 && one.stderr.contains("'1' would be a 1% interval") && !one.stderr.contains("write 100"), "\(one.stderr)")
        let table = try forecast(["fit", airline, "--target", "passengers", "--horizon", "3", "--json", "--format", "table", "--model", "\(dir)/m.fcm"])
        #expect(table.status == 2 && table.stderr.contains("--json and --format table ask for different formats"), "\(table.stderr)")
    }

    /// A panel id holding a comma is picked by quoting it as in CSV; an unclosed quote or an empty
    /// list is a usage error naming `predict` (it printed the top-level usage).
    @Test func seriesIdsWithCommasCanBePicked() throws {
        let dir = tempDir()
        let rows = ["H,1", "b"].flatMap { id in (0..<40).map { "\"\(id)\",\($0),\(10 + ($0 % 4) + (id == "b" ? 5 : 0))" } }
        let data = write("id,t,v\n" + rows.joined(separator: "\n") + "\n", "panel.csv", in: dir)
        let fit = try forecast(["fit", data, "--id-column", "id", "--target", "v", "--horizon", "2", "--max-steps", "2",
                                "--ensemble", "1", "--quiet", "--model", "\(dir)/p.fcm"])
        #expect(fit.status == 0, "\(fit.stderr)")
        let one = try forecast(["predict", "--model", "\(dir)/p.fcm", "--horizon", "2", "--series", "\"H,1\""])
        #expect(one.status == 0 && one.stdout.split(separator: "\n").dropFirst().allSatisfy { $0.hasPrefix("\"H,1\",") }
                && one.stdout.split(separator: "\n").count == 3, "\(one.stdout)\(one.stderr)")
        let both = try forecast(["predict", "--model", "\(dir)/p.fcm", "--horizon", "1", "--series", "b, \"H,1\""])
        #expect(both.status == 0 && both.stdout.split(separator: "\n").count == 3, "\(both.stdout)\(both.stderr)")
        // A one-row series in --data is forecast by a fallback, and the loader's warning says so
        // (it said "the series is left out" above the fallback's forecast).
        let more = write("id,t,v\n" + rows.joined(separator: "\n") + "\nc,0,7\n", "more.csv", in: dir)
        let p = try forecast(["predict", "--model", "\(dir)/p.fcm", "--horizon", "2", "--data", more])
        #expect(p.status == 0 && p.stdout.contains("\nc,") && p.stderr.contains("series 'c'")
                && p.stderr.contains("it gets a fallback forecast") && !p.stderr.contains("the series is left out"), "\(p.stdout)\(p.stderr)")
        for bad in ["", "\"H,1", "\"H,1\" b"] {
            let r = try forecast(["predict", "--model", "\(dir)/p.fcm", "--horizon", "1", "--series", bad])
            #expect(r.status == 2 && r.stderr.contains("--series takes comma-separated series ids")
                    && r.stderr.contains("Usage: forecast predict"), "\(r.stderr)")
        }
    }

    /// A statistical model forecasting alone takes every step directly: past the network's horizon
    /// there is no recursion to warn about (the note and `recursive` said there was).
    @Test func statisticalMethodsAreNotRecursive() throws {
        let theta = try forecast(["predict", "--model", Self.small, "--horizon", "6", "--method", "theta", "--data", airline, "--format", "json"])
        #expect(theta.status == 0 && !theta.stderr.contains("recursive") && theta.stdout.contains("\"recursive\" : false"),
                "\(theta.stdout)\(theta.stderr)")
        let network = try forecast(["predict", "--model", Self.small, "--horizon", "6", "--method", "network", "--format", "json"])
        #expect(network.status == 0 && network.stderr.contains("recursive") && network.stdout.contains("\"recursive\" : true"),
                "\(network.stdout)\(network.stderr)")
        // evaluate says it too when it scores past the horizon (the model's is 3), and only then.
        let past = try forecast(["evaluate", airline, "--model", Self.small, "--holdout", "6", "--format", "csv"])
        #expect(past.status == 0 && past.stderr.contains("note: the model was trained for 3 steps; the network's steps 4-6 feed forecasts back"),
                "\(past.stderr)")
        let within = try forecast(["evaluate", airline, "--model", Self.small, "--holdout", "3", "--format", "csv"])
        #expect(within.status == 0 && !within.stderr.contains("recursive"), "\(within.stderr)")
    }

    /// `evaluate` says what the loader did, as fit and predict do, and a value it filled in the
    /// scored points is not scored as an actual: the scores are those of the observed points.
    @Test func evaluateSaysWhatTheLoaderFilledAndLeavesItOut() throws {
        let dir = tempDir()
        let whole = try String(contentsOfFile: airline, encoding: .utf8).split(separator: "\n").map(String.init)
        var lines = whole
        lines[lines.count - 2] = lines[lines.count - 2].split(separator: ",")[0] + ","
        let gappy = write(lines.joined(separator: "\n") + "\n", "gappy.csv", in: dir)
        let r = try forecast(["evaluate", gappy, "--model", Self.small, "--fill", "interpolate", "--format", "json"])
        #expect(r.status == 0 && r.stderr.contains("1 missing values in 'passengers' filled by linear interpolation")
                && r.stderr.contains("note: 1 of the scored points was filled in by --fill, not observed: left out of every score"), "\(r.stderr)")
        // The same scores as the observed points alone: the file's true value there is replaced by
        // an interpolation, which changes the forecast's score only if it is counted.
        let changed = whole.enumerated().map { k, line in
            k == whole.count - 2 ? line.split(separator: ",")[0] + ",9999" : line
        }
        let other = write(changed.joined(separator: "\n") + "\n", "other.csv", in: dir)
        let full = try forecast(["evaluate", other, "--model", Self.small, "--format", "json"])
        func mae(_ text: String, _ model: String) throws -> Double? {
            let obj = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            let rows = obj?["metrics"] as? [[String: Any]] ?? []
            return rows.first { $0["model"] as? String == model }?["mae"] as? Double
        }
        // 9999 in the observed file is a huge error; in the gappy one that point is not scored.
        let gappyMAE = try #require(try mae(r.stdout, "naive")), fullMAE = try #require(try mae(full.stdout, "naive"))
        #expect(gappyMAE < 1000 && fullMAE > 1000, "\(gappyMAE) \(fullMAE)")
        // Each row says how many points it scored; the table's footer says one was not.
        func scoredPoints(_ text: String) throws -> [Int] {
            let obj = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            return (obj?["metrics"] as? [[String: Any]] ?? []).map { ($0["scored_points"] as? Int ?? -1) - ($0["holdout"] as? Int ?? 0) }
        }
        let short = try scoredPoints(r.stdout), whole_ = try scoredPoints(full.stdout)
        #expect(!short.isEmpty && short.allSatisfy { $0 == -1 } && !whole_.isEmpty && whole_.allSatisfy { $0 == 0 }, "\(short) \(whole_)")
        let table = try forecast(["evaluate", gappy, "--model", Self.small, "--fill", "interpolate"])
        #expect(table.status == 0 && table.stdout.contains(" points, 1 of them filled in by --fill and not scored; MASE"), "\(table.stdout)")
        // backtest likewise: the last fold's naive MAE, with and without the made-up value.
        func lastFoldMAE(_ file: String, _ extra: [String]) throws -> (Double?, String) {
            let b = try forecast(["backtest", file, "--target", "passengers", "--horizon", "3", "--folds", "2", "--max-steps", "2",
                                  "--ensemble", "1", "--quiet", "--format", "csv"] + extra)
            let row = b.stdout.split(separator: "\n").first { $0.hasPrefix("2,") && $0.contains(",naive,") }
            return (row.flatMap { Double($0.split(separator: ",")[4]) }, b.stderr)
        }
        let (gappyFold, notes) = try lastFoldMAE(gappy, ["--fill", "interpolate"])
        let (fullFold, _) = try lastFoldMAE(other, [])
        #expect(notes.contains("note: 1 of the scored points was filled in by --fill, not observed: left out of every score"), "\(notes)")
        #expect((gappyFold ?? .infinity) < 1000 && (fullFold ?? 0) > 1000, "\(String(describing: gappyFold)) \(String(describing: fullFold))")
        // A fold whose held-out values were all filled in has nothing to score, and says so.
        var holes = whole
        for k in (whole.count - 6)..<(whole.count - 3) { holes[k] = holes[k].split(separator: ",")[0] + "," }
        let hollow = write(holes.joined(separator: "\n") + "\n", "hollow.csv", in: dir)
        let (_, foldNotes) = try lastFoldMAE(hollow, ["--fill", "interpolate"])
        #expect(foldNotes.contains("note: fold 1 (origin ") && foldNotes.contains(") has no observed point to score (every held-out value was filled in by --fill): its scores are undefined, and the 'all' rows average the other folds"), "\(foldNotes)")
    }

    /// A level the calibration errors cannot support (n errors: up to n / (n + 1)) is warned
    /// about, not silently given the largest error's bounds under its own label.
    @Test func unsupportedIntervalLevelsAreWarnedAbout() throws {
        let r = try forecast(["predict", "--model", Self.small, "--horizon", "2", "--intervals", "80,99.9"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning: a 99.9% interval needs at least 1000 calibration errors; the series has "), "\(r.stderr)")
        #expect(!r.stderr.contains("a 80% interval"), "\(r.stderr)")
        let fine = try forecast(["predict", "--model", Self.small, "--horizon", "2", "--intervals", "80,90"])
        #expect(fine.status == 0 && !fine.stderr.contains("calibration errors"), "\(fine.stderr)")
    }

    /// Data the loader reads as it is stays usable: a compact date format is not "past the year
    /// 9999", and a panel series too sparse to share the others' frequency is left out of
    /// training with a warning, not an error.
    @Test func loaderDataPassesTheNewChecks() throws {
        let dir = tempDir()
        let days = (0..<90).map { i -> String in
            let d = Calendar(identifier: .gregorian).date(byAdding: .day, value: i, to: Date(timeIntervalSince1970: 1_704_067_200))!
            let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: d)
            return String(format: "%04d%02d%02d", c.year!, c.month!, c.day!)
        }
        try ("date,v\n" + days.enumerated().map { "\($1),\(10 + $0 % 7)" }.joined(separator: "\n") + "\n")
            .write(toFile: "\(dir)/compact.csv", atomically: true, encoding: .utf8)
        let fit = try forecast(["fit", "\(dir)/compact.csv", "--target", "v", "--time-format", "%Y%m%d", "--horizon", "3",
                                "--max-steps", "2", "--ensemble", "1", "--quiet", "--model", "\(dir)/c.fcm"])
        #expect(fit.status == 0, "\(fit.stderr)")
        let p = try forecast(["predict", "--model", "\(dir)/c.fcm", "--horizon", "3"])
        #expect(p.status == 0 && !p.stderr.contains("9999") && p.stdout.contains("20240331"), "\(p.stdout)\(p.stderr)")
        let rows = (0..<60).map { "a,\(days[$0]),\($0 % 7)" } + ["b,20240101,1", "b,20240103,2", "b,20240105,3", "c,20240101,5"]
        try ("series,date,v\n" + rows.joined(separator: "\n") + "\n").write(toFile: "\(dir)/sparse.csv", atomically: true, encoding: .utf8)
        let panel = try forecast(["fit", "\(dir)/sparse.csv", "--id-column", "series", "--target", "v", "--time-format", "%Y%m%d",
                                  "--horizon", "3", "--max-steps", "2", "--ensemble", "1", "--quiet", "--model", "\(dir)/p.fcm",
                                  "--format", "json"])
        #expect(panel.status == 0, "\(panel.stderr)")
        // The loader's warning (one row: no frequency) is in the summary's warnings too, not only
        // on stderr, before fit's own (too short for the network).
        let summary = try JSONSerialization.jsonObject(with: Data(panel.stdout.utf8)) as? [String: Any]
        let warnings = summary?["warnings"] as? [String] ?? []
        #expect(warnings.count == 2 && warnings[0].hasPrefix("\(dir)/sparse.csv: series 'c'")
                && warnings[0].hasSuffix("the series is left out") && warnings[1].hasPrefix("series 'b' has 3 points"), "\(panel.stdout)")
        #expect(panel.stderr.contains("warning: \(dir)/sparse.csv: series 'c'"), "\(panel.stderr)")
        #expect(try forecast(["predict", "--model", "\(dir)/p.fcm", "--horizon", "2"]).status == 0)
    }

    @Test func predictAbsurdHorizonEndsAtOnce() throws {
        let dir = tempDir()
        let big = try forecast(["predict", "--model", Self.small, "--horizon", "2000000000", "--output", "\(dir)/f.csv"])
        #expect(big.status == 2 && big.stderr.contains("--horizon must be at most 100000, got 2000000000"), "\(big.stderr)")
        let exponent = try forecast(["predict", "--model", Self.small, "--horizon", "2e9", "--output", "\(dir)/f.csv"])
        #expect(exponent.status == 2 && exponent.stderr.contains("The value '2e9' is invalid for '--horizon"), "\(exponent.stderr)")
        #expect(files(in: dir).isEmpty)
    }

    @Test func predictLongHorizonChecksMemoryBeforeAllocating() throws {
        let dir = tempDir()
        let r = try forecast(["predict", "--model", Self.small, "--horizon", "100000", "--intervals", "80,95", "--output", "\(dir)/f.csv"],
                             environment: ["FORECAST_MEMORY_LIMIT": "1000000"])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("a 100000-step forecast of 1 series needs about") && r.stderr.contains("more than the 976 KB allowed"), "\(r.stderr)")
        #expect(files(in: dir).isEmpty)
        // Within the limit the same forecast runs.
        let ok = try forecast(["predict", "--model", Self.small, "--horizon", "2000", "--output", "\(dir)/f.csv"],
                              environment: ["FORECAST_MEMORY_LIMIT": "1000000"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(!ok.stderr.contains("past the year 9999"), "\(ok.stderr)")
        // 100,000 months from 1961 end in the year 10294: said, since few readers parse such dates.
        let far = try forecast(["predict", "--model", Self.small, "--horizon", "100000", "--output", "\(tempDir())/far.csv"])
        #expect(far.status == 0 && far.stderr.contains("the forecast runs past the year 9999 (to 10294-"), "\(far.stderr)")
        // A limit that is not a number of bytes is an error, not silently half the memory.
        for bad in ["8GB", "0", "-5", ""] {
            let r = try forecast(["predict", "--model", Self.small, "--horizon", "2", "--output", "\(dir)/g.csv"],
                                 environment: ["FORECAST_MEMORY_LIMIT": bad])
            #expect(r.status == 1, "\(bad): \(r.stderr)")
            #expect(r.stderr.contains("FORECAST_MEMORY_LIMIT must be a positive whole number of bytes, like 8000000000; got '\(bad)'"), "\(r.stderr)")
        }
        #expect(files(in: dir) == ["f.csv"])
    }

    @Test func fitChecksMemoryBeforeBuildingNetworks() throws {
        // 8 networks of 16 layers and 1024 units, and their window-scaled twins (airline's scale
        // changed), need about 288 GB: it used to allocate until killed.
        let dir = tempDir()
        let airline = "\(repoRoot)/datasets/airline_passengers.csv"
        let started = Date()
        let r = try forecast(["fit", airline, "--target", "passengers", "--horizon", "12", "--hidden", "1024", "--layers", "16",
                              "--ensemble", "8", "--model", "\(dir)/m.fcm"])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("training 16 networks (8 and as many window-scaled) of 16 layers and 1024 hidden units needs about 288.2 GB of memory, more than the"), "\(r.stderr)")
        #expect(r.stderr.contains("use a smaller --hidden, fewer --layers or a smaller --ensemble"), "\(r.stderr)")
        #expect(Date().timeIntervalSince(started) < 30)
        // The limit is the environment's when set.
        let small = try forecast(["fit", airline, "--target", "passengers", "--horizon", "12", "--max-steps", "2", "--model", "\(dir)/m.fcm"],
                                 environment: ["FORECAST_MEMORY_LIMIT": "1000000"])
        #expect(small.status == 1 && small.stderr.contains("more than the 976 KB allowed"), "\(small.stderr)")
        #expect(files(in: dir).isEmpty)
    }

    @Test func repeatedIntervalLevelsAreAUsageError() throws {
        // `--intervals 80,80` printed two columns named y_lower_80.
        let r = try forecast(["predict", "--model", Self.small, "--horizon", "2", "--intervals", "80, 95,80"])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("--intervals lists 80 twice"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    // MARK: - predict, evaluate and backtest honour Ctrl-C / SIGTERM

    @Test func predictStopsOnSIGINT() throws {
        let dir = tempDir()
        let run = try Watched(["predict", "--model", Self.long.model, "--horizon", "100000", "--output", "\(dir)/f.csv"])
        #expect(run.waitFor("recursive"), "predict began its recursive forecast: \(run.stderr)")
        kill(run.process.processIdentifier, SIGINT)
        let r = run.finish(seconds: 60)
        #expect(r.status == 130, "\(r.stderr)")
        #expect(r.stderr.contains("interrupted: the forecast was stopped"), "\(r.stderr)")
        #expect(r.stdout.isEmpty && files(in: dir).isEmpty)
    }

    @Test func evaluateStopsOnSIGTERM() throws {
        let run = try Watched(["evaluate", Self.long.data, "--model", Self.long.model, "--holdout", "20000"])
        // The warning comes just before the 20,000-step forecast of the held-out points.
        #expect(run.waitFor("inside the scored points"), "\(run.stderr)")
        kill(run.process.processIdentifier, SIGTERM)
        let r = run.finish(seconds: 60)
        #expect(r.status == 130, "\(r.stderr)")
        #expect(r.stderr.contains("interrupted"), "\(r.stderr)")
        #expect(r.stdout.isEmpty, "no table: \(r.stdout)")
    }

    @Test func interruptedBacktestPrintsNoTable() throws {
        let dir = tempDir()
        var text = "t,v\n"
        for t in 0..<3_000 { text += "\(t),\(String(format: "%.4f", 10 + sin(Double(t) * 0.2618)))\n" }
        let data = write(text, "b.csv", in: dir)
        let run = try Watched(["backtest", data, "--target", "v", "--horizon", "4", "--folds", "2", "--hidden", "32",
                               "--max-steps", "1000000", "--patience", "1000000", "--ensemble", "1", "--combine", "network",
                               "--seasonal-period", "none", "--plot", "\(dir)/b.svg"])
        Thread.sleep(forTimeInterval: 3)
        #expect(run.process.isRunning, "still training the first fold")
        kill(run.process.processIdentifier, SIGINT)
        let r = run.finish(seconds: 60)
        #expect(r.status == 130, "\(r.stderr)")
        #expect(r.stderr.contains("interrupted: the backtest in fold 1 was stopped"), "\(r.stderr)")
        #expect(r.stdout.isEmpty, "no table of untrained models: \(r.stdout)")
        #expect(files(in: dir) == ["b.csv"])
    }

    @Test func interruptedFitSavesBestWeightsAndExits130() throws {
        let dir = tempDir()
        let run = try Watched(["fit", Self.long.data, "--target", "v", "--horizon", "1", "--hidden", "32", "--max-steps", "1000000",
                               "--patience", "1000000", "--ensemble", "1", "--combine", "network", "--seasonal-period", "none",
                               "--model", "\(dir)/m.fcm"])
        #expect(run.waitFor("step "), "training began: \(run.stderr)")
        kill(run.process.processIdentifier, SIGINT)
        let r = run.finish(seconds: 60)
        #expect(r.status == 130, "\(r.stderr)")
        #expect(r.stderr.contains("best weights were saved"), "\(r.stderr)")
        #expect(try forecast(["predict", "--model", "\(dir)/m.fcm", "--horizon", "2"]).status == 0)
    }

    // MARK: - evaluate is linear in the rows

    /// The smoothing baselines are fitted on the last `Baseline.fitWindow` points, so their
    /// forecasts (and errors) on a 25,000-point file equal those on its last fitWindow + holdout
    /// rows, and the network reads only its lookback: nothing depends on the rows before.
    @Test func evaluateReadsABoundedWindow() throws {
        let dir = tempDir()
        let holdout = 5
        let lines = try String(contentsOfFile: Self.long.data, encoding: .utf8).split(separator: "\n")
        let tail = write(([lines[0]] + lines.suffix(Baseline.fitWindow + holdout)).joined(separator: "\n") + "\n", "tail.csv", in: dir)
        func maes(_ file: String) throws -> [String: Double] {
            let r = try forecast(["evaluate", file, "--model", Self.long.model, "--holdout", "\(holdout)", "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            let rows = (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any])["metrics"] as! [[String: Any]]
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["model"] as! String, $0["mae"] as! Double) })
        }
        let all = try maes(Self.long.data), last = try maes(tail)
        for model in ["network", "holt_winters", "theta", "damped_ets", "auto_ets"] {
            #expect(all[model] != nil && all[model] == last[model], "\(model): \(all[model] ?? .nan) vs \(last[model] ?? .nan)")
        }
    }

    // MARK: - one exit-code scheme, documented

    @Test func exitCodesAreOneScheme() throws {
        let help = try forecast(["help"])
        #expect(help.status == 0)
        // No command, or help for a command that does not exist, is a usage error with the help on stderr.
        let none = try forecast([])
        #expect(none.status == 2 && none.stdout.isEmpty && none.stderr.contains("SUBCOMMANDS:"), "\(none.stderr)")
        let unknown = try forecast(["help", "nosuch"])
        #expect(unknown.status == 2 && unknown.stderr.contains("no command 'nosuch'; the commands are fit, predict, evaluate, backtest, inspect, bench\n"), "\(unknown.stderr)")
        for command in ["fit", "predict", "evaluate", "backtest", "inspect", "bench"] {
            let h = try forecast(["help", command])
            #expect(h.status == 0 && h.stdout.contains("USAGE: forecast \(command)"), "help \(command): \(h.stderr)")
        }
        for line in ["0    success", "1    bad data or model file", "2    usage error", "130  interrupted"] {
            #expect(help.stdout.contains(line), "forecast help documents '\(line)'")
        }
        let missing = "\(tempDir())/none.csv"
        let usage: [[String]] = [
            ["fit", airline, "--target", "passengers", "--horizon", "3", "--model", "m.fcm", "--bogus"],
            ["predict", "--model", Self.small, "--horizon", "3", "--bogus"],
            ["evaluate", airline, "--model", Self.small, "--holdout", "0"],
            ["backtest", airline, "--target", "passengers", "--horizon", "3", "--folds", "0"],
            // Out-of-range settings are usage errors wherever their range is checked.
            ["fit", airline, "--target", "passengers", "--horizon", "20000", "--model", "m.fcm"],
            ["fit", airline, "--target", "passengers", "--horizon", "3", "--lookback", "0", "--model", "m.fcm"],
            ["fit", airline, "--target", "passengers", "--horizon", "3", "--hidden", "0", "--model", "m.fcm"],
            ["backtest", airline, "--target", "passengers", "--horizon", "2000000000"],
            ["inspect"],
            ["nonsense"],
        ]
        for args in usage {
            let r = try forecast(args)
            #expect(r.status == 2, "\(args): \(r.status) \(r.stderr)")
        }
        let data: [[String]] = [
            ["fit", missing, "--target", "v", "--horizon", "3", "--model", "\(tempDir())/m.fcm"],
            ["predict", "--model", missing, "--horizon", "3"],
            ["evaluate", missing, "--model", Self.small],
            ["backtest", missing, "--target", "v", "--horizon", "3"],
            ["inspect", missing],
        ]
        for args in data {
            let r = try forecast(args)
            #expect(r.status == 1, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.hasPrefix("forecast: error: "), "\(args): \(r.stderr)")
        }
    }

    // MARK: - --resume is a warm start: renamed, and conflicting flags are an error

    @Test func warmStartRefusesConflictingOptions() throws {
        let dir = tempDir()
        let before = try Data(contentsOf: URL(fileURLWithPath: Self.small))
        let r = try forecast(["fit", airline, "--target", "passengers", "--horizon", "6", "--hidden", "8", "--cell", "gru",
                              "--lookback", "24,36", "--warm-start", Self.small, "--model", "\(dir)/m2.fcm"])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("--horizon 6 (the model has 3), --cell gru (the model has lstm), --hidden 8 (the model has 4)"), "\(r.stderr)")
        #expect(r.stderr.contains("conflict with \(Self.small), which a warm start keeps"), "\(r.stderr)")
        #expect(!r.stderr.contains("--lookback"), "the networks' lookbacks are 24 and 36: no conflict")
        let single = try forecast(["fit", airline, "--target", "passengers", "--horizon", "3", "--lookback", "36",
                                   "--warm-start", Self.small, "--model", "\(dir)/m4.fcm"])
        #expect(single.status == 2 && single.stderr.contains("--lookback 36 (the model's networks have 24,36)"), "\(single.stderr)")
        let target = try forecast(["fit", "\(repoRoot)/datasets/nile_flow_yearly.csv", "--target", "volume", "--horizon", "3",
                                   "--warm-start", Self.small, "--model", "\(dir)/m3.fcm"])
        #expect(target.status == 2 && target.stderr.contains("--target volume (the model has passengers)"), "\(target.stderr)")
        #expect(files(in: dir).isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: Self.small)) == before)
    }

    @Test func warmStartAppliesTrainingOptionsAndResumeIsADeprecatedAlias() throws {
        let dir = tempDir()
        let warm = try forecast(["fit", airline, "--target", "passengers", "--horizon", "3", "--epochs", "1", "--learning-rate", "0.01",
                                 "--warm-start", Self.small, "--model", "\(dir)/w.fcm"])
        #expect(warm.status == 0, "\(warm.stderr)")
        #expect(warm.stderr.contains("warm start from") && warm.stderr.contains("the optimizer starts afresh"))
        #expect(try forecast(["inspect", "\(dir)/w.fcm"]).stdout.contains("Adam lr 0.01,"), "--learning-rate applies")
        let old = try forecast(["fit", airline, "--target", "passengers", "--horizon", "3", "--epochs", "1", "--quiet",
                                "--resume", Self.small, "--model", "\(dir)/r.fcm"])
        #expect(old.status == 0, "\(old.stderr)")
        #expect(old.stderr.contains("--resume is deprecated") && old.stderr.contains("--warm-start"), "\(old.stderr)")
        let both = try forecast(["fit", airline, "--target", "passengers", "--horizon", "3", "--resume", Self.small,
                                 "--warm-start", Self.small, "--model", "\(dir)/b.fcm"])
        #expect(both.status == 2 && both.stderr.contains("not both"))
        #expect(!(try forecast(["help", "fit"]).stdout.contains("--resume")), "the old name is hidden")
    }
}
