import Foundation
import Testing

/// A long-format panel through the command line: new series, short series and `--series`.
@Suite struct PanelCommandTests {
    static func write(_ text: String, _ path: String) throws { try text.write(toFile: path, atomically: true, encoding: .utf8) }

    /// `series,time,value` rows for each (id, length, phase), hourly from the same start.
    static func hourly(_ series: [(String, Int, Int)]) -> String {
        var out = "series,time,value\n"
        let start = 1_704_067_200   // 2024-01-01T00:00:00Z
        let f = DateFormatter(); f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"; f.timeZone = TimeZone(identifier: "UTC")
        for (id, n, phase) in series {
            for t in 0..<n {
                let v = 20 + 5 * sin(Double(t + phase) * 2 * Double.pi / 24) + Double((t * 7 + phase) % 5)
                out += "\(id),\(f.string(from: Date(timeIntervalSince1970: Double(start + 3600 * t)))),\(v)\n"
            }
        }
        return out
    }

    @Test func newShortAndSelectedSeries() throws {
        let dir = tempDir()
        try Self.write(Self.hourly([("a", 200, 0), ("b", 180, 5)]), "\(dir)/train.csv")
        let fit = try forecast(["fit", "\(dir)/train.csv", "--id-column", "series", "--target", "value", "--horizon", "6",
                                "--lookback", "24", "--max-steps", "40", "--ensemble", "1", "--quiet", "--model", "\(dir)/m.fcm"])
        #expect(fit.status == 0, "\(fit.stderr)")

        // inspect: the panel in summary, one series in full.
        let all = try forecast(["inspect", "\(dir)/m.fcm"])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stdout.contains("2 (id column series); points min 180, median 200, max 200; hourly 2"), "\(all.stdout)")
        #expect(all.stdout.contains("standard, one per series"), "\(all.stdout)")
        let b = try forecast(["inspect", "\(dir)/m.fcm", "--series", "b"])
        #expect(b.status == 0, "\(b.stderr)")
        #expect(b.stdout.contains("'b' (id column series)") && b.stdout.contains("180 points"), "\(b.stdout)")
        #expect(b.stdout.contains("validation MAE"), "\(b.stdout)")
        let none = try forecast(["inspect", "\(dir)/m.fcm", "--series", "zz"])
        #expect(none.status == 1 && none.stderr.contains("has no series 'zz'"), "\(none.stderr)")

