import Foundation
import Testing

/// `fit --format json`: the fit's summary for programs on stdout (docs/output.md, forecast.fit/1).
@Suite struct FitReportTests {
    @Test func oneSeriesSummary() throws {
        let dir = tempDir()
        let r = try forecast(["fit", airline, "--target", "passengers", "--horizon", "6", "--max-steps", "20",
                              "--holdout", "6", "--quiet", "--format", "json", "--model", "\(dir)/m.fcm"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "--quiet leaves stderr empty: \(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(obj["schema"] as? String == "forecast.fit/1")
        #expect(obj["model"] as? String == "\(dir)/m.fcm" && FileManager.default.fileExists(atPath: "\(dir)/m.fcm"))
        #expect(obj["series"] as? Int == 1 && obj["points"] as? Int == 138 && obj["id_column"] is NSNull)
        #expect(obj["first_time"] as? String == "1949-01-01" && obj["last_time"] as? String == "1960-06-01")
        #expect(obj["seasonal_periods"] as? [Int] == [12] && obj["horizon"] as? Int == 6)
        let members = try #require(obj["ensemble"] as? [[String: Any]])
        // Airline's scale changed: two window-scaled members after the two plain ones.
        #expect(members.count == 4 && members.allSatisfy { ($0["steps"] as? Int ?? 0) > 0 })
        #expect(members.map { $0["window_scaled"] as? Bool } == [false, false, true, true])
        let choices = try #require(obj["choices"] as? [[String: Any]])
        #expect(choices.count == 1 && choices[0]["scale_changed"] as? Bool == true)
        let errors = try #require(choices[0]["validation_mae"] as? [String: Double])
        #expect(Set(errors.keys).isSuperset(of: ["network", "seasonal_naive", "theta", "damped_ets", "holt_winters", "auto_ets", "seasonal_median"]))
        let chosen = try #require(choices[0]["choice"] as? String)
        #expect((obj["choice_counts"] as? [String: Int]) == [chosen: 1])
    }

    @Test func panelSummaryListsEverySeriesAndCSVIsRefused() throws {
        let dir = tempDir()
        try PanelCommandTests.write(PanelCommandTests.hourly([("a", 120, 0), ("b", 100, 5), ("c", 110, 2)]), "\(dir)/p.csv")
        let r = try forecast(["fit", "\(dir)/p.csv", "--id-column", "series", "--target", "value", "--horizon", "6",
                              "--lookback", "24", "--max-steps", "10", "--ensemble", "1", "--json", "--model", "\(dir)/m.fcm"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("model written to"), "the human summary stays on stderr: \(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(obj["series"] as? Int == 3 && obj["id_column"] as? String == "series")
        let ids = (obj["choices"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(ids == ["a", "b", "c"])
        #expect((obj["choice_counts"] as? [String: Int])?.values.reduce(0, +) == 3)
        let csv = try forecast(["fit", "\(dir)/p.csv", "--id-column", "series", "--target", "value", "--horizon", "6",
                                "--format", "csv", "--model", "\(dir)/m2.fcm"])
        #expect(csv.status == 2 && csv.stderr.contains("csv") && csv.stderr.contains("table"), "\(csv.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/m2.fcm"))
    }
}
