/// How the loader finds the time column and reads integer times as calendar values.
extension SeriesLoader {
    static let timeNames: Set<String> = ["date", "time", "timestamp", "datetime", "ds", "period", "month",
                                          "year", "week", "day", "quarter", "date_time", "dt"]
    static let indexNames: Set<String> = ["t", "step", "index", "idx", "year", "period", "time"]

    /// Picks the time column from the header and first row; `nil` when none fits.
    package static func detectTimeColumn(header: [String], firstRow: [String], excluding: Set<String>,
                                        format: TimeFormat? = nil) -> String? {
        let candidates = header.indices.filter { !excluding.contains(header[$0]) }
        func parses(_ i: Int, allowIndex: Bool) -> Bool {
            guard i < firstRow.count else { return false }
            if let format { return format.parse(firstRow[i]) != nil && (allowIndex || !format.isIndex) }
            guard let (f, _) = TimeFormat.detect(firstRow[i]) else { return false }
            return allowIndex || !f.isIndex
        }
        if let i = candidates.first(where: { timeNames.contains(header[$0].lowercased()) && parses($0, allowIndex: true) }) {
            return header[i]
        }
        if let i = candidates.first(where: { parses($0, allowIndex: false) }) { return header[i] }
        if let i = candidates.first(where: { indexNames.contains(header[$0].lowercased()) && parses($0, allowIndex: true) }) {
            return header[i]
        }
        return nil
    }

    /// `detectTimeColumn`, except that a column named like a time (`date`, `time`...) whose first
    /// value is not one, or a `--time-format` that no column matches, is an error naming line and
    /// column: numbering the rows instead would train on a calendar that is not in the data.
    ///
    /// - Returns: `nil` only when no column is named like a time and no format was given.
    package static func chooseTimeColumn(header: [String], firstRow: [String], line: Int, excluding: Set<String>,
                                        format: TimeFormat?, file: String) throws -> String? {
        if let found = detectTimeColumn(header: header, firstRow: firstRow, excluding: excluding, format: format) {
            return found
        }
        let expected = format.map { "a time in the `timeFormat` given (\(describe($0)))" }
            ?? "a date or time such as 2024-03-01, 2024-03-01T13:00, 2024-03, 2024-Q1, 20240301 or a year (or give `timeFormat`)"
        let named = header.indices.first { !excluding.contains(header[$0]) && timeNames.contains(header[$0].lowercased()) }
        // A time with a fraction of a second (every value of the column has one, or the first
        // row would have been read as a time and the fraction refused later) is named as such.
        if let i = [named, 0].compactMap({ $0 }).first(where: { $0 < firstRow.count && !excluding.contains(header[$0])
                                                             && TableReader.hasFractionOfASecond(firstRow[$0]) }) {
            throw ForecastError(file: file, line: line, column: i + 1, columnName: header[i],
                                message: TableReader.fractionOfASecondMessage(found: ForecastError.excerpt(firstRow[i])))
        }
        if let i = named, i < firstRow.count {
            throw ForecastError(file: file, line: line, column: i + 1, columnName: header[i],
                            message: "expected \(expected), found \(ForecastError.excerpt(firstRow[i]))")
        }
        if let format, !format.isIndex {
            throw ForecastError(file: file, line: line,
                            message: "no column holds \(expected); name the time column with `timeColumn`")
        }
        return nil
    }

    /// How a message names a format.
    static func describe(_ f: TimeFormat) -> String {
        switch f {
        case .pattern(let p): return p
        case .date: return "YYYY-MM-DD"
        case .dateTime: return "YYYY-MM-DDTHH:MM"
        case .yearMonth: return "YYYY-MM"
        case .yearQuarter: return "YYYY-Qn"
        case .year: return "YYYY"
        case .index: return "integer steps"
        }
    }

    /// The pattern of compact dates such as 20240301.
    package static let compactDate = TimeFormat.pattern("%Y%m%d")
    /// The pattern of compact months such as 202403.
    package static let compactMonth = TimeFormat.pattern("%Y%m")

