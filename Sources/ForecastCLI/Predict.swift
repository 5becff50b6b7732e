import ArgumentParser
import Foundation
import ForecastKit

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Forecast the steps after the end of the data with a saved model.",
        discussion: """
        Without --data the model forecasts after the end of its own training data (it keeps the tail).
        Horizons up to the trained one are direct; longer ones feed forecasts back as inputs (said on stderr).
        Output goes to stdout unless --output is given (written atomically).

        Examples:
          forecast predict --model airline.fcm --horizon 12
          forecast predict --model airline.fcm --horizon 24 --intervals 80,95 --format json --output f.json
          forecast predict --model airline.fcm --horizon 12 --data newer.csv
          forecast predict --model airline.fcm --horizon 12 --intervals 80,95 --plot forecast.svg
          forecast predict --model airline.fcm --horizon 12 --method theta --data datasets/airline_passengers.csv

        A model fitted with --future-covariates needs --data: the history (rows with the target) followed by
        a row per forecast step with the target empty and every future covariate filled in, e.g.
          forecast predict --model sales.fcm --horizon 14 --data sales-with-next-14-days.csv
        """)

    @Option(help: "The model file written by 'forecast fit'.")
    var model: String

    @Option(help: "Steps to forecast.")
    var horizon: Int

    @Option(help: "Forecast after the end of this CSV instead of the training data.")
    var data: String?

    @Option(help: "Write the forecast here instead of stdout.")
    var output: String?

    @Option(help: "Output format: csv or json.")
    var format: OutputFormat = .csv

    @Option(help: "Comma-separated prediction-interval coverages in percent, e.g. 80,95.")
    var intervals: String?

    @Option(help: "Also draw history, forecast and intervals as a standalone SVG file.")
    var plot: String?

    @Option(name: .customLong("time-format"), help: "Time format of --data, as for fit.")
    var timeFormat: String?

    @Option(help: "Missing values in --data: error, interpolate or ffill.")
    var fill: MissingPolicy = .error

    @Option(help: ArgumentHelp("Forecast with: combination (what fit chose per series), network (the ensemble), or a statistical model fitted to the history: \(Baseline.allCases.map(\.rawValue).joined(separator: ", ")). A model that fit did not choose needs --data.", valueName: "source"))
    var method: String = "combination"

    func validate() throws {
        guard horizon >= 1 else { throw ValidationError("--horizon must be at least 1, got \(horizon)") }
        guard horizon <= 100_000 else { throw ValidationError("--horizon must be at most 100000, got \(horizon)") }
        _ = try levels()
        guard ForecastSource(name: method) != nil else {
            throw ValidationError("--method must be combination, network or one of \(Baseline.allCases.map(\.rawValue).joined(separator: ", ")); got '\(method)'")
        }
    }

    /// The future-covariate cells of `file` after each history series, row by row as written:
    /// one series per history series (matched by id) holding the rows after its last time, sorted,
    /// with empty cells kept as NaN. Neither trimmed nor filled (whatever --fill says), so that a
    /// missing value is reported by the forecaster with its time and column.
    static func futureRows(_ file: String, options o: SeriesLoader.Options, names: [String],
                           history: [TimeSeries]) throws -> [TimeSeries] {
        // The time column as the history's load chose it.
        var timeColumn = o.timeColumn
        if timeColumn == nil {
            let (header, first) = try CSVTable.peek(file, delimiter: o.delimiter)
            let values = Set([o.target] + o.covariates + [o.idColumn].compactMap { $0 })
            timeColumn = SeriesLoader.detectTimeColumn(header: header, firstRow: first, excluding: values, format: o.timeFormat)
        }
        var request: [String: CSVTable.Kind] = [:]
        for name in names { request[name] = .number }
        if let t = timeColumn { request[t] = .time(o.timeFormat) }
        if let id = o.idColumn { request[id] = .text }
        let table = try CSVTable(contentsOf: file, columns: request, delimiter: o.delimiter)
        var times: [Int64]
        if let t = timeColumn, case .times(let v, let format)? = table.columns[t] {
            // Plain years read as integers become dates, as the loader did for the history.
            times = format == .index && history.first?.timeFormat == .year
                ? v.map { CivilCalendar.timestamp(year: Int($0), month: 1, day: 1) } : v
        } else {
            times = (0..<Int64(table.rowCount)).map { $0 }   // no time column: rows are numbered
        }
        var ids = [String?](repeating: nil, count: table.rowCount)
        if let id = o.idColumn, case .text(let codes, let values)? = table.columns[id] {
            ids = codes.map { values[Int($0)] }
        }
        let columns = names.map { table.numbers($0) }
        return history.map { h in
            let end = h.timestamps.last!
            let rows = (0..<table.rowCount).filter { ids[$0] == h.id && times[$0] > end }.sorted { times[$0] < times[$1] }
            return TimeSeries(id: h.id, timeColumn: h.timeColumn, timeFormat: h.timeFormat, frequency: h.frequency,
                              timestamps: rows.map { times[$0] }, targetName: names[0], target: rows.map { columns[0][$0] },
                              covariateNames: names, covariates: columns.map { c in rows.map { c[$0] } })
        }
    }

    func levels() throws -> [Double] {
        try (intervals ?? "").split(separator: ",").map {
            guard let v = Double($0.trimmingCharacters(in: .whitespaces)), v > 0, v < 100 else {
                throw ValidationError("--intervals takes percentages between 0 and 100, like 80,95; got '\($0)'")
            }
            return v / 100
        }
    }

    func run() throws {
        installStopHandlers()
        try reportingErrors {
            let f = try ModelFile.read(model)
            var history: [TimeSeries]? = nil, future: [TimeSeries]? = nil
            let futureNames = f.config.futureCovariates ?? []
            if let data {
                var o = f.loaderOptions(fill: fill)
                o.timeFormat = timeFormat.flatMap(TimeFormat.init(argument:))
                let r = try SeriesLoader.load(data, options: o)
                for line in r.report { note("note: \(data): \(line)") }
                history = r.series
                if !futureNames.isEmpty {
                    // The rows after the history (target empty) carry the future covariates.
                    future = try Self.futureRows(data, options: o, names: futureNames, history: r.series)
                }
            } else if !futureNames.isEmpty {
                throw ConfigurationError(message: "\(model) was trained with future covariates (\(futureNames.joined(separator: ", "))): pass --data with the history and rows for the forecast steps that carry them")
            }
            if data == nil, case .model(let b)? = ForecastSource(name: method), f.series.contains(where: { $0.choice != b.rawValue }) {
                throw ConfigurationError(message: "--method \(method) fits \(method) to the whole history, which \(model) does not keep: pass it with --data")
            }
            try checkStop("the forecast")
            if horizon > f.config.horizon {
                note("note: the model was trained for \(f.config.horizon) steps; steps \(f.config.horizon + 1)-\(horizon) feed forecasts back as inputs (recursive), so errors compound")
            }
            let forecasts: [Forecast]
            do {
                forecasts = try f.predict(horizon: horizon, history: history, future: future, intervals: try levels(),
                                          source: ForecastSource(name: method)!, shouldStop: { stopRequested != 0 })
            } catch let e as ConfigurationError where data != nil {
                // What is missing or too short is in --data: name it.
                throw ConfigurationError(message: "\(data!): \(e.message)")
            }
            let text = format == .csv ? ForecastOutput.csv(forecasts, model: f) : ForecastOutput.json(forecasts, model: f)
            try checkStop("the forecast")
            if let plot {
                let fc = forecasts[0]
                let h = history?.first
                let times = h?.timestamps ?? f.series[0].tailTimes, values = h?.target ?? f.series[0].tailTarget
                let svg = SVGPlot.render(title: "\(f.targetName): \(horizon)-step forecast\(fc.id.map { " (\($0))" } ?? "")",
                                         history: .init(times: times, values: values, color: "#333333", label: "history"),
                                         forecast: .init(times: fc.timestamps, values: fc.values, color: "#d62728", label: "forecast"),
                                         bands: fc.intervals, actual: nil, format: fc.timeFormat)
                try AtomicFile.write(svg, to: plot)
            }
            if let output { try AtomicFile.write(text, to: output) } else { print(text, terminator: "") }
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument { case csv, json }
