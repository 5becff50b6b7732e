import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads time series from a CSV file: column selection, time parsing, sorting, frequency
/// inference, gap detection and the missing-value policy, with a report of everything it changed.
///
///     var options = SeriesLoader.Options(target: "passengers")
///     options.fill = .interpolate
///     let loaded = try SeriesLoader.load(URL(fileURLWithPath: "datasets/airline_passengers.csv"), options: options)
///     print(loaded.series[0].frequency.name)   // "monthly"
public enum SeriesLoader {
    /// What to read and how.
    public struct Options: Sendable {
        /// The column to forecast.
        public var target: String
        /// The time column; `nil` detects it (a column named like a date, or the first column whose
        /// values parse as dates). With none, rows are numbered 0, 1, 2...
        public var timeColumn: String?
        /// The column that names the series in a long-format panel.
        public var idColumn: String?
        /// Extra input columns (past covariates).
        public var covariates: [String] = []
        /// The delimiter, one ASCII byte (`UInt8(ascii: ";")`); `nil` detects `,` `;` or tab.
        public var delimiter: UInt8?

        /// Whether `byte` can separate fields: ASCII, not a quote, not a line break.
        package static func canDelimit(_ byte: UInt8) -> Bool {
            byte < 0x80 && ![UInt8(ascii: "\""), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(byte)
        }
        /// The time format; `nil` detects it from the first row.
        public var timeFormat: TimeFormat?
        /// What to do with missing values inside a series (default `defaultFill`).
        public var fill: MissingPolicy = Options.defaultFill
        /// In a panel, leave out a series with no target values or a single row, named in the
        /// result's `report`, instead of failing (the load still fails when no series is left).
        public var skipsUnusableSeries = true
        /// Packs each series' target as it is assembled (`TimeSeries.packTarget`), for a caller
        /// that trains on them: a panel's values are then never all held as `Double` (on the
        /// thread that assembled them, whose freed memory the next series reuses).
        package var packsTargets = false
        /// Appended to the error for a missing column (what a model expects, say).
        package var expectation: String?

        /// The missing-value policy when none is given: `.error` (filling is a modelling choice to
        /// make knowingly); the command line's `--fill` default too.
        public static let defaultFill: MissingPolicy = .error

        /// Options for `target` with everything else detected.
        public init(target: String, timeColumn: String? = nil, idColumn: String? = nil,
                    covariates: [String] = [], fill: MissingPolicy = Options.defaultFill) {
            self.target = target
            self.timeColumn = timeColumn
            self.idColumn = idColumn
            self.covariates = covariates
            self.fill = fill
        }
    }

    /// The series read, and what the loader did to them.
    public struct Result: Sendable {
        /// One series, or one per identifier for a panel (in order of first appearance).
        public var series: [TimeSeries]
        /// One line per notable action: rows sorted, timestamps inserted, values filled or trimmed.
        public var report: [String]
        /// The panel series left out as unusable (a single row, or no target value), each as its
        /// last row: its last time, its last target value (NaN when it has none) and missing
        /// covariates, on the panel's frequency; empty for one series or when nothing else is usable.
        package var leftOut: [TimeSeries] = []
        /// Per series of `series`, the positions of its target values that `Options.fill` made up
        /// (missing in the file, or at a timestamp it lacked), ascending: a score must not count
        /// them as actuals (pass them to `Backtest.run(_:config:folds:refit:levels:unobserved:progress:)`).
        public var filledTargets: [[Int]] = []
    }

    /// Loads the series of the CSV file `url` (one series, or a panel with `Options.idColumn`).
    ///
    ///     let r = try SeriesLoader.load(URL(fileURLWithPath: "sales.csv"), options: .init(target: "units"))
    ///
    /// - Throws: `ForecastError` (`data`) with the file, line and column of the first problem: unknown
    ///   columns, unparseable values, duplicate timestamps, spacing off the inferred grid, too few rows,
    ///   or missing values inside a series under the `error` policy; (`configuration`) for options
    ///   that cannot work: a `delimiter` that is a quote, a line break or not ASCII, a `timeFormat`
    ///   whose times would repeat.
    public static func load(_ url: URL, options: Options) throws -> Result {
        try load(url.path, options: options)
    }