    /// The row of the first value that is not a date when every value has eight digits in the
    /// range of compact dates and at least nine in ten of them are dates (20241399 among
    /// 2024MMDD days): a typo, which read as integer steps would turn the column into a long
    /// index with gaps; nil otherwise.
    /// The same for six-digit compact months that show a year turning (194913 among months from
    /// 194906 to 195005; see `hasYearRollover`): the row and what the
    /// column holds ("date written YYYYMMDD", "month written YYYYMM").
    static func compactDateMisfit(_ v: [Int64]) -> (row: Int, expected: String)? {
        guard let lo = v.min(), let hi = v.max() else { return nil }
        let parse: (Int64) -> Int64?, expected: String
        if lo >= 1000_01_01, hi <= 2999_12_31 {
            (parse, expected) = (compactDateTime, "a date written YYYYMMDD")
        } else if lo >= 1000_01, hi <= 2999_12, hasYearRollover(v) {
            (parse, expected) = (compactMonthTime, "a month written YYYYMM")
        } else {
            return nil
        }
        let misfits = v.indices.filter { parse(v[$0]) == nil }
        guard let first = misfits.first, misfits.count * 10 <= v.count else { return nil }
        return (first, expected)
    }

    /// Whether six-digit values show a year turning: some yyyy12 followed by (yyyy + 1)01. Without
    /// one, 202401...202412 may as well be week codes or steps, and stay integers.
    static func hasYearRollover(_ v: [Int64]) -> Bool {
        let present = Set(v)
        return v.contains { $0 % 100 == 12 && present.contains(($0 / 100 + 1) * 100 + 1) }
    }

    /// The time of the compact month `x` (202403: its first day), or nil when its month is impossible.
    static func compactMonthTime(_ x: Int64) -> Int64? {
        let (y, m) = (Int(x / 100), Int(x % 100))
        guard (1...12).contains(m) else { return nil }
        return CivilCalendar.timestamp(year: y, month: m, day: 1)
    }

    /// The time of the compact date `x` (20240301), or nil when its month or day is impossible.
    static func compactDateTime(_ x: Int64) -> Int64? {
        let (y, m, d) = (Int(x / 10_000), Int(x / 100 % 100), Int(x % 100))
        guard (1...12).contains(m), d >= 1, d <= CivilCalendar.daysInMonth(year: y, month: m) else { return nil }
        return CivilCalendar.timestamp(year: y, month: m, day: d)
    }

    /// Integer times that are calendar values, when the format was detected rather than given:
    /// distinct plain years in 1000...2999 with few gaps become years, eight-digit values that
    /// all parse as dates (20240301) become dates, and six-digit values that all parse as months
    /// (202403) and show a year turning (`hasYearRollover`) become months, with a note saying so.
    /// `nil`: keep `format`.
    package static func calendarTimes(_ v: [Int64], format: TimeFormat) -> (times: [Int64], format: TimeFormat, note: String?)? {
        guard format == .index, let lo = v.min(), let hi = v.max() else { return nil }
        if lo >= 1000, hi <= 2999, Set(v).count == v.count, hi - lo < Int64(v.count) * 2 {
            return (v.map { CivilCalendar.timestamp(year: Int($0), month: 1, day: 1) }, .year, nil)
        }
        let parse: (Int64) -> Int64?, format: TimeFormat, what: String
        if lo >= 1000_01_01, hi <= 2999_12_31 {
            (parse, format, what) = (compactDateTime, compactDate, "dates (YYYYMMDD)")
        } else if lo >= 1000_01, hi <= 2999_12, hasYearRollover(v) {
            // Only with a December followed by the next January: consecutive integers cannot
            // hold one (their xx12 is followed by xx13), week codes (202401...202452) need not.
            (parse, format, what) = (compactMonthTime, compactMonth, "months (YYYYMM)")
        } else {
            return nil
        }
        var times: [Int64] = []
        times.reserveCapacity(v.count)
        for x in v {
            guard let t = parse(x) else { return nil }
            times.append(t)
        }
        return (times, format, "values such as \(v[0]) read as \(what); use `timeFormat = .index` to keep them as integers")
    }
}
