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
        var seen: [String: Int] = [:]
        var order: [String] = []
        for line in report {
            let text = "\(name): \(OptionNames.commandLine(line))"
            if line.hasSuffix(SeriesLoader.leftOutNote) { note("warning: \(text)"); continue }
            guard !quiet else { continue }
            guard let kind = kind(of: line) else { note("note: \(text)"); continue }
            if seen[kind] == nil { order.append(kind) }
            seen[kind, default: 0] += 1
            if seen[kind]! <= examplesPerKind { note("note: \(text)") }
        }
        for kind in order where seen[kind]! > examplesPerKind {
            note("note: \(name): \(seen[kind]! - examplesPerKind) more series with \(OptionNames.commandLine(kind))")
        }
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
        var seen: [String: Int] = [:]
        var order: [String] = []
        for w in warnings {
            guard w.hasPrefix("series '"), let end = w.range(of: "' ", range: w.index(w.startIndex, offsetBy: 8)..<w.endIndex) else {
                note("warning: \(w)"); continue
            }
            let kind = String(w[end.upperBound...].filter { !$0.isNumber })
            if seen[kind] == nil { order.append(kind) }
            seen[kind, default: 0] += 1
            if seen[kind]! <= examplesPerKind { note("warning: \(w)") }
        }
        for kind in order where seen[kind]! > examplesPerKind {
            note("warning: \(seen[kind]! - examplesPerKind) more series with the same warning")
        }
    }
}