    /// Loads the series of `file` (a path, or `-` for standard input).
    package static func load(_ file: String, options: Options) throws -> Result {
        try load(file, options: options, streamingFrom: streamingBytes, blockRows: blockRows)
    }

    /// `load`, reading a panel file of `streamingFrom` bytes or more as blocks of `blockRows` rows
    /// (see `loadStreaming`; tests pass small numbers).
    static func load(_ file: String, options: Options, streamingFrom bytes: Int, blockRows: Int) throws -> Result {
        try checkDelimiter(options)
        if options.idColumn != nil, let size = CSVInput.regularFileSize(file), size >= bytes,
           let result = try loadStreaming(file, options: options, blockRows: blockRows) {
            return result
        }
        let (table, timeColumn) = try read(file, options: options)
        return try build(table, options: options, timeColumn: timeColumn)
    }

    /// The panel files from which `load` reads series as they come (8 MB: the two-halves read's).
    static let streamingBytes = 8 << 20
    /// The rows of a block of whole series that `loadStreaming` assembles at a time.
    static let blockRows = 1 << 16

    /// Reads a panel whose series' rows are together (the usual layout) in blocks of whole series,
    /// each assembled into series on a second thread while the next is read, so that the file's
    /// columns are never held whole (a 10,000-series panel of 9 million rows held 180 MB of them
    /// beside its series). `nil` when an id comes back after others: read the file whole.
    static func loadStreaming(_ file: String, options: Options, blockRows: Int, halvesFrom: Int = 8 << 20,
                              processors: Int? = nil) throws -> Result? {
        final class Collected: @unchecked Sendable {   // written on its queue only, read after it drains
            var assembled = Assembled()
            var error: (any Error)?
            let queue = DispatchQueue(label: "forecast.loader.blocks")
            let room = DispatchSemaphore(value: 2)   // at most two blocks read ahead of their assembly
        }
        let halves = [Collected(), Collected()]   // blocks of the file's first and second half
        @Sendable func timeColumn(_ t: CSVTable) -> String? {
            t.columns.first { if case .times = $0.value { return true } else { return false } }?.key
        }
        func drain() { for h in halves { h.queue.sync {} } }
        let rest: [CSVTable]
        do {
            rest = try CSVTable.stream(file, delimiter: options.delimiter, rows: blockRows, halvesFrom: halvesFrom,
                                       processors: processors, block: { half, table in
                let h = halves[half]
                h.room.wait()
                h.queue.async {
                    defer { h.room.signal() }
                    do {
                        h.assembled.append(try assemble(table, options: options, timeColumn: timeColumn(table)))
                    } catch {
                        if h.error == nil { h.error = error }
                    }
                }
            }, choosing: try columnChooser(file, options: options))
        } catch is RowsNotGrouped {
            drain()
            return nil
        } catch {
            drain()
            throw error
        }
        drain()
        for h in halves { if let e = h.error { throw e } }
        // In file order: the first half's blocks, the rows after them (with the second half's first
        // series), the second half's blocks, its last series.
        var all = halves[0].assembled
        for (k, table) in rest.enumerated() {
            all.append(try assemble(table, options: options, timeColumn: timeColumn(table)))
            if k == 0 { all.append(halves[1].assembled) }
        }
        return try finish(all, options: options)
    }

    /// Reads the columns `load` needs in one pass (so `file` may be `-`, a FIFO or `<(...)`):
    /// the target, covariates, id column, and the time column given or detected from the first row.
    package static func read(_ file: String, options: Options) throws -> (table: CSVTable, timeColumn: String?) {
        try checkDelimiter(options)
        let table = try CSVTable(contentsOf: file, delimiter: options.delimiter, choosing: try columnChooser(file, options: options))
        let timeColumn = table.columns.first { if case .times = $0.value { return true } else { return false } }?.key
        return (table, timeColumn)
    }

    /// Throws `configuration` for a delimiter the reader cannot split on (`Options.canDelimit`).
    static func checkDelimiter(_ options: Options) throws {
        if let d = options.delimiter, !Options.canDelimit(d) {
            throw ForecastError.configuration("the `delimiter` must be one ASCII character other than a quote or a line break, got byte \(d)")
        }
    }

