import ArgumentParser
import ForecastKit

/// The options that say how to read a CSV file, shared by every command that reads data.
struct DataOptions: ParsableArguments {
    @Option(help: "The column to forecast.")
    var target: String?

    @Option(name: .customLong("time-column"), help: "The time column (default: detected).")
    var timeColumn: String?

    @Option(name: .customLong("id-column"), help: "The column naming each series in a long-format panel.")
    var idColumn: String?

    @Option(help: "Comma-separated covariate columns (past inputs).")
    var covariates: String?

    @Option(help: "Field delimiter: ',', ';', 'tab' or another single character such as '|' (default: ',', ';' or tab, detected).")
    var delimiter: String?

    @Option(name: .customLong("time-format"), help: "Time format: index, year, date, or a strftime pattern such as %d/%m/%Y (default: detected).")
    var timeFormat: String?

    @Option(help: "Missing values inside a series: error, interpolate or ffill.")
    var fill: MissingPolicy = SeriesLoader.Options.defaultFill

    func validate() throws {
        if let d = delimiter, delimiterByte(d) == nil {
            throw ValidationError("--delimiter must be ',', ';', 'tab' or one ASCII character other than a quote or a line break, got '\(d)'")
        }
        try checkColumns(future: [])
        try validateTimeFormat(timeFormat)
    }

    func delimiterByte(_ d: String) -> UInt8? {
        if d == "tab" || d == "\\t" || d == "\t" { return 9 }
        guard d.utf8.count == 1, let b = d.utf8.first, SeriesLoader.Options.canDelimit(b) else { return nil }
        return b
    }

    /// Each column plays one part: the target, the time and id columns and every covariate (past
    /// or, in `future`, known-future) are different columns, each named once.
    func checkColumns(future: [String]) throws {
        var seen: [String: String] = [:]
        let roles = [("--target", [target].compactMap { $0 }), ("--time-column", [timeColumn].compactMap { $0 }),
                     ("--id-column", [idColumn].compactMap { $0 }), ("--covariates", covariateList),
                     ("--future-covariates", future)]
        for (option, names) in roles {
            for name in names {
                if let other = seen[name] {
                    throw ValidationError(other == option ? "\(option) names the column '\(name)' twice"
                                          : "the column '\(name)' is given to both \(other) and \(option); each column plays one part")
                }
                seen[name] = option
            }
        }
    }

    var covariateList: [String] {
        (covariates ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Loader options for `target`.
    func loaderOptions(target: String, extra: [String] = []) -> SeriesLoader.Options {
        var o = SeriesLoader.Options(target: target, timeColumn: timeColumn, idColumn: idColumn,
                                     covariates: covariateList + extra.filter { !covariateList.contains($0) }, fill: fill)
        o.delimiter = delimiter.flatMap(delimiterByte)
        o.timeFormat = timeFormat.flatMap(TimeFormat.init(argument:))
        return o
    }

    /// Loads the data, printing the loader's report to stderr (see `LoaderReport`: panel series
    /// left out as warnings, even with `quiet`). `skipUnusable` false: such a series is an error.
    func load(_ file: String, target: String, extra: [String] = [], quiet: Bool = false,
              skipUnusable: Bool = true) throws -> [TimeSeries] {
        try loadResult(file, target: target, extra: extra, quiet: quiet, skipUnusable: skipUnusable).series
    }

    /// The loader's whole result for `file` (series, left-out series, filled positions), its
    /// report printed as `load` prints it.
    func loadResult(_ file: String, target: String, extra: [String] = [], quiet: Bool = false,
                    skipUnusable: Bool = true, packed: Bool = false) throws -> SeriesLoader.Result {
        var options = loaderOptions(target: target, extra: extra)
        options.skipsUnusableSeries = skipUnusable
        options.packsTargets = packed
        let r = try SeriesLoader.load(file, options: options)
        LoaderReport.print(r.report, file: file, quiet: quiet)
        return r
    }

    /// `load`, with the panel series it left out as unusable (`SeriesLoader.Result.leftOut`) and
    /// the warnings it printed about them (as `fit --format json` lists them, with the file's name);
    /// `packed`: the series' targets packed as they are read (`SeriesLoader.Options.packsTargets`).
    func loadKeepingLeftOut(_ file: String, target: String, extra: [String] = [], quiet: Bool = false,
                            skipUnusable: Bool = true, packed: Bool = false)
        throws -> (series: [TimeSeries], leftOut: [TimeSeries], warnings: [String]) {
        let r = try loadResult(file, target: target, extra: extra, quiet: quiet, skipUnusable: skipUnusable, packed: packed)
        let warnings = r.report.filter { $0.hasSuffix(SeriesLoader.leftOutNote) }
            .map { "\(CSVInput.displayName(file)): \(OptionNames.commandLine($0))" }
        return (r.series, r.leftOut, warnings)
    }
}

/// `--fill` takes `error`, `interpolate` or `ffill`. The library's `drop` (the same as `error`:
/// edges are trimmed under every policy, and dropping points inside a series would break its
/// time grid) is not offered, so no one reads it as pandas' `dropna`.
extension MissingPolicy: ExpressibleByArgument {
    public init?(argument: String) {
        guard argument != MissingPolicy.drop.rawValue else { return nil }
        self.init(rawValue: argument)
    }

    public static var allValueStrings: [String] { allCases.filter { $0 != .drop }.map(\.rawValue) }
}
extension CellKind: ExpressibleByArgument {}
extension ScalerKind: ExpressibleByArgument {}
extension Loss: ExpressibleByArgument {}
extension BaselineKind: ExpressibleByArgument {}
extension DecoderStart: ExpressibleByArgument {}
extension CombineMode: ExpressibleByArgument {}

import Foundation

/// Refuses a `--time-format` that is no format, or a pattern whose times would repeat.
func validateTimeFormat(_ text: String?) throws {
    guard let text else { return }
    guard let f = TimeFormat(argument: text) else {
        throw ValidationError("--time-format must be index, year, date, iso, month, quarter or a pattern with % fields, got '\(text)'")
    }
    if let problem = f.patternProblem { throw ValidationError("--time-format '\(text)' \(problem)") }
}
