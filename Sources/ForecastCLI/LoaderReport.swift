import ForecastData

/// How the CLI prints a loader's report (`SeriesLoader.Result.report`) to standard error.
enum LoaderReport {
    /// Notes of one kind printed for a panel before the rest are counted.
    static let examplesPerKind = 3

    /// Prints `report` for `file`: series left out as warnings (all of them, even with `quiet`);
    /// the other notes unless `quiet`. A panel's per-series notes ("series 'a': 3 missing values
    /// ... filled") are printed for the first `examplesPerKind` series of each kind, then counted
    /// in one line, so a panel of 10,000 series with gaps prints a few lines, not 20,000.
    static func print(_ report: [String], file: String, quiet: Bool) {
        let name = CSVInput.displayName(file)
        counted(quiet ? report.filter { $0.hasSuffix(SeriesLoader.leftOutNote) } : report,
                kind: { $0.hasSuffix(SeriesLoader.leftOutNote) ? nil : kind(of: $0) },
                show: { line in
                    note("\(line.hasSuffix(SeriesLoader.leftOutNote) ? "warning" : "note"): \(name): \(OptionNames.commandLine(line))")
                },
                summary: { kind, more in note("note: \(name): \(more) more series with \(OptionNames.commandLine(kind))") })
    }

    /// Says that `count` of the scored points (evaluate, backtest) were filled in by `--fill` and
    /// left out of the scores; nothing when none were.
    static func noteFilledScores(_ count: Int) {
        guard count > 0 else { return }
        note("note: \(count) of the scored points \(count == 1 ? "was" : "were") filled in by --fill, not observed: left out of every score")
    }

    /// What a per-series note says, without the series and its counts ("missing values in 'value'
    /// filled by linear interpolation"); nil for a note that names no series.
    static func kind(of line: String) -> String? {
        guard line.hasPrefix("series '"), let end = line.range(of: "': ") else { return nil }
        var rest = line[end.upperBound...]
        if let paren = rest.range(of: " (first") { rest = rest[..<paren.lowerBound] }
        return String(rest.drop { $0.isNumber || $0 == " " })
    }

    /// Prints `fit`'s warnings: all of them, except that a panel's per-series warnings of one kind
    /// (a series too short for the network, skipped) are printed for `examplesPerKind` series and
    /// then counted (`fit --format json` lists every one).
    static func printWarnings(_ warnings: [String]) {
        counted(warnings,
                kind: { w in
                    guard w.hasPrefix("series '"),
                          let end = w.range(of: "' ", range: w.index(w.startIndex, offsetBy: 8)..<w.endIndex) else { return nil }
                    return String(w[end.upperBound...].filter { !$0.isNumber })
                },
                show: { note("warning: \($0)") },
                summary: { _, more in note("warning: \(more) more series with the same warning") })
    }

    /// Shows every line of `lines`, except that of the lines of one kind (`kind` not nil) only the
    /// first `examplesPerKind` are shown; then, per kind in order of appearance, `summary` with
    /// how many more there were.
    private static func counted(_ lines: [String], kind: (String) -> String?, show: (String) -> Void,
                                summary: (String, Int) -> Void) {
        var seen: [String: Int] = [:]
        var order: [String] = []
        for line in lines {
            guard let k = kind(line) else { show(line); continue }
            if seen[k] == nil { order.append(k) }
            seen[k, default: 0] += 1
            if seen[k]! <= examplesPerKind { show(line) }
        }
        for k in order where seen[k]! > examplesPerKind { summary(k, seen[k]! - examplesPerKind) }
    }
}