    /// Picks the columns `load` needs once the header and first row are read: the target,
    /// covariates, id column, and the time column given or detected from the first row.
    static func columnChooser(_ file: String, options: Options) throws -> CSVTable.ColumnChooser {
        let valueColumns = Set([options.target] + options.covariates + [options.idColumn].compactMap { $0 })
        let name = CSVInput.displayName(file)
        if let t = options.timeColumn, valueColumns.contains(t) {
            throw ForecastError(file: name, columnName: t, message: "the time column cannot also be the target, a covariate or the id column")
        }
        if let id = options.idColumn, id == options.target || options.covariates.contains(id) {
            throw ForecastError(file: name, columnName: id, message: "the id column cannot also be the target or a covariate")
        }
        if let c = options.covariates.first(where: { $0 == options.target }) {
            throw ForecastError(file: name, columnName: c, message: "the target cannot also be a covariate")
        }
        if case .pattern(let p)? = options.timeFormat, let problem = options.timeFormat?.patternProblem {
            throw ForecastError.configuration("the `timeFormat` '\(p)' \(problem)")
        }
        return { header, first, line in
            let timeColumn = try options.timeColumn
                ?? chooseTimeColumn(header: header, firstRow: first, line: line, excluding: valueColumns, format: options.timeFormat, file: name)
            var request: [String: CSVTable.Kind] = [options.target: .number]
            for c in options.covariates { request[c] = .number }
            if let t = timeColumn { request[t] = .time(options.timeFormat) }
            if let id = options.idColumn { request[id] = .text }
            if let missing = request.keys.sorted().first(where: { !header.contains($0) }), let expected = options.expectation {
                throw ForecastError(file: name, line: 1, columnName: missing,
                                message: "no such column; the header has \(CSVTable.describeHeader(header)); \(expected)")
            }
            return request
        }
    }

    /// Builds series from an already-read table (see `load`).
    package static func build(_ table: CSVTable, options: Options, timeColumn: String?) throws -> Result {
        try finish(try assemble(table, options: options, timeColumn: timeColumn), options: options)
    }

    /// The series of a table, each assembled or failed, with the report lines of the table as a
    /// whole first; `finish` turns them into a `Result`.
    struct Assembled {
        var outcomes: [Swift.Result<(TimeSeries, [String], [Int]), any Error>] = []
        var report: [String] = []
        var timeColumn = "index"
        var format = TimeFormat.index

        mutating func append(_ other: Assembled) {
            if outcomes.isEmpty { (timeColumn, format) = (other.timeColumn, other.format) }
            outcomes += other.outcomes
            report += other.report
        }
    }

