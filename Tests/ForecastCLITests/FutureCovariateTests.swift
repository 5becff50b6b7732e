import Foundation
import Testing

/// `--future-covariates` end to end: a daily series that jumps on holidays, fitted with the holiday
/// column as a known-future input, then forecast from a `--data` file whose rows after the history
/// (target empty) carry the holidays to come; and the bad inputs on that path.
@Suite(.serialized) struct FutureCovariateTests {
    /// Days of history: 2021-01-01 to 2023-12-31.
    static let days = 3 * 365

    /// "YYYY-MM-DD" of day `i` after 2021-01-01.
    static func date(_ i: Int) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: Date(timeIntervalSince1970: 1_609_459_200 + Double(i) * 86_400))
    }

    /// A CSV `date,sales,holiday`: `days` rows of history (a weekly pattern, +25 on holidays, about
    /// one day in nine at irregular intervals, none in the last four weeks), then `future` rows with
    /// the target empty and the holiday cell from `holiday(k)` (nil: empty) for future row k.
    static func csv(future: Int = 0, holiday: (Int) -> Int? = { _ in 0 }) -> String {
        var text = "date,sales,holiday\n"
        for i in 0..<days {
            let h = ((i * 2_654_435_761) >> 16) % 9 == 0 && i < days - 28 ? 1 : 0
            let noise = 0.4 * sin(Double(i) * 12.9898) * cos(Double(i) * 4.1414)
            let y = 20 + 3 * sin(2 * Double.pi * Double(i) / 7) + 25 * Double(h) + noise
            text += "\(date(i)),\(String(format: "%.3f", y)),\(h)\n"
        }
        for k in 0..<future { text += "\(date(days + k)),,\(holiday(k).map(String.init) ?? "")\n" }
        return text
    }

    /// Fits a small, quick model with the holiday column as a future covariate; `--combine network`
    /// because only the network reads it (a statistical choice would ignore the holidays).
    func fit(_ file: String, horizon: Int, model: String) throws {
        let r = try forecast(["fit", file, "--target", "sales", "--horizon", "\(horizon)", "--future-covariates", "holiday",
                              "--combine", "network", "--max-steps", "300", "--hidden", "16", "--threads", "1", "--quiet",
                              "--model", model])
        #expect(r.status == 0, "\(r.stderr)")
    }

    /// Runs a failing command and checks the exit code, that the error is one line containing every
    /// piece of `message`, and that `dir` gained no file.
    func expectFailure(_ args: [String], message: [String], dir: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = files(in: dir)
        let r = try forecast(args)
        #expect(r.status == 1, "\(r.stderr)", sourceLocation: sourceLocation)
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("forecast: error: ") }
        #expect(errors.count == 1, "stderr was: \(r.stderr)", sourceLocation: sourceLocation)
        for piece in message {
            #expect(errors.first?.contains(piece) == true, "'\(piece)' missing; stderr was: \(r.stderr)", sourceLocation: sourceLocation)
        }
        #expect(files(in: dir) == before, "a file was written", sourceLocation: sourceLocation)
    }

    @Test func holidayInTheFutureRowsLiftsItsStep() throws {
        let dir = tempDir()
        // One file for both: fit trims the trailing rows without a target, predict reads them.
        let data = write(Self.csv(future: 14, holiday: { $0 == 8 ? 1 : 0 }), "sales.csv", in: dir)
        try fit(data, horizon: 14, model: "\(dir)/m.fcm")
        let info = try forecast(["inspect", "\(dir)/m.fcm"])
        #expect(info.stdout.contains("2021-01-01 to 2023-12-31, 1095 points"), "\(info.stdout)")
        #expect(info.stdout.contains("holiday"))

        let p = try forecast(["predict", "--model", "\(dir)/m.fcm", "--horizon", "14", "--data", data, "--output", "\(dir)/f.csv"])
        #expect(p.status == 0, "\(p.stderr)")
        let lines = try String(contentsOfFile: "\(dir)/f.csv", encoding: .utf8).split(separator: "\n")
        try #require(lines.count == 15, "\(lines)")
        #expect(lines[0] == "date,sales")
        #expect(lines[1].hasPrefix("2024-01-01,") && lines[14].hasPrefix("2024-01-14,"))
        let values = lines.dropFirst().map { Double($0.split(separator: ",")[1])! }
        // A holiday adds 25 in the training data; the weekly pattern moves the rest by +-3.
        #expect(values[8] > values[7] + 10 && values[8] > values[9] + 10, "\(values)")
        #expect(values.enumerated().allSatisfy { $0.offset == 8 || $0.element < values[8] - 10 }, "\(values)")

        // The same future without the holiday: no lift, so it came from the future row.
        let plain = write(Self.csv(future: 14), "plain.csv", in: dir)
        let q = try forecast(["predict", "--model", "\(dir)/m.fcm", "--horizon", "14", "--data", plain])
        #expect(q.status == 0, "\(q.stderr)")
        let control = q.stdout.split(separator: "\n").dropFirst().map { Double($0.split(separator: ",")[1])! }
        try #require(control.count == 14)
        #expect(control[8] < values[8] - 10, "\(control) vs \(values)")

        // evaluate scores held-out rows, which carry their own holiday values.
        let e = try forecast(["evaluate", data, "--model", "\(dir)/m.fcm", "--holdout", "14"])
        #expect(e.status == 0 && e.stdout.contains("network"), "\(e.stderr)")
    }

    @Test func missingFutureCovariateColumnAtFit() throws {
        let dir = tempDir()
        var text = ""
        for line in Self.csv().split(separator: "\n") { text += line.split(separator: ",").prefix(2).joined(separator: ",") + "\n" }
        let file = write(text, "no-holiday.csv", in: dir)
        try expectFailure(["fit", file, "--target", "sales", "--horizon", "7", "--future-covariates", "holiday", "--max-steps", "10",
                           "--quiet", "--model", "\(dir)/m.fcm"],
                          message: ["no-holiday.csv", "'holiday'", "no such column"], dir: dir)
    }

    @Test func futureRowsThatDoNotCoverTheHorizon() throws {
        let dir = tempDir()
        try fit(write(Self.csv(), "train.csv", in: dir), horizon: 7, model: "\(dir)/m.fcm")
        // Three future rows for seven steps: the fourth step, 2024-01-04, has no holiday value.
        let short = write(Self.csv(future: 3), "short.csv", in: dir)
        try expectFailure(["predict", "--model", "\(dir)/m.fcm", "--horizon", "7", "--data", short, "--output", "\(dir)/f.csv"],
                          message: ["short.csv: ", "'holiday'", "2024-01-04"], dir: dir)
        // An empty holiday cell among the future rows (2024-01-06), also with --fill: future values are never filled.
        let hole = write(Self.csv(future: 14, holiday: { $0 == 5 ? nil : 0 }), "hole.csv", in: dir)
        for fill in ["error", "interpolate"] {
            try expectFailure(["predict", "--model", "\(dir)/m.fcm", "--horizon", "7", "--data", hole, "--fill", fill, "--output", "\(dir)/f.csv"],
                              message: ["hole.csv: ", "'holiday'", "2024-01-06"], dir: dir)
        }
        // The empty cell past the horizon does not matter.
        let p = try forecast(["predict", "--model", "\(dir)/m.fcm", "--horizon", "5", "--data", hole, "--output", "\(dir)/f.csv"])
        #expect(p.status == 0, "\(p.stderr)")
        // History only: the first forecast step has no holiday value.
        let train = "\(dir)/train.csv"
        try expectFailure(["predict", "--model", "\(dir)/m.fcm", "--horizon", "7", "--data", train, "--output", "\(dir)/g.csv"],
                          message: ["train.csv: ", "'holiday'", "2024-01-01"], dir: dir)
    }

    @Test func predictWithoutDataNeedsTheFutureRows() throws {
        let dir = tempDir()
        try fit(write(Self.csv(), "train.csv", in: dir), horizon: 7, model: "\(dir)/m.fcm")
        try expectFailure(["predict", "--model", "\(dir)/m.fcm", "--horizon", "7", "--output", "\(dir)/f.csv"],
                          message: ["m.fcm", "future covariates (holiday)", "--data"], dir: dir)
    }
}
