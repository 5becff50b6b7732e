import ArgumentParser
import Foundation
import ForecastKit

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a model on the last N points of a CSV file, beside the naive baselines.",
        discussion: """
        The model forecasts the last N points of each series from the points before them; so do the naive, \
        seasonal-naive, drift and mean baselines. MASE and RMSSE are scaled by the in-sample seasonal-naive \
        error. Fit with the same --holdout so the model never saw the scored points.

        Example:
          forecast fit datasets/airline_passengers.csv --target passengers --horizon 12 --holdout 12 --model a.fcm
          forecast evaluate datasets/airline_passengers.csv --model a.fcm --holdout 12
        """)

    @Argument(help: "The CSV file with the actual values.")
    var data: String

    @Option(help: "The model file.")
    var model: String

    @Option(parsing: .unconditional, help: "Points at the end of each series to score (default: the model's horizon).")
    var holdout: Int?

    @Option(help: "Missing values inside a series: error, interpolate or ffill (values filled among the scored points are left out of the scores).")
    var fill: MissingPolicy = SeriesLoader.Options.defaultFill

    @Option(help: "Draw history, the held-out actuals, the forecast and its 80%/95% intervals as an SVG file (first series).")
    var plot: String?

    @OptionGroup var output: ReportFormatOption

    @Flag(help: "No progress output (a panel's progress goes to stderr about once a second).")
    var quiet = false

    func validate() throws {
        if let n = holdout, n < 1 { throw ValidationError("--holdout must be at least 1, got \(n)") }
    }

    /// Time linear in the rows: loading is one pass, the network reads only each series' last
    /// lookback points, the metrics are one pass, and the smoothing baselines are fitted on at most
    /// `Baseline.fitWindow` points (Benchmarks/evaluate_rows.sh measures it).
    func run() throws {
        installStopHandlers()
        try reportingErrors {
            try OutputSafety.check(outputs: [("--plot", plot)], inputs: [("the data", data), ("--model", model)])
            let f = try ModelFile.read(model)
            let n = holdout ?? f.config.horizon
            let loaded = try SeriesLoader.load(data, options: f.loaderOptions(fill: fill))
            // What the loader did (values filled, series left out) is said, as fit and predict say
            // it; a value it filled among the scored points is left out of the scores.
            LoaderReport.print(loaded.report, file: data, quiet: false)
            let all = loaded.series
            try f.checkFrequency(of: all, file: data)
            try checkStop("the evaluation")
            let m = f.config.seasonalPeriod ?? 1
            var rows: [[String: Any]] = []
            var table: [(String, String, [Double?])] = []
            // Per table row, the coverage and Winkler score of the forecast's intervals at each of
            // `Self.levels` (the combination and the network; empty for the statistical models).
            var intervalScores: [[Double?]] = []
            var pooled = [(covered: Double, points: Int)](repeating: (0, 0), count: Self.levels.count)
            var undefinedIntervals = 0   // series whose bounds are not finite (a NaN forecast)
            // In a panel, series too short to score are named and left out; the rest are scored.
            let need = n + f.config.lookback!
            let short = all.filter { $0.count <= need }
            if short.count == all.count {
                let which = all.count == 1 ? "the series has \(all[0].count) points" : "none of the \(all.count) series has more"
                try concerning(data) { throw ForecastError.configuration("scoring \(n) points needs more than \(need) (\(n) + the lookback); \(which)") }
            }
            if !short.isEmpty {
                let names = short.prefix(5).map { "'\($0.id ?? "")'" }.joined(separator: ", ")
                note("warning: \(short.count) series with \(need) points or fewer left out (\(names)\(short.count > 5 ? ", ..." : "")): scoring \(n) needs more than \(need)")
            }
            var states: [String: SeriesState] = [:]
            for st in f.series where states[st.id ?? ""] == nil { states[st.id ?? ""] = st }
            let scored = all.indices.filter { all[$0].count > need }   // indices in `all`
            var filledScored = 0
            let progress = ProgressLine(enabled: !quiet && scored.count > 1)
            defer { progress.finish() }
            let started = Date()
            var trainedInside = 0
            var recursiveNoted = false
            var shown = started
            for (k, i) in scored.enumerated() {
                let s = all[i]
                if Date().timeIntervalSince(shown) >= 1 {
                    shown = Date()
                    let elapsed = shown.timeIntervalSince(started)
                    progress.update(String(format: "series %d/%d  %.1fs  eta %.0fs", k, scored.count, elapsed,
                                           elapsed / Double(k) * Double(scored.count - k)))
                }
                let history = s.prefix(s.count - n)
                // A value the loader filled (`--fill`) is its guess, not an observation: NaN in
                // `actual` and `insample`, left out of every score.
                let (insample, actual) = Backtest.scoredParts(s.target, origin: s.count - n, horizon: n,
                                                              unobserved: i < loaded.filledTargets.count ? loaded.filledTargets[i] : [])
                let observed = actual.filter { !$0.isNaN }.count
                filledScored += n - observed
                let state = states[s.id ?? ""] ?? (f.series.count == 1 && all.count == 1 ? f.series.first : nil)
                if let st = state, let last = st.tailTimes.last, last > history.times.last! {
                    // Said for the first such series; the others are counted after the loop.
                    if trainedInside == 0 {
                        note("warning: the model was trained on data up to \(st.lastTime)\(s.id.map { " in series '\($0)'" } ?? ""), inside the scored points; for an honest score, evaluate on data that runs past what the model was fitted on (fit with --holdout \(n) on this file)")
                    }
                    trainedInside += 1
                }
                let fc: Forecast
                do {
                    // The held-out rows carry the future covariates of a model trained with them.
                    fc = try f.predict(horizon: n, history: [history], future: [s], intervals: Self.levels,
                                       shouldStop: { stopRequested != 0 })[0]
                } catch let e as ForecastError where e.kind == .configuration {
                    throw ForecastError.configuration("\(data): \(e.message)")
                }
                if let plot, rows.isEmpty {
                    let shown = history.suffix(max(f.config.lookback!, 4 * n))
                    let svg = SVGPlot.render(title: "\(f.targetName): last \(n) points held out",
                                             history: .init(times: Array(shown.times), values: shown.target, color: "#333333", label: "history"),
                                             forecast: .init(times: fc.timestamps, values: fc.values, color: "#d62728", label: "forecast"),
                                             bands: fc.intervals,
                                             actual: .init(times: Array(s.times.suffix(n)), values: actual, color: "#2ca02c", label: "actual"),
                                             format: fc.timeFormat)
                    try OutputSafety.write(svg, to: plot)
                }
                // The default forecast (the combination), the network alone, then every statistical model.
                // A series the combination leaves to the network (or one the model was not trained
                // on) has the same values from both sources: predicted once.
                let network = state != nil && state!.choice != nil
                    ? try f.predict(horizon: n, history: [history], future: [s], intervals: Self.levels, source: .network,
                                    shouldStop: { stopRequested != 0 })[0]
                    : fc
                if !recursiveNoted && (fc.recursive || network.recursive) {
                    // As predict says it: the network ran past the horizon it was trained for.
                    note("note: the model was trained for \(f.config.horizon) steps; the network's steps \(f.config.horizon + 1)-\(n) feed forecasts back as inputs (recursive), so its errors there compound")
                    recursiveNoted = true
                }
                var candidates: [(String, [Double])] = [(ForecastSource.combination.name, fc.values),
                                                        (ForecastSource.network.name, network.values)]
                let combined = fc.intervals.map { $0.scores(actual) }
                if combined.contains(where: { $0 == nil }) { undefinedIntervals += 1 }
                for (k, s) in combined.enumerated() {
                    guard let s else { continue }
                    pooled[k].covered += s.coverage * Double(observed)
                    pooled[k].points += observed
                }
                // As the combination and `predict --method` run them (a series the model was not
                // trained on gets the state predict fits for it).
                let statState = state ?? f.newSeriesState(history)
                for b in Baseline.allCases {
                    try checkStop("the evaluation")
                    candidates.append((b.rawValue, f.statisticalForecast(b, history: history.target, horizon: n, state: statState)))
                }
                for (c, (name, p)) in candidates.enumerated() {
                    // Undefined (nil, null in JSON) where not finite: a NaN forecast has no score.
                    let scores = Metric.allCases.map {
                        $0.finiteValue(actual: actual, predicted: p, insample: insample, period: m, skippingMissing: true)
                    }
                    table.append((s.id ?? "", name, scores))
                    var r: [String: Any] = ["model": name, "holdout": n, "seasonal_period": m, "scored_points": observed]
                    if let id = s.id { r["id"] = id }
                    for (k, v) in zip(Self.metricNames, scores) { r[k] = v ?? NSNull() }
                    // Coverage and Winkler score per level, as `intervalNames` lists them.
                    let bands = c == 0 ? combined : c == 1 ? network.intervals.map { $0.scores(actual) } : []
                    let scored = bands.flatMap { [$0?.coverage, $0?.winkler] }
                    for (k, v) in zip(Self.intervalNames, scored) { r[k] = v ?? NSNull() }
                    intervalScores.append(scored)
                    rows.append(r)
                }
            }
            progress.finish()
            if trainedInside > 1 { note("warning: the same for \(trainedInside - 1) more series") }
            LoaderReport.noteFilledScores(filledScored)
            try checkStop("the evaluation")
            switch output.resolved {
            case .json:
                let obj: [String: Any] = ["schema": schema("evaluate"), "metrics": rows]
                let data = try! JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .prettyPrinted])
                try say(String(decoding: data, as: UTF8.self))
            case .csv:
                let header = ["id", "model", "holdout", "seasonal_period"] + Self.metricNames + Self.intervalNames
                try StandardOutput.write(csvText(header, zip(table, intervalScores).map { row, intervals in
                    [row.0, row.1, "\(n)", "\(m)"] + row.2.map(csvNumber)
                        + (intervals.isEmpty ? Self.intervalNames.map { _ in "" } : intervals.map(csvNumber))
                }))
            case .table:
                let panel = all.count > 1
                var lines: [[String]] = [(panel ? ["series"] : []) + ["model"] + Self.metricNames]
                for (id, name, scores) in table {
                    lines.append((panel ? [id] : []) + [name] + scores.map { $0.map { String(format: "%.4g", $0) } ?? "undefined" })
                }
                try printTable(lines)
                // The points scored: the last n of each series, less the values --fill made up.
                let each = panel ? " of each series" : ""
                let unscored = filledScored == 0 ? "" : ", \(filledScored) of them filled in by --fill and not scored"
                try say("(last \(n) points\(each)\(unscored); MASE/RMSSE scaled by the in-sample seasonal-naive error, m = \(m); below 1 beats it)")
                // Coverage pooled over the series' points; a Winkler score (in the series' units) for one series.
                let coverage = zip(Self.levels, pooled).map { level, p in
                    "\(ForecastOutput.percent(level))%: " + (p.points == 0 ? "undefined" : String(format: "%.0f%%", 100 * p.covered / Double(p.points)))
                }.joined(separator: ", ")
                var footer = "combination (the default forecast) interval coverage (nominal: empirical) \(coverage)"
                if undefinedIntervals > 0 {
                    footer += " (\(undefinedIntervals) series with undefined intervals left out)"
                }
                if scored.count == 1, let first = intervalScores.first, !first.isEmpty {
                    let winkler = Self.levels.indices.map { k in
                        "\(ForecastOutput.percent(Self.levels[k]))%: " + (first[2 * k + 1].map { String(format: "%.4g", $0) } ?? "undefined")
                    }.joined(separator: ", ")
                    footer += "; Winkler score \(winkler) (width plus misses, lower is better)"
                }
                try say(footer)
            }
        }
    }

    static let metricNames = Metric.allCases.map(\.rawValue)
    /// The interval levels scored.
    static let levels = [0.8, 0.95]
    /// `coverage_80`, `winkler_80`, `coverage_95`, `winkler_95`.
    static let intervalNames = levels.flatMap { l in ["coverage", "winkler"].map { "\($0)_\(ForecastOutput.percent(l))" } }
}