    /// Assembles the series of `table` (on several cores for a large one).
    static func assemble(_ table: CSVTable, options: Options, timeColumn: String?) throws -> Assembled {
        var report: [String] = []
        var times: [Int64]
        var format: TimeFormat
        if let t = timeColumn, case .times(let v, let f)? = table.columns[t] {
            (times, format) = (v, f)
            if options.timeFormat == nil, let calendar = calendarTimes(v, format: f) {
                (times, format) = (calendar.times, calendar.format)
                if let note = calendar.note { report.append("'\(t)': \(note)") }
            } else if options.timeFormat == nil, let (k, expected) = compactDateMisfit(v) {
                throw ForecastError(file: table.file, line: Int(table.lines[k]), columnName: t,
                                    message: "expected \(expected) like the other values (\(v[0])), found \(v[k]); give `timeFormat = .index` to read the column as integer steps")
            }
        } else {
            (times, format) = ((0..<Int64(table.rowCount)).map { $0 }, .index)
            report.append("no time column found; rows are numbered 0, 1, 2... (give `timeColumn` to name one)")
        }
        // Rows of each series: a range of the file's rows when they are together, else a range of
        // one flat list in series order (a counting sort by id code); no list, or 4 bytes a row,
        // instead of an 8-byte element per row in a growing array per series (about 80 MB more at
        // a 10,000-series panel's 9 million rows).
        var groups: [(id: String?, rows: Range<Int>)] = []
        var order: [Int32] = []
        if let idName = options.idColumn, case .text(let codes, let values)? = table.columns[idName] {
            guard codes.count <= Int(Int32.max) else {
                throw ForecastError(file: table.file, columnName: idName, message: "the panel has \(codes.count) rows, more than \(Int32.max); split it into several files")
            }
            // An empty id made a series named '' (which --series cannot name) out of rows that
            // usually belong to their neighbours, whose series then had a gap there.
            if let blank = values.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }),
               let row = codes.firstIndex(of: Int32(blank)) {
                throw ForecastError(file: table.file, line: Int(table.lines[row]), column: table.header.firstIndex(of: idName).map { $0 + 1 },
                                    columnName: idName, message: "expected a series id, found an empty cell; every row of a panel names its series")
            }
            var start = [Int](repeating: 0, count: values.count + 1)
            var firstRow = [Int](repeating: -1, count: values.count), lastRow = firstRow
            for (r, c) in codes.enumerated() {
                start[Int(c) + 1] += 1
                if firstRow[Int(c)] < 0 { firstRow[Int(c)] = r }
                lastRow[Int(c)] = r
            }
            if values.indices.allSatisfy({ lastRow[$0] - firstRow[$0] + 1 == start[$0 + 1] }) {
                // Each series' rows are together (the usual layout): its rows are a range of the file's.
                groups = values.indices.map { (values[$0], firstRow[$0]..<(lastRow[$0] + 1)) }
            } else {
                for k in values.indices { start[k + 1] += start[k] }
                var next = start
                order = [Int32](repeating: 0, count: codes.count)
                for (r, c) in codes.enumerated() { order[next[Int(c)]] = Int32(r); next[Int(c)] += 1 }
                groups = values.indices.map { (values[$0], start[$0]..<start[$0 + 1]) }
            }
        } else {
            groups = [(nil, 0..<table.rowCount)]
        }
        let name = timeColumn ?? "index", groupList = groups, rowOrder = order
        let one: @Sendable (Int) -> Swift.Result<(TimeSeries, [String], [Int]), any Error> = { [times, format] k in
            Swift.Result {
                var lines: [String] = []
                var filled: [Int] = []
                let range = groupList[k].rows
                let rows = rowOrder.isEmpty ? Array(range) : rowOrder[range].map { Int($0) }
                var s = try assembleSeries(table, rows: rows, id: groupList[k].id, times: times, format: format,
                                     timeColumn: name, options: options, report: &lines, filledTargets: &filled)
                if options.packsTargets { s.packTarget() }
                return (s, lines, filled)
            }
        }
        // A large panel's series are assembled in parallel (each only reads the table); results,
        // report lines and the first error are taken in series order, as one pass would give them.
        let outcomes = groups.count > 1 && table.rowCount >= parallelRows
            ? inParallel(groups.count, one) : (0..<groups.count).map(one)
        return Assembled(outcomes: outcomes, report: report, timeColumn: name, format: format)
    }

    /// The series assembled, their report lines in series order, and the first error in series
    /// order (series that cannot be used are left out when `options` allows).
    static func finish(_ assembled: Assembled, options: Options) throws -> Result {
        var report = assembled.report
        let (name, format, outcomes) = (assembled.timeColumn, assembled.format, assembled.outcomes)
        var series: [TimeSeries] = []
        series.reserveCapacity(outcomes.count)
        var unusable: [UnusableSeries] = []
        var filledTargets: [[Int]] = []
        for o in outcomes {
            do {
                let (s, lines, filled) = try o.get()
                series.append(s)
                report += lines
                filledTargets.append(filled)
            } catch let e as UnusableSeries {
                guard options.skipsUnusableSeries else { throw e.error }
                report.append("\(e.error.message)\(leftOutNote)")
                unusable.append(e)
            }
        }
        if series.isEmpty, let first = unusable.first { throw first.error }
        let leftOut = series.isEmpty ? [] : unusable.map { u in
            TimeSeries(id: u.id, timeColumn: name, timeFormat: format, frequency: series[0].frequency, timestamps: [u.lastTime],
                       targetName: options.target, target: [u.lastValue],
                       covariateNames: options.covariates, covariates: options.covariates.map { _ in [Double.nan] })
        }
        return Result(series: series, report: report, leftOut: leftOut, filledTargets: filledTargets)
    }

    /// Ends the report line of a panel series left out (see `Options.skipsUnusableSeries`).
    package static let leftOutNote = "; the series is left out"

    /// The rows from which `build` assembles the series of a panel on several cores.
    static let parallelRows = 200_000

    /// `f(0..<n)` on the machine's cores, in contiguous chunks, in order.
    static func inParallel<T>(_ n: Int, _ f: @Sendable (Int) -> T) -> [T] {
        let out = UnsafeMutableBufferPointer<T>.allocate(capacity: n)
        defer { _ = out.deinitialize(); out.deallocate() }
        nonisolated(unsafe) let slots = out
        let chunks = min(n, 8 * max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            for k in (n * c / chunks)..<(n * (c + 1) / chunks) { (slots.baseAddress! + k).initialize(to: f(k)) }
        }
        return Array(out)
    }

    private static func assembleSeries(_ table: CSVTable, rows unsortedRows: [Int], id: String?, times: [Int64],
                                 format: TimeFormat, timeColumn: String, options: Options,
                                 report: inout [String], filledTargets: inout [Int]) throws -> TimeSeries {
        let file = table.file
        let label = id.map { "series '\(ForecastError.truncated($0))': " } ?? ""
        var rows = unsortedRows
        if zip(rows, rows.dropFirst()).contains(where: { times[$0] > times[$1] }) {
            rows.sort { times[$0] != times[$1] ? times[$0] < times[$1] : $0 < $1 }
            report.append("\(label)rows were not in time order; sorted by \(timeColumn)")
        }
        for (a, b) in zip(rows, rows.dropFirst()) where times[a] == times[b] {
            throw ForecastError(file: file, line: Int(table.lines[b]), columnName: timeColumn,
                            message: "\(label)duplicate timestamp \(format.format(times[b])), also at line \(table.lines[a]); each time may appear once per series")
        }
        let ts = rows.map { times[$0] }
        guard let freq = Frequency.infer(ts, isIndex: format.isIndex) else {
            let e = ForecastError(file: file, line: rows.first.map { Int(table.lines[$0]) },
                                  message: "\(label)a series needs at least 2 rows to infer its frequency, found \(rows.count)")
            if let id, rows.count < 2 {
                let column = table.numbers(options.target)
                let value = rows.first.flatMap { column.indices.contains($0) ? column[$0] : nil } ?? .nan
                throw UnusableSeries(error: e, id: id, lastTime: ts.last ?? 0, lastValue: value)
            }
            throw e
        }
        if let step = freq.unsupportedStep {
            throw ForecastError(file: file, line: Int(table.lines[rows[1]]), columnName: timeColumn,
                                message: "\(label)the rows are \(step); a longer step is not supported")
        }
        // Place every row on the grid; absent grid points become missing values.
        var position = [Int](repeating: 0, count: rows.count)
        for k in 1..<rows.count {
            guard let n = freq.steps(from: ts[k - 1], to: ts[k]) else {
                throw ForecastError(file: file, line: Int(table.lines[rows[k]]), columnName: timeColumn,
                                message: "\(label)irregular spacing: \(format.format(ts[k])) is not a whole number of \(freq.name) steps after \(format.format(ts[k - 1])) (line \(table.lines[rows[k - 1]])); resample the data to a regular frequency")
            }
            position[k] = position[k - 1] + n
        }
        let length = position.last! + 1
        guard length <= max(10 * rows.count, 1_000_000) else {
            throw ForecastError(file: file, columnName: timeColumn,
                            message: "\(label)the timestamps span \(length) \(freq.name) steps for only \(rows.count) rows; the data are too sparse for that frequency")
        }
        var lineAt = [Int32](repeating: -1, count: length)
        for (k, p) in position.enumerated() { lineAt[p] = table.lines[rows[k]] }
        if length > rows.count {
            let firstGap = (0..<length).first { lineAt[$0] < 0 }!
            report.append("\(label)\(length - rows.count) missing timestamps inserted as missing values (first: \(format.format(freq.advance(ts[0], by: firstGap))))")
        }
        func gridColumn(_ name: String) -> [Double] {
            let values = table.numbers(name)
            var out = [Double](repeating: .nan, count: length)
            for (k, p) in position.enumerated() { out[p] = values[rows[k]] }
            return out
        }
        func place(_ i: Int) -> String {
            lineAt[i] >= 0 ? "line \(lineAt[i])" : "the missing timestamp \(format.format(freq.advance(ts[0], by: i)))"
        }
        let rawTarget = gridColumn(options.target)
        let valid = MissingValues.validRange(rawTarget)
        guard !valid.isEmpty else {
            let e = ForecastError(file: file, columnName: options.target, message: "\(label)the target column has no values, only missing ones")
            if let id { throw UnusableSeries(error: e, id: id, lastTime: ts.last!, lastValue: .nan) }
            throw e
        }
        if valid.count < length {
            report.append("\(label)\(length - valid.count) missing values trimmed from the start or end of '\(options.target)'")
        }
        func filled(_ column: [Double], name: String) throws -> [Double] {
            let part = Array(column[valid])
            if options.fill == .error || options.fill == .drop {
                if let i = part.firstIndex(where: { $0.isNaN }) {
                    let inner = MissingValues.validRange(part)
                    if inner.contains(i) || name != options.target {
                        let where_ = place(i + valid.lowerBound)
                        let g = i + valid.lowerBound
                        guard lineAt[g] >= 0 else {
                            // The rows on either side of the gap (it lies inside the valid range,
                            // whose ends are rows): the error points at the row after it.
                            let before = (0..<g).last { lineAt[$0] >= 0 }!, after = ((g + 1)..<length).first { lineAt[$0] >= 0 }!
                            let stamp = { (k: Int) in format.format(freq.advance(ts[0], by: k)) }
                            throw ForecastError(file: file, line: Int(lineAt[after]), columnName: timeColumn,
                                            message: "\(label)\(where_) leaves a gap inside the series (no row between \(stamp(before)) on line \(lineAt[before]) and \(stamp(after)) on line \(lineAt[after])); to fill gaps, use `fill = .interpolate` or `fill = .ffill`")
                        }
                        throw ForecastError(file: file, line: Int(lineAt[i + valid.lowerBound]),
                                        column: table.header.firstIndex(of: name).map { $0 + 1 }, columnName: name,
                                        message: "\(label)missing value inside the series; to fill gaps, use `fill = .interpolate` or `fill = .ffill`")
                    }
                }
                return part
            }
            guard part.contains(where: { !$0.isNaN }) else {
                throw ForecastError(file: file, columnName: name, message: "\(label)the column has no values, only missing ones")
            }
            let r = MissingValues.fill(part, policy: options.fill)
            if name == options.target { filledTargets = part.indices.filter { part[$0].isNaN } }
            if r.filled > 0 {
                report.append("\(label)\(r.filled) missing values in '\(name)' filled by \(options.fill == .ffill ? "forward fill" : "linear interpolation") (first at \(place(r.firstFilled! + valid.lowerBound)))")
            }
            return r.values
        }
        let target = try filled(rawTarget, name: options.target)
        var covariates: [[Double]] = []
        for c in options.covariates {
            let col = gridColumn(c)
            guard col[valid].contains(where: { !$0.isNaN }) else {
                throw ForecastError(file: file, columnName: c, message: "\(label)the covariate has no values, only missing ones")
            }
            covariates.append(try filled(col, name: c))
        }
        let stamps = TimeGrid(anchor: ts[0], offset: valid.lowerBound, count: valid.count, frequency: freq)
        return TimeSeries(id: id, timeColumn: timeColumn, timeFormat: format, frequency: freq, times: stamps,
                          targetName: options.target, target: target,
                          covariateNames: options.covariates, covariates: covariates)
    }
}

/// A panel series that cannot become a `TimeSeries` (no target values, a single row): left out
/// when `Options.skipsUnusableSeries` allows.
private struct UnusableSeries: Error {
    let error: ForecastError
    /// The series' id, its last time and its last target value (NaN when it has none).
    let id: String, lastTime: Int64, lastValue: Double
}
