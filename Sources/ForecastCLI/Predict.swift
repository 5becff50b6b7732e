import ArgumentParser
import Foundation
import ForecastKit

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Forecast the steps after the end of the data with a saved model.",
        discussion: """
        Without --data the model forecasts after the end of its own training data (it keeps the tail). \
        Horizons up to the trained one are direct; longer ones feed forecasts back as inputs (said on stderr). \
        Output goes to stdout unless --output is given (written atomically).

        Examples:
          forecast predict --model airline.fcm --horizon 12
          forecast predict --model airline.fcm --horizon 24 --intervals 80,95 --format json --output f.json
          forecast predict --model airline.fcm --horizon 12 --data newer.csv
          forecast predict --model airline.fcm --horizon 12 --intervals 80,95 --plot forecast.svg
          forecast predict --model airline.fcm --horizon 12 --method theta --data datasets/airline_passengers.csv

        A panel model forecasts every series of --data: a series it was not trained on is forecast by the \
        network from its own history (marked new_series in JSON, and noted on stderr), and a series shorter \
        than the model's lookback gets a seasonal-naive fallback (marked fallback in JSON, noted on stderr). \
        --series picks some series:
          forecast predict --model stores.fcm --horizon 14 --series store_1,store_7

        A model fitted with --future-covariates needs --data: the history (rows with the target) followed by \
        a row per forecast step with the target empty and every future covariate filled in, e.g.
          forecast predict --model sales.fcm --horizon 14 --data sales-with-next-14-days.csv
        """)

    @Option(help: "The model file written by 'forecast fit'.")
    var model: String

    @Option(parsing: .unconditional, help: "Steps to forecast.")
    var horizon: Int

    @Option(help: "Forecast after the end of this CSV instead of the training data.")
    var data: String?

    @Option(help: "Write the forecast here instead of stdout ('-': stdout).")
    var output: String?

    @Option(help: "Output format: csv or json (default: csv).")
    var format: OutputFormat?

    @Flag(help: "The same as --format json.")
    var json = false

    @Option(help: "Comma-separated prediction-interval coverages in percent, e.g. 80,95.")
    var intervals: String?

    @Option(help: "Also draw history, forecast and intervals as a standalone SVG file.")
    var plot: String?

    @Option(name: .customLong("time-format"), help: "Time format of --data, as for fit.")
    var timeFormat: String?

    @Option(help: "Missing values in --data: error, interpolate or ffill.")
    var fill: MissingPolicy = SeriesLoader.Options.defaultFill

    @Option(help: ArgumentHelp("Forecast only these series of a panel (comma-separated ids; an id holding a comma in double quotes, as in CSV); without --data they must be series the model was trained on.", valueName: "ids"))
    var series: String?

    @Option(help: ArgumentHelp("Forecast with: combination (what fit chose per series), network (the ensemble), or a statistical model fitted to the history: \(Baseline.allCases.map(\.rawValue).joined(separator: ", ")). A model that fit did not choose needs --data.", valueName: "source"))
    var method: String = "combination"

    @Option(parsing: .unconditional, help: "Threads the network runs on (default: the machine's cores); the forecasts are the same whatever the count.")
    var threads: Int?

    /// `--format`, or json with `--json`.
    var resolvedFormat: OutputFormat { json ? .json : format ?? .csv }

    func validate() throws {
        if json && format == .csv { throw ValidationError("--json and --format csv ask for different formats; give one") }
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be between 1 and 256, got \(threads)") }
        guard horizon >= 1 else { throw ValidationError("--horizon must be at least 1, got \(horizon)") }
        guard horizon <= 100_000 else { throw ValidationError("--horizon must be at most 100000, got \(horizon)") }
        _ = try levels()
        _ = try selectedSeries()
        try validateTimeFormat(timeFormat)
        guard ForecastSource(name: method) != nil else {
            throw ValidationError("--method must be combination, network or one of \(Baseline.allCases.map(\.rawValue).joined(separator: ", ")); got '\(method)'")
        }
    }

    /// The future-covariate cells of `table` (read once with the history) after each history
    /// series: one series per history series (matched by id) holding the rows after its last time,
    /// sorted, with empty cells kept as NaN. Neither trimmed nor filled (whatever --fill says), so
    /// that a missing value is reported by the forecaster with its time and column.
    static func futureRows(_ table: CSVTable, timeColumn: String?, options o: SeriesLoader.Options, names: [String],
                           history: [TimeSeries]) -> [TimeSeries] {
        var times: [Int64]
        if let t = timeColumn, case .times(let v, let format)? = table.columns[t] {
            // Integer years and compact dates become dates, as the loader did for the history.
            times = o.timeFormat == nil ? SeriesLoader.calendarTimes(v, format: format)?.times ?? v : v
        } else {
            times = (0..<Int64(table.rowCount)).map { $0 }   // no time column: rows are numbered
        }
        var ids = [String?](repeating: nil, count: table.rowCount)
        if let id = o.idColumn, case .text(let codes, let values)? = table.columns[id] {
            ids = codes.map { values[Int($0)] }
        }
        let columns = names.map { table.numbers($0) }
        return history.map { h in
            let end = h.times.last!
            let rows = (0..<table.rowCount).filter { ids[$0] == h.id && times[$0] > end }.sorted { times[$0] < times[$1] }
            return TimeSeries(id: h.id, timeColumn: h.timeColumn, timeFormat: h.timeFormat, frequency: h.frequency,
                              timestamps: rows.map { times[$0] }, targetName: names[0], target: rows.map { columns[0][$0] },
                              covariateNames: names, covariates: columns.map { c in rows.map { c[$0] } })
        }
    }

    /// The ids given with --series, or nil.
    func selectedSeries() throws -> Set<String>? {
        guard let series else { return nil }
        guard let ids = Self.seriesIds(series), !ids.isEmpty else {
            throw ValidationError("--series takes comma-separated series ids (an id holding a comma in double quotes, as in CSV: \"H,1\"), got '\(series)'")
        }
        return Set(ids)
    }

    /// The ids of a `--series` list: comma-separated, each trimmed of spaces, empty ones dropped;
    /// as in CSV, an id in double quotes may hold commas, and "" inside quotes is one quote. nil
    /// when a quote is not closed.
    static func seriesIds(_ list: String) -> [String]? {
        var ids: [String] = [], current = "", quoted = false, wasQuoted = false
        var chars = list.makeIterator()
        func finish() {
            let id = wasQuoted ? current : current.trimmingCharacters(in: .whitespaces)
            if !id.isEmpty { ids.append(id) }
            (current, wasQuoted) = ("", false)
        }
        while let c = chars.next() {
            if quoted {
                if c == "\"" {
                    // "" inside quotes is a quote; any other character after a quote ends the quoted part.
                    guard let n = chars.next() else { quoted = false; break }
                    if n == "\"" { current.append("\"") } else {
                        // After the closing quote: spaces, then a comma or the end; anything else
                        // ("x" y, "a"b) is not an id this list can mean.
                        quoted = false
                        var next: Character? = n
                        while let c = next, c.isWhitespace { next = chars.next() }
                        guard next == nil || next == "," else { return nil }
                        finish()
                        if next == nil { return ids }
                    }
                } else {
                    current.append(c)
                }
            } else if c == "\"" && current.trimmingCharacters(in: .whitespaces).isEmpty {
                (quoted, wasQuoted, current) = (true, true, "")
            } else if c == "," {
                finish()
            } else {
                current.append(c)
            }
        }
        guard !quoted else { return nil }
        finish()
        return ids
    }

    /// One warning per interval level that some series' calibration errors cannot support (n
    /// errors support levels up to n / (n + 1)): those bounds are the largest error's, so the
    /// interval may cover less than its label says.
    static func cappedLevelWarnings(_ forecasts: [Forecast]) -> [String] {
        guard let levels = forecasts.first?.intervals.map(\.level) else { return [] }
        return levels.indices.compactMap { k in
            let capped = forecasts.compactMap { fc in fc.intervals.indices.contains(k) && fc.intervals[k].isCapped ? fc : nil }
            guard let first = capped.first, let n = first.intervals[k].calibrationErrorCount else { return nil }
            let level = ForecastOutput.percent(levels[k])
            let most = String(format: "%.1f", 100 * Double(n) / Double(n + 1))
            // The fewest errors that support the level, by the test `isCapped` makes (floating point
            // included: 99.9% needs 1000, not 999).
            var needed = max(1, Int(levels[k] / (1 - levels[k])) - 1)
            while PredictionInterval(level: levels[k], lower: [], upper: [], calibrationErrorCount: needed).isCapped { needed += 1 }
            let whose = capped.count == 1
                ? "\(first.id.map { "series '\($0)'" } ?? "the series") has \(n), so its bounds are"
                : "\(capped.count) series have fewer (series '\(first.id ?? "")' has \(n)), so their bounds are"
            return "warning: a \(level)% interval needs at least \(needed) calibration errors; "
                + "\(whose) those of the largest error, an interval of about \(most)% at most"
        }
    }

    func levels() throws -> [Double] {
        var seen: [Double] = []
        guard let intervals else { return [] }
        // Empty entries ("", "80,", ",") are refused, not skipped: a list that asked for nothing
        // printed no intervals and exited 0.
        for text in intervals.split(separator: ",", omittingEmptySubsequences: false) {
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--intervals takes comma-separated percentages, like 80,95; got '\(intervals)', with an empty entry")
            }
            guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v > 0, v < 100 else {
                throw ValidationError("--intervals takes percentages between 0 and 100, like 80,95; got '\(text)'")
            }
            // Darts and statsforecast users write fractions (0.8): a coverage of 1% or less is
            // almost certainly one, so it is refused rather than read as a sliver of an interval.
            guard v > 1 else {
                let t = text.trimmingCharacters(in: .whitespaces)
                throw ValidationError("--intervals takes percentages, like 80,95; '\(t)' would be a \(t)% interval"
                                      + (v < 1 ? " (for \(ForecastOutput.percent(v))%, write \(ForecastOutput.percent(v)))" : ""))
            }
            // Two equal levels would print two columns of the same name.
            guard !seen.contains(v / 100) else { throw ValidationError("--intervals lists \(text.trimmingCharacters(in: .whitespaces)) twice") }
            seen.append(v / 100)
        }
        return seen
    }

    func run() throws {
        installStopHandlers()
        try reportingErrors {
            let output = self.output == "-" ? nil : self.output   // `-`: standard output
            try OutputSafety.check(outputs: [("--output", output), ("--plot", plot)],
                                   inputs: [("--model", model), ("--data", data)])
            var f = try ModelFile.read(model)
            let wanted = try selectedSeries()
            if let wanted, data == nil {
                let ids = f.series.map { $0.id ?? "" } + f.shortSeries.map { $0.id ?? "" }
                if let missing = wanted.first(where: { !ids.contains($0) }) {
                    let some = ids.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
                    throw ForecastError.configuration("--series: \(model) has no series '\(missing)' (it has \(ids.count): \(some)\(ids.count > 5 ? ", ..." : "")); to forecast a new series give its history with --data")
                }
                // Only the wanted series are forecast (the first trained one stands in when only
                // series left out of training are wanted: the network needs one; its forecast is
                // dropped below).
                let trained = f.series.filter { wanted.contains($0.id ?? "") }
                f = f.with(series: trained.isEmpty ? [f.series[0]] : trained,
                           shortSeries: f.shortSeries.filter { wanted.contains($0.id ?? "") })
            }
            var history: [TimeSeries]? = nil, future: [TimeSeries]? = nil
            let futureNames = f.config.futureCovariates ?? []
            if let data {
                var o = f.loaderOptions(fill: fill)
                o.timeFormat = timeFormat.flatMap(TimeFormat.init(argument:))
                let (table, timeColumn) = try SeriesLoader.read(data, options: o)
                let r = try SeriesLoader.build(table, options: o, timeColumn: timeColumn)
                // Series the loader could not use (a single row, no value) still get a fallback:
                // the report says so rather than "left out".
                LoaderReport.print(r.report.map { line in
                    line.hasSuffix(SeriesLoader.leftOutNote)
                        ? String(line.dropLast(SeriesLoader.leftOutNote.count)) + "; it gets a fallback forecast (see the note on it below)"
                        : line
                }, file: data, quiet: false)
                var chosen = r.series + r.leftOut
                if let wanted {
                    chosen = chosen.filter { wanted.contains($0.id ?? "") }
                    let present = Set(chosen.map { $0.id ?? "" })
                    if let missing = wanted.first(where: { !present.contains($0) }) {
                        throw ForecastError.configuration("--series: \(CSVInput.displayName(data)) has no series '\(missing)'")
                    }
                }
                try f.checkFrequency(of: chosen, file: data)
                history = chosen
                if !futureNames.isEmpty {
                    // The rows after the history (target empty) carry the future covariates.
                    future = Self.futureRows(table, timeColumn: timeColumn, options: o, names: futureNames, history: r.series)
                }
            } else if !futureNames.isEmpty {
                throw ForecastError.configuration("\(model) was trained with future covariates (\(futureNames.joined(separator: ", "))): pass --data with the history and rows for the forecast steps that carry them")
            }
            if data == nil, case .model(let b)? = ForecastSource(name: method), f.series.contains(where: { $0.choice != b.rawValue }) {
                throw ForecastError.configuration("--method \(method) fits \(method) to the whole history, which \(model) does not keep: pass it with --data")
            }
            try checkStop("the forecast")
            var forecasts: [Forecast]
            do {
                forecasts = try f.predict(horizon: horizon, history: history, future: future, intervals: try levels(),
                                          source: ForecastSource(name: method)!, threads: threads ?? Forecaster.defaultThreads,
                                          shouldStop: { stopRequested != 0 })
            } catch let e as ForecastError where e.kind == .configuration && data != nil {
                // What is missing or too short is in --data: name it.
                throw ForecastError.configuration("\(CSVInput.displayName(data!)): \(e.message)")
            }
            if let wanted, data == nil { forecasts = forecasts.filter { wanted.contains($0.id ?? "") } }
            // Only where the network ran past its horizon (`Forecast.recursive`): a statistical
            // model forecasting a series alone takes every step directly.
            if forecasts.contains(where: \.recursive) {
                note("note: the model was trained for \(f.config.horizon) steps; steps \(f.config.horizon + 1)-\(horizon) feed forecasts back as inputs (recursive), so errors compound")
            }
            // Dates past 9999 are written with five-digit years, which few CSV readers parse.
            if let far = forecasts.first(where: { fc in !fc.timeFormat.isIndex && fc.timestamps.last.map { CivilCalendar.components($0).year > 9999 } == true }) {
                note("warning: the forecast runs past the year 9999 (to \(far.timeFormat.format(far.timestamps.last!))); dates with five-digit years are not ISO 8601 and most CSV readers will not parse them")
            }
            let fresh = forecasts.filter { $0.isNewSeries && $0.fallbackReason == nil }.compactMap(\.id)
            if !fresh.isEmpty {
                note("note: \(fresh.count) series the model was not trained on (\(fresh.prefix(5).map { "'\($0)'" }.joined(separator: ", "))\(fresh.count > 5 ? ", ..." : "")) are forecast by the network from their own history")
            }
            for fc in forecasts { if let why = fc.fallbackReason { note("note: series '\(fc.id ?? "")': \(why)") } }
            for warning in Self.cappedLevelWarnings(forecasts) { note(warning) }
            let text = resolvedFormat == .csv ? ForecastOutput.csv(forecasts, model: f) : ForecastOutput.json(forecasts, model: f)
            try checkStop("the forecast")
            if let plot {
                let fc = forecasts[0]
                // The plotted series' history: given, stored whole (left out of training), or the stored tail.
                let h = history?.first ?? f.shortSeries.first { $0.id == fc.id }
                let tail = f.series.first { $0.id == fc.id } ?? f.series[0]
                let times = h.map { Array($0.times) } ?? Array(tail.tailTimes), values = h?.target ?? tail.tailTarget
                let svg = SVGPlot.render(title: "\(f.targetName): \(horizon)-step forecast\(fc.id.map { " (\($0))" } ?? "")",
                                         history: .init(times: times, values: values, color: "#333333", label: "history"),
                                         forecast: .init(times: fc.timestamps, values: fc.values, color: "#d62728", label: "forecast"),
                                         bands: fc.intervals, actual: nil, format: fc.timeFormat)
                try OutputSafety.write(svg, to: plot)
            }
            if let output { try OutputSafety.write(text, to: output) } else { try StandardOutput.write(text) }
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument { case csv, json }