        // b (known), c (new), s (shorter than the lookback): one pass, each marked.
        try Self.write(Self.hourly([("b", 180, 5), ("c", 150, 9), ("s", 10, 2)]), "\(dir)/new.csv")
        let r = try forecast(["predict", "--model", "\(dir)/m.fcm", "--horizon", "6", "--data", "\(dir)/new.csv", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let rows = obj["forecasts"] as! [[String: Any]]
        #expect(rows.count == 18)
        func marks(_ id: String) -> (Bool, String?) {
            let row = rows.first { $0["id"] as? String == id }!
            return (row["new_series"] as! Bool, row["fallback"] as? String)
        }
        #expect(marks("b").0 == false && marks("b").1 == nil)
        #expect(marks("c").0 == true && marks("c").1 == nil)
        #expect(marks("s").1?.contains("fewer than the model's lookback") == true)
        #expect(r.stderr.contains("1 series the model was not trained on ('c')"), "\(r.stderr)")
        #expect(r.stderr.contains("series 's': 10 points"), "\(r.stderr)")

        // --series with --data: only those; the values equal the full run's.
        let one = try forecast(["predict", "--model", "\(dir)/m.fcm", "--horizon", "6", "--data", "\(dir)/new.csv", "--series", "c", "--format", "json"])
        #expect(one.status == 0, "\(one.stderr)")
        let oneRows = (try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as! [String: Any])["forecasts"] as! [[String: Any]]
        #expect(oneRows.map { $0["id"] as! String } == Array(repeating: "c", count: 6))
        #expect(oneRows.map { $0["value"] as! Double } == rows.filter { $0["id"] as? String == "c" }.map { $0["value"] as! Double })

        // --series without --data: a subset of the trained series; an unknown id is refused.
        let known = try forecast(["predict", "--model", "\(dir)/m.fcm", "--horizon", "3", "--series", "b"])
        #expect(known.status == 0, "\(known.stderr)")
        #expect(known.stdout.split(separator: "\n").dropFirst().allSatisfy { $0.hasPrefix("b,") })
        #expect(known.stdout.split(separator: "\n").count == 4)
        let unknown = try forecast(["predict", "--model", "\(dir)/m.fcm", "--horizon", "3", "--series", "zz"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("has no series 'zz'"), "\(unknown.stderr)")

        // A series without values is left out with a warning (even with --quiet), or is an error
        // with --fail-short-series.
        try Self.write(Self.hourly([("a", 200, 0), ("b", 180, 5)]) + "e,2024-01-01T00:00:00,\ne,2024-01-01T01:00:00,\nf,2024-01-01T03:00:00,7\n",
                       "\(dir)/empty.csv")
        let fitArgs = ["fit", "\(dir)/empty.csv", "--id-column", "series", "--target", "value", "--horizon", "6", "--lookback", "24",
                       "--max-steps", "5", "--ensemble", "1", "--combine", "network", "--quiet", "--model", "\(dir)/e.fcm"]
        let skipped = try forecast(fitArgs)
        #expect(skipped.status == 0 && skipped.stderr.contains("warning: ") && skipped.stderr.contains("series 'e': the target column has no values"), "\(skipped.stderr)")
        #expect(skipped.stderr.contains("series 'f': a series needs at least 2 rows"), "\(skipped.stderr)")
        // The model still answers for both: 'f' by naive from its one value, 'e' with missing values
        // (empty in CSV, null in JSON), each marked as a fallback.
        let both = try forecast(["predict", "--model", "\(dir)/e.fcm", "--horizon", "2", "--series", "e,f", "--format", "json"])
        #expect(both.status == 0, "\(both.stderr)")
        let bothRows = (try JSONSerialization.jsonObject(with: Data(both.stdout.utf8)) as! [String: Any])["forecasts"] as! [[String: Any]]
        #expect(bothRows.map { $0["id"] as! String } == ["e", "e", "f", "f"], "\(both.stdout)")
        #expect(bothRows[0]["value"] is NSNull && (bothRows[0]["fallback"] as? String)?.contains("no values") == true, "\(both.stdout)")
        #expect(bothRows[2]["value"] as? Double == 7 && bothRows[3]["time"] as? String == "2024-01-01T05:00:00", "\(both.stdout)")
        #expect((bothRows[2]["fallback"] as? String)?.contains("1 point, fewer than the model's lookback") == true, "\(both.stdout)")
        let given = try forecast(["predict", "--model", "\(dir)/e.fcm", "--horizon", "2", "--data", "\(dir)/empty.csv", "--series", "e,f", "--format", "json"])
        #expect(given.status == 0 && given.stdout == both.stdout, "the same with --data: \(given.stdout)\(given.stderr)")
        let csv = try forecast(["predict", "--model", "\(dir)/e.fcm", "--horizon", "2", "--series", "e"])
        #expect(csv.stdout == "series,time,value\ne,2024-01-01T02:00:00,\ne,2024-01-01T03:00:00,\n", "\(csv.stdout)")
        let strict = try forecast(fitArgs + ["--fail-short-series"])
        #expect(strict.status == 1 && strict.stderr.contains("series 'e': the target column has no values"), "\(strict.stderr)")

        // A covariate without values in one series is an error naming the series, never a bad read.
        var withCovariate = "series,time,value,x\n"
        for line in Self.hourly([("a", 60, 0), ("c", 60, 3)]).split(separator: "\n").dropFirst() {
            withCovariate += line.hasPrefix("c,") ? "\(line),\n" : "\(line),1.5\n"
        }
        try Self.write(withCovariate, "\(dir)/cov.csv")
        let cov = try forecast(["fit", "\(dir)/cov.csv", "--id-column", "series", "--target", "value", "--covariates", "x",
                                "--horizon", "6", "--lookback", "24", "--max-steps", "5", "--quiet", "--model", "\(dir)/c.fcm"])
        #expect(cov.status == 1 && cov.stderr.contains("series 'c': the covariate has no values"), "\(cov.stderr)")

        // evaluate on a ragged panel: the series too short to score are named and left out.
        let scored = try forecast(["evaluate", "\(dir)/new.csv", "--model", "\(dir)/m.fcm", "--holdout", "6", "--format", "csv"])
        #expect(scored.status == 0, "\(scored.stderr)")
        #expect(scored.stderr.contains("1 series with 30 points or fewer left out ('s')"), "\(scored.stderr)")
        let ids = Set(scored.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[0] })
        #expect(ids == ["b", "c"], "\(scored.stdout)")
        try Self.write(Self.hourly([("s", 10, 2), ("t", 20, 1)]), "\(dir)/short.csv")
        let nothing = try forecast(["evaluate", "\(dir)/short.csv", "--model", "\(dir)/m.fcm", "--holdout", "6"])
        #expect(nothing.status == 1 && nothing.stderr.contains("none of the 2 series has more"), "\(nothing.stderr)")
    }
}

/// A panel's per-series notes: the first few of each kind, then a count, not one line per series.
@Suite struct PanelNoteTests {
    @Test func perSeriesNotesAreCountedAfterAFew() throws {
        let dir = tempDir()
        // Eight series, each with one empty cell: eight notes of one kind. The last is longer.
        let ids = (0..<8).map { "s\($0)" }
        var lines = PanelCommandTests.hourly(ids.map { ($0, $0 == "s7" ? 70 : 60, 0) }).split(separator: "\n").map(String.init)
        for k in 0..<8 { let i = 1 + k * 60 + 30; lines[i] = String(lines[i][..<lines[i].lastIndex(of: ",")!]) + "," }
        try PanelCommandTests.write(lines.joined(separator: "\n") + "\n", "\(dir)/gaps.csv")
        let fit = try forecast(["fit", "\(dir)/gaps.csv", "--id-column", "series", "--target", "value", "--horizon", "4",
                                "--lookback", "12", "--max-steps", "2", "--ensemble", "1", "--combine", "network",
                                "--fill", "interpolate", "--model", "\(dir)/m.fcm"])
        #expect(fit.status == 0, "\(fit.stderr)")
        let filled = fit.stderr.split(separator: "\n").filter { $0.contains("': 1 missing values in 'value' filled") }
        #expect(filled.count == 3, "\(fit.stderr)")
        #expect(fit.stderr.contains("gaps.csv: 5 more series with missing values in 'value' filled by linear interpolation"), "\(fit.stderr)")
        // evaluate on the data the model was trained on: said once, then counted.
        let evaluate = try forecast(["evaluate", "\(dir)/gaps.csv", "--model", "\(dir)/m.fcm", "--holdout", "4",
                                     "--fill", "interpolate", "--quiet", "--format", "csv"])
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        #expect(evaluate.stderr.components(separatedBy: "inside the scored points").count == 2, "\(evaluate.stderr)")
        #expect(evaluate.stderr.contains("in series 's0', inside the scored points"), "\(evaluate.stderr)")
        #expect(evaluate.stderr.contains("warning: the same for 7 more series"), "\(evaluate.stderr)")
        // Series too short for the network: three warnings, then a count.
        try PanelCommandTests.write(PanelCommandTests.hourly([("long", 80, 0)] + (0..<6).map { ("t\($0)", 10, $0) }), "\(dir)/short.csv")
        let short = try forecast(["fit", "\(dir)/short.csv", "--id-column", "series", "--target", "value", "--horizon", "4",
                                  "--lookback", "12", "--max-steps", "2", "--ensemble", "1", "--combine", "network",
                                  "--model", "\(dir)/s.fcm"])
        #expect(short.status == 0, "\(short.stderr)")
        let skipped = short.stderr.split(separator: "\n").filter { $0.hasPrefix("warning: series 't") && $0.hasSuffix("predict still forecasts it)") }
        #expect(skipped.count == 3, "\(short.stderr)")
        #expect(short.stderr.contains("warning: 3 more series with the same warning"), "\(short.stderr)")
        // They are kept in the model: a plain predict forecasts them (marked fallback), inspect lists them.
        let predicted = try forecast(["predict", "--model", "\(dir)/s.fcm", "--horizon", "4", "--format", "json"])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        let rows = try JSONSerialization.jsonObject(with: Data(predicted.stdout.utf8)) as? [String: Any]
        let fcs = rows?["forecasts"] as? [[String: Any]] ?? []
        let rowIds = fcs.compactMap { $0["id"] as? String }
        #expect(rowIds.count == 28 && stride(from: 0, to: 28, by: 4).map { rowIds[$0] } == ["long", "t0", "t1", "t2", "t3", "t4", "t5"],
                "\(predicted.stdout.prefix(400))")
        #expect(fcs.filter { $0["fallback"] != nil }.count == 24, "\(predicted.stdout.prefix(400))")
        let one = try forecast(["predict", "--model", "\(dir)/s.fcm", "--horizon", "2", "--series", "t3"])
        #expect(one.status == 0 && one.stdout.split(separator: "\n").count == 3, "\(one.stdout)\(one.stderr)")
        let inspected = try forecast(["inspect", "\(dir)/s.fcm"])
        #expect(inspected.stdout.contains("left out of training  6 series shorter than lookback + horizon"), "\(inspected.stdout)")
        let t3 = try forecast(["inspect", "\(dir)/s.fcm", "--series", "t3"])
        #expect(t3.status == 0 && t3.stdout.contains("forecast by") && t3.stdout.contains("baseline"), "\(t3.stdout)\(t3.stderr)")
        // The span is the panel's, not the first series'.
        #expect(fit.stderr.contains("data: 8 series, 490 points, hourly, 2024-01-01T00:00:00 to 2024-01-03T21:00:00"), "\(fit.stderr)")
    }
}

