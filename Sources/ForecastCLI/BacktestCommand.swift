import ArgumentParser
import Foundation
import ForecastKit

struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Rolling-origin evaluation of the default forecast, the network alone and the statistical models.",
        discussion: """
        Fold k trains on everything before its origin (an expanding window) and forecasts the next H points; \
        origins step back from the end by H per fold. The table gives each model's metrics per fold and on \
        average (combination: the default forecast, what predict gives; network: the ensemble alone), and \
        the empirical coverage of the default forecast's 80% and 95% intervals.

        Examples:
          forecast backtest datasets/airline_passengers.csv --target passengers --horizon 12 --folds 3
          forecast backtest datasets/ausbeer_quarterly.csv --target beer_megalitres --horizon 8 --folds 4 --cell gru --format json
        """)

    @Argument(help: "The CSV file.")
    var data: String

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var modelOptions: ModelOptions

    @Option(parsing: .unconditional, help: "Number of folds.")
    var folds: Int = 3

    @Flag(name: .customLong("no-refit"), help: "Train once on the first fold's data; later folds only move the inputs.")
    var noRefit = false

    @OptionGroup var output: ReportFormatOption

    @Option(help: "Draw the series with each fold's forecast and 80%/95% intervals as an SVG file.")
    var plot: String?

    @Flag(help: "No progress output (training progress of each fold, data notes).")
    var quiet = false

    func validate() throws {
        guard dataOptions.target != nil else { throw ValidationError("--target is required: name the column to forecast") }
        guard folds >= 1 && folds <= 1000 else { throw ValidationError("--folds must be between 1 and 1000, got \(folds)") }
        try dataOptions.checkColumns(future: modelOptions.futureCovariateList)
    }

    func run() throws {
        installStopHandlers()
        try reportingErrors {
            try OutputSafety.check(outputs: [("--plot", plot)], inputs: [("the data", data)])
            let config = try modelOptions.config()
            let loaded = try dataOptions.loadResult(data, target: dataOptions.target!, quiet: quiet)
            let series = loaded.series
            guard series.count == 1 else { throw ForecastError.configuration("backtest takes one series; this file has \(series.count) (filter the panel first)") }
            try checkStop("the backtest")
            let progress = ProgressLine(enabled: !quiet)
            let r: Backtest.Result
            do {
                defer { progress.finish() }
                progress.prefix = "backtest, \(folds) fold\(folds == 1 ? "" : "s"): "
                r = try concerning(data) {
                    try Backtest.run(series[0], config: config, folds: folds, refit: !noRefit, levels: [0.8, 0.95],
                                     hooks: progress.hooks, unobserved: loaded.filledTargets.first ?? [])
                }
            }
            try checkStop("the backtest")
            LoaderReport.printWarnings(r.warnings)
            // Filled values are trained on but not scored (the library leaves them out).
            let scoredFrom = series[0].count - folds * config.horizon
            let filled = Set((loaded.filledTargets.first ?? []).filter { $0 >= scoredFrom })
            LoaderReport.noteFilledScores(filled.count)
            // A fold with nothing observed to score has undefined scores; the averages skip it.
            let unscored = r.folds.indices.filter { k in
                (0..<config.horizon).allSatisfy { filled.contains(r.folds[k].trainCount + $0) }
            }
            if !unscored.isEmpty {
                let one = unscored.count == 1
                let which = unscored.map { "\($0 + 1) (origin \(r.folds[$0].originLabel))" }.joined(separator: ", ")
                let effect = unscored.count == r.folds.count ? "every score is undefined"
                    : "\(one ? "its" : "their") scores are undefined, and the 'all' rows average the other folds"
                note("note: fold\(one ? "" : "s") \(which) \(one ? "has" : "have") no observed point to score (every held-out value was filled in by --fill): \(effect)")
            }
            switch output.resolved {
            case .json: try printJSON(r)
            case .csv: try printCSV(r)
            case .table: try printTables(r, m: r.seasonalPeriod)
            }
            if let plot {
                let s = series[0], H = config.horizon
                let start = max(0, r.folds[0].trainCount - 3 * H)
                let shown = s.slice(start..<s.count)
                // Values filled in by --fill are no actuals: drawn as gaps, as evaluate draws them.
                var actual = shown.target
                for p in loaded.filledTargets.first ?? [] where p >= start { actual[p - start] = .nan }
                let times = r.folds.flatMap { f in (0..<H).map { s.times[f.trainCount + $0] } }
                let svg = SVGPlot.render(title: "\(s.targetName): backtest, \(r.folds.count) folds of \(H)",
                                         history: .init(times: Array(shown.times), values: actual, color: "#333333", label: "actual"),
                                         forecast: .init(times: times, values: r.folds.flatMap(\.forecast), color: "#d62728", label: "fold forecasts"),
                                         bands: r.folds.first?.bands.indices.map { k in
                                             PredictionInterval(level: r.folds[0].bands[k].level, lower: r.folds.flatMap { $0.bands[k].lower }, upper: r.folds.flatMap { $0.bands[k].upper })
                                         } ?? [],
                                         actual: nil, format: s.timeFormat)
                try OutputSafety.write(svg, to: plot)
            }
        }
    }

    func fmt(_ v: Double?) -> String { v.map { String(format: "%.4g", $0) } ?? "undefined" }

    func printTables(_ r: Backtest.Result, m: Int) throws {
        let metrics = Backtest.metrics
        var lines = [["fold", "origin", "model"] + metrics.map(\.rawValue)]
        for (k, f) in r.folds.enumerated() {
            for model in r.models { lines.append(["\(k + 1)", f.originLabel, model.name] + metrics.map { fmt(f.scores[model]?[$0]) }) }
        }
        for model in r.models { lines.append(["all", "", model.name] + metrics.map { fmt(r.score($0, of: model)) }) }
        try printTable(lines)
        let cov = r.coverage.keys.sorted().map { "\(ForecastOutput.percent($0))%: \(String(format: "%.0f", r.coverage[$0]! * 100))%" }.joined(separator: ", ")
        let winkler = r.winkler
        let scores = winkler.keys.sorted().map { "\(ForecastOutput.percent($0))%: \(fmt(winkler[$0]))" }.joined(separator: ", ")
        try say("combination (the default forecast) interval coverage (nominal: empirical) \(cov); Winkler score \(scores.isEmpty ? "-" : scores) (width plus misses, lower is better); MASE/RMSSE scaled by in-sample seasonal naive, m = \(m)")
    }

    /// One row per fold and model, then the averages over the folds (fold "all"); the interval
    /// columns (`coverage_80`, `winkler_80`, ... per level) are filled on the default forecast's rows.
    func printCSV(_ r: Backtest.Result) throws {
        let metrics = Backtest.metrics.filter { m in r.overall.values.contains { $0[m] != nil } }
        let levels = r.coverage.keys.sorted()
        func intervals(_ model: ForecastSource, coverage: [Double: Double], winkler: [Double: Double]) -> [String] {
            levels.flatMap { l in model == .combination ? [csvNumber(coverage[l]), csvNumber(winkler[l])] : ["", ""] }
        }
        var rows: [[String]] = []
        for (k, f) in r.folds.enumerated() {
            for model in r.models {
                rows.append(["\(k + 1)", f.originLabel, "\(f.trainCount)", model.name] + metrics.map { csvNumber(f.scores[model]?[$0]) }
                            + intervals(model, coverage: f.coverage, winkler: f.winkler))
            }
        }
        let winkler = r.winkler
        for model in r.models {
            rows.append(["all", "", "", model.name] + metrics.map { csvNumber(r.score($0, of: model)) }
                        + intervals(model, coverage: r.coverage, winkler: winkler))
        }
        let columns = levels.flatMap { l in ["coverage_\(ForecastOutput.percent(l))", "winkler_\(ForecastOutput.percent(l))"] }
        try StandardOutput.write(csvText(["fold", "origin", "train_points", "model"] + metrics.map(\.rawValue) + columns, rows))
    }

    func printJSON(_ r: Backtest.Result) throws {
        /// Every metric of `Backtest.metrics` per model, null where undefined.
        func table(_ d: [ForecastSource: [Metric: Double]]) -> [String: Any] {
            Dictionary(uniqueKeysWithValues: d.map { model, values in
                (model.name, Dictionary(uniqueKeysWithValues: Backtest.metrics.map { ($0.rawValue, values[$0].map { $0 as Any } ?? NSNull()) }))
            })
        }
        func byLevel(_ d: [Double: Double]) -> [String: Double] {
            Dictionary(uniqueKeysWithValues: d.map { (ForecastOutput.percent($0.key), $0.value) })
        }
        let folds: [[String: Any]] = r.folds.enumerated().map { k, f in
            ["fold": k + 1, "origin": f.originLabel, "train_points": f.trainCount, "scores": table(f.scores),
             "coverage": byLevel(f.coverage), "winkler": byLevel(f.winkler)]
        }
        let obj: [String: Any] = ["schema": schema("backtest"), "models": r.models.map(\.name), "folds": folds,
                                  "overall": table(r.overall), "coverage": byLevel(r.coverage), "winkler": byLevel(r.winkler),
                                  "seasonal_period": r.seasonalPeriod,
                                  "warnings": r.warnings]
        let d = try! JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .prettyPrinted])
        try say(String(decoding: d, as: UTF8.self))
    }
}
