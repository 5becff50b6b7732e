import Testing
@testable import ForecastData

private func load(_ text: String, target: String = "v", fill: MissingPolicy = .error,
                  id: String? = nil, covariates: [String] = [], timeFormat: TimeFormat? = nil) throws -> SeriesLoader.Result {
    var o = SeriesLoader.Options(target: target, idColumn: id, covariates: covariates, fill: fill)
    o.timeFormat = timeFormat
    return try SeriesLoader.load(tempCSV(text), options: o)
}

private func failure(_ body: () throws -> Any) -> ForecastError? {
    do { _ = try body(); return nil } catch let e as ForecastError { return e } catch { return nil }
}

@Suite struct SeriesLoaderTests {
    /// A row without a series id is an error at its line: it made a series named '' and left a gap
    /// in the series around it.
    @Test func emptySeriesIdsAreErrors() {
        let e = failure { try load("id,t,v\na,1,1\na,2,2\n,3,3\na,4,4\n", id: "id") }
        #expect(e?.line == 4 && e?.column == 1 && e?.message == "expected a series id, found an empty cell; every row of a panel names its series",
                "\(String(describing: e))")
    }

    @Test func bundledAirlineSeries() throws {
        let r = try SeriesLoader.load("\(repoRoot)/datasets/airline_passengers.csv", options: .init(target: "passengers"))
        let s = r.series[0]
        #expect(s.count == 144)
        #expect(s.frequency == .months(1, monthEnd: false))
        #expect(s.timeColumn == "date")
        #expect(s.target.first == 112 && s.target.last == 432)
        #expect(s.formattedTime(143) == "1960-12-01")
        #expect(s.timeFormat.format(s.futureTimestamps(2)[1]) == "1961-02-01")
        #expect(r.report.isEmpty)
    }

    @Test func detectsTimeColumnAnywhereAndSelectsByName() throws {
        let r = try load("v,when,other\n1,2020-01-01,x\n2,2020-01-02,y\n3,2020-01-03,z\n")
        #expect(r.series[0].timeColumn == "when")
        #expect(r.series[0].target == [1, 2, 3])
    }

    @Test func plainYearsAndIntegerIndices() throws {
        let years = try load("year,v\n1990,1\n1991,2\n1992,3\n")
        #expect(years.series[0].timeFormat == .year)
        #expect(years.series[0].frequency == .months(12, monthEnd: false))
        #expect(years.series[0].timeFormat.format(years.series[0].futureTimestamps(1)[0]) == "1993")
        let steps = try load("t,v\n0,1\n5,2\n10,3\n")
        #expect(steps.series[0].frequency == .steps(5))
        #expect(steps.series[0].futureTimestamps(2) == [15, 20])
        let forced = try load("year,v\n1990,1\n1991,2\n", timeFormat: .index)
        #expect(forced.series[0].timeFormat == .index)
    }

    @Test func noTimeColumnNumbersTheRows() throws {
        let r = try load("v,w\n1,5\n2,6\n")
        #expect(Array(r.series[0].timestamps) == [0, 1])
        #expect(r.report.count == 1)
    }

    @Test func quartersAndCustomFormat() throws {
        let q = try load("q,v\n2020-Q1,1\n2020-Q2,2\n2020-Q3,3\n2020-Q4,4\n")
        #expect(q.series[0].frequency.name == "quarterly")
        #expect(q.series[0].timeFormat.format(q.series[0].futureTimestamps(1)[0]) == "2021-Q1")
        let c = try load("d,v\n30/01/2020,1\n31/01/2020,2\n", timeFormat: TimeFormat(argument: "%d/%m/%Y"))
        #expect(c.series[0].frequency == .seconds(86_400))
    }

    @Test func unsortedRowsAreSortedAndReported() throws {
        let r = try load("date,v\n2020-03-01,3\n2020-01-01,1\n2020-02-01,2\n")
        #expect(r.series[0].target == [1, 2, 3])
        #expect(r.report.contains { $0.contains("sorted") })
    }

    @Test func duplicateTimestampNamesBothLines() throws {
        let e = failure { try load("date,v\n2020-01-01,1\n2020-02-01,2\n2020-02-01,3\n") }
        #expect(e?.line == 4)
        #expect(e?.message.contains("duplicate timestamp 2020-02-01, also at line 3") == true)
    }

    @Test func irregularSpacingIsAnError() throws {
        let e = failure { try load("date,v\n2020-01-04,1\n2020-01-11,2\n2020-01-18,3\n2020-01-25,3\n2020-01-29,4\n") }
        #expect(e?.line == 6)
        #expect(e?.message.contains("irregular spacing") == true)
    }

    @Test func gapsBecomeMissingValues() throws {
        let text = "date,v\n2020-01-01,1\n2020-01-02,2\n2020-01-04,4\n2020-01-05,5\n"
        let e = failure { try load(text) }
        #expect(e?.message.contains("2020-01-03") == true)
        let r = try load(text, fill: .interpolate)
        #expect(r.series[0].target == [1, 2, 3, 4, 5])
        #expect(r.report.contains { $0.contains("1 missing timestamps inserted") })
        #expect(r.filledTargets == [[2]])   // the inserted timestamp's value was made up
    }

    @Test(arguments: ["", "NA", "NaN", "null", "n/a"])
    func missingTokens(token: String) throws {
        let text = "date,v\n2020-01-01,1\n2020-01-02,\(token)\n2020-01-03,3\n2020-01-04,7\n"
        let e = failure { try load(text) }
        #expect(e?.line == 3 && e?.column == 2 && e?.columnName == "v")
        #expect(try load(text, fill: .interpolate).series[0].target == [1, 2, 3, 7])
        #expect(try load(text, fill: .ffill).series[0].target == [1, 1, 3, 7])
    }

    @Test func leadingAndTrailingMissingAreTrimmed() throws {
        let r = try load("date,v\n2020-01-01,\n2020-01-02,2\n2020-01-03,3\n2020-01-04,NA\n")
        #expect(r.series[0].target == [2, 3])
        #expect(r.filledTargets == [[]])   // trimmed, not filled
        // Positions count from the first value kept.
        #expect(try load("date,v\n2020-01-01,\n2020-01-02,2\n2020-01-03,\n2020-01-04,4\n", fill: .ffill).filledTargets == [[1]])
        #expect(r.series[0].formattedTime(0) == "2020-01-02")
        #expect(r.report.contains { $0.contains("2 missing values trimmed") })
    }

    @Test func interpolationAcrossLongerGap() throws {
        let r = try load("date,v\n2020-01-01,0\n2020-01-02,\n2020-01-03,\n2020-01-04,\n2020-01-05,8\n", fill: .interpolate)
        #expect(r.series[0].target == [0, 2, 4, 6, 8])
    }

    @Test func covariatesAreReadAndFilled() throws {
        let r = try load("date,v,x\n2020-01-01,1,10\n2020-01-02,2,\n2020-01-03,3,30\n", fill: .interpolate, covariates: ["x"])
        #expect(r.series[0].covariates == [[10, 20, 30]])
        #expect(r.filledTargets == [[]])   // a filled covariate is not a filled target
        #expect(r.series[0].covariateNames == ["x"])
    }

    @Test func panelInLongFormat() throws {
        let text = "id,date,v\nb,2020-01-01,1\na,2020-01-01,10\nb,2020-01-02,2\na,2020-01-02,20\nb,2020-01-03,3\n"
        let r = try load(text, id: "id")
        #expect(r.series.map(\.id) == ["b", "a"])
        #expect(r.series[0].target == [1, 2, 3])
        #expect(r.series[1].target == [10, 20])
    }

    @Test func panelRowsTogetherOrInterleavedGiveTheSameSeries() throws {
        // Rows grouped by series (read as ranges of the file) and interleaved (read through a list
        // sorted by series) load alike, out-of-order times and line numbers included.
        let grouped = "id,date,v\na,2020-01-02,20\na,2020-01-01,10\na,2020-01-03,30\nb,2020-01-01,1\nb,2020-01-02,2\n"
        let interleaved = "id,date,v\na,2020-01-02,20\nb,2020-01-01,1\na,2020-01-01,10\nb,2020-01-02,2\na,2020-01-03,30\n"
        for text in [grouped, interleaved] {
            let r = try load(text, id: "id")
            #expect(r.series.map(\.id) == ["a", "b"])
            #expect(r.series[0].target == [10, 20, 30])
            #expect(r.series[1].target == [1, 2])
            #expect(r.report == ["series 'a': rows were not in time order; sorted by date"])
        }
        let duplicate = failure { try load("id,date,v\nb,2020-01-01,1\na,2020-01-01,10\na,2020-01-01,11\n", id: "id") }
        #expect(duplicate?.line == 4)
        #expect(duplicate?.message.contains("also at line 3") == true)
    }

    @Test func panelSeriesHaveTheirOwnFrequency() throws {
        let text = "id,date,v\nm,2020-01-01,1\nm,2020-02-01,2\nd,2020-01-01,5\nd,2020-01-02,6\n"
        let r = try load(text, id: "id")
        #expect(r.series[0].frequency.name == "monthly")
        #expect(r.series[1].frequency.name == "daily")
    }

    /// In a panel, a series without values or with a single row is left out and named; on request,
    /// or when nothing is left, it is an error.
    @Test func unusablePanelSeriesAreLeftOut() throws {
        let text = "id,date,v\na,2020-01-01,1\na,2020-01-02,2\na,2020-01-03,3\ne,2020-01-01,\ne,2020-01-02,\none,2020-01-01,7\n"
        let r = try load(text, id: "id")
        #expect(r.series.map(\.id) == ["a"])
        #expect(r.report.contains { $0.contains("series 'e': the target column has no values") && $0.hasSuffix(SeriesLoader.leftOutNote) }, "\(r.report)")
        #expect(r.report.contains { $0.contains("series 'one': a series needs at least 2 rows") && $0.hasSuffix(SeriesLoader.leftOutNote) }, "\(r.report)")
        var strict = SeriesLoader.Options(target: "v", idColumn: "id")
        strict.skipsUnusableSeries = false
        let e = failure { try SeriesLoader.load(tempCSV(text), options: strict) }
        #expect(e?.message.contains("series 'e': the target column has no values") == true, "\(String(describing: e))")
        let none = failure { try load("id,date,v\ne,2020-01-01,\ne,2020-01-02,\n", id: "id") }
        #expect(none?.message.contains("no values") == true)
        // One series (no id column): still an error.
        #expect(failure { try load("date,v\n2020-01-01,\n2020-01-02,\n") } != nil)
    }

    @Test func raggedRow() {
        let e = failure { try load("date,v\n2020-01-01,1\n2020-01-02\n") }
        #expect(e?.line == 3)
        #expect(e?.message == "expected 2 fields as in the header, found 1")
    }

    @Test func fractionsOfASecondAreRefusedNotDropped() throws {
        // Dropping them made 10:00:00.250 and 10:00:00.750 one time, reported as a duplicate.
        let e = failure { try load("t,v\n2024-01-01T10:00:00.000Z,1\n2024-01-01T10:00:00.500Z,2\n") }
        #expect(e?.line == 3)
        #expect(e?.message == "expected a time in whole seconds (steps finer than a second are not supported), found \"2024-01-01T10:00:00.500Z\"", "\(String(describing: e))")
        // A fraction of zeros is whole seconds.
        #expect(try load("t,v\n2024-01-01T10:00:00.000,1\n2024-01-01T10:00:01.00,2\n2024-01-01T10:00:02,3\n").series[0].count == 3)
        // From the first row on, in a column named like a time or in the first column: refused the
        // same way (the column was not recognised as time, and the rows were numbered).
        for csv in ["time,v\n2024-01-01T10:00:00.5,1\n2024-01-01T11:00:00.5,2\n",
                    "stamp,v\n2024-01-01T10:00:00.5,1\n2024-01-01T11:00:00.5,2\n"] {
            let first = failure { try load(csv) }
            #expect(first?.line == 2 && first?.column == 1, "\(String(describing: first))")
            #expect(first?.message == "expected a time in whole seconds (steps finer than a second are not supported), found \"2024-01-01T10:00:00.5\"",
                    "\(String(describing: first))")
        }
    }

    @Test func timesWithAndWithoutAZoneDoNotMix() throws {
        // 10:00 without a zone was read as UTC among +02:00 times: an hour that may not exist.
        let e = failure { try load("t,v\n2024-01-01T10:00+02:00,1\n2024-01-01T11:00+02:00,2\n2024-01-01T10:00,3\n") }
        #expect(e?.line == 4 && e?.message.hasPrefix("expected a time written like the first row") == true, "\(String(describing: e))")
        let reverse = failure { try load("t,v\n2024-01-01T10:00,1\n2024-01-01T11:00Z,2\n") }
        #expect(reverse?.line == 3, "\(String(describing: reverse))")
        // Other zones and seconds on some rows only are the same instants.
        #expect(try load("t,v\n2024-01-01T10:00+02:00,1\n2024-01-01T10:00:00+01:00,2\n2024-01-01T10:00Z,3\n").series[0].count == 3)
    }

    @Test func aCompactDateThatIsNoDateIsNamed() {
        // 20241399 among YYYYMMDD dates made the whole column integer steps, read as gaps.
        let rows = (1...12).map { "202401\(String(format: "%02d", $0)),\($0)" }
        var bad = rows
        bad[4] = "20241399,5"
        let e = failure { try load((["date,v"] + bad).joined(separator: "\n") + "\n") }
        #expect(e?.line == 6 && e?.message == "expected a date written YYYYMMDD like the other values (20240101), found 20241399; give `timeFormat = .index` to read the column as integer steps",
                "\(String(describing: e))")
        // Eight-digit integers that are mostly not dates stay integer steps.
        #expect(failure { try load("date,v\n10000000,1\n10000001,2\n10000002,3\n") } == nil)
    }

    @Test func hexadecimalIsNotANumber() throws {
        // strtod reads C's hexadecimal floats; a CSV value 0x1F must not become 31.
        for text in ["0x1F", "-0X1p3", "0x.8"] {
            let e = failure { try load("date,v\n2020-01-01,1\n2020-01-02,\(text)\n") }
            #expect(e?.description.hasSuffix("line 3, column 2 ('v'): expected a number, found \"\(text)\"") == true, "\(String(describing: e))")
        }
        #expect(try load("date,v\n2020-01-01,1e3\n2020-01-02,-2.5E-1\n").series[0].targetValues(0..<2) == [1000, -0.25])
    }

    @Test func nonNumericValue() {
        let e = failure { try load("date,v\n2020-01-01,1\n2020-01-02,12.5x\n") }
        #expect(e?.description.hasSuffix("line 3, column 2 ('v'): expected a number, found \"12.5x\"") == true)
    }

    @Test func infinityAndSinglePrecisionOverflow() {
        #expect(failure { try load("date,v\n2020-01-01,1\n2020-01-02,inf\n") }?.line == 3)
        #expect(failure { try load("date,v\n2020-01-01,1\n2020-01-02,1e39\n") }?.message.contains("too large") == true)
    }

    @Test func unknownColumnListsTheHeader() {
        let e = failure { try load("date,v\n2020-01-01,1\n", target: "sales") }
        #expect(e?.message == "no such column; the header has 'date', 'v'")
        #expect(e?.columnName == "sales")
    }

    @Test func duplicateColumnNames() {
        let e = failure { try load("date,v,v\n2020-01-01,1,2\n") }
        #expect(e?.column == 3 && e?.message.contains("used twice") == true)
    }

    @Test func emptyAndHeaderOnlyFiles() {
        #expect(failure { try load("") }?.message.contains("empty") == true)
        #expect(failure { try load("date,v\n") }?.message.contains("no data rows") == true)
        #expect(failure { try load("date,v\n2020-01-01,1\n") }?.message.contains("at least 2 rows") == true)
    }

    @Test func unparseableTimestamp() {
        let e = failure { try load("date,v\n2020-01-01,1\n2020-13-01,2\n") }
        #expect(e?.line == 3 && e?.column == 1)
    }

    @Test func nonUTF8BytesInANumber() {
        let path = tempFile(bytes: Array("date,v\n2020-01-01,1\n2020-01-02,".utf8) + [0xFF, 0xFE] + [10])
        let e = failure { try SeriesLoader.load(path, options: .init(target: "v")) }
        #expect(e?.line == 3 && e?.message.contains("not UTF-8") == true)
    }

    @Test func allMissingTarget() {
        #expect(failure { try load("date,v\n2020-01-01,\n2020-01-02,NA\n") }?.message.contains("no values") == true)
    }
}