/// The library's messages name Swift settings (`fill = .interpolate`); the command line prints
/// its own options instead, in errors and in notes.
@Suite struct OptionNameTests {
    @Test func libraryMessagesSpeakInOptions() throws {
        let dir = tempDir()
        try "date,v\n2024-01-01,1\n2024-01-02,\n2024-01-03,3\n".write(toFile: "\(dir)/gap.csv", atomically: true, encoding: .utf8)
        let gap = try forecast(["fit", "\(dir)/gap.csv", "--target", "v", "--horizon", "1", "--model", "\(dir)/m.fcm"])
        #expect(gap.status == 1)
        #expect(gap.stderr.contains("to fill gaps, use --fill interpolate or --fill ffill"), "\(gap.stderr)")
        #expect(!gap.stderr.contains("`"), "\(gap.stderr)")
        let rows = (0..<40).map { "202401\(String(format: "%02d", $0 % 28 + 1)),\($0)" }
        try ("date,v\n" + rows.prefix(28).joined(separator: "\n") + "\n").write(toFile: "\(dir)/compact.csv", atomically: true, encoding: .utf8)
        let compact = try forecast(["backtest", "\(dir)/compact.csv", "--target", "v", "--horizon", "2", "--folds", "1", "--max-steps", "2", "--format", "json"])
        #expect(compact.stderr.contains("use --time-format index to keep them as integers"), "\(compact.stderr)")
    }
}
