import Testing
@testable import ForecastModels

/// The seasonal-median candidate, checked against medians worked out by hand.
struct SeasonalMedianTests {
    @Test func medianOfTheLastFiveSeasonsIgnoresAnOutlier() {
        // Period 4, 23 points y[i] = i, with an outlier one season before the last at phase 3.
        var y = (0..<23).map(Double.init)
        y[15] = 1000
        let f = Baseline.seasonalMedian.forecast(y, horizon: 8, period: 4)
        // Step 0 is phase 3 (23 % 4): points 19, 15 (1000), 11, 7, 3 -> median 11.
        // Step 1 is phase 0: 20, 16, 12, 8, 4 -> 12; step 2: 21, 17, 13, 9, 5 -> 13; step 3: 22, 18, 14, 10, 6 -> 14.
        #expect(f == [11, 12, 13, 14, 11, 12, 13, 14])
        // Seasonal naive would have repeated the outlier's season.
        #expect(Baseline.seasonalNaive.forecast(y, horizon: 1, period: 4) == [19])
    }

    @Test func withoutASeasonItIsTheMedianOfTheLastFiveValues() {
        #expect(Baseline.seasonalMedian.forecast([5, 1, 9, 2, 8, 3], horizon: 3, period: 1) == [3, 3, 3])
        // Fewer seasons than five: the median of what there is (an even count averages the middle two).
        #expect(Baseline.seasonalMedian.forecast([4, 1, 7], horizon: 2, period: 2) == [1, 5.5])
        // A period longer than the history falls back to the last five values.
        #expect(Baseline.seasonalMedian.forecast([4, 1, 7], horizon: 1, period: 12) == [4])
        // Counts: a series of mostly zeros is forecast as zero, where a mean would not be.
        #expect(Baseline.seasonalMedian.forecast([3, 0, 1, 0, 0, 2, 0], horizon: 2, period: 1) == [0, 0])
    }

    @Test func missingValuesAreSkipped() {
        #expect(Baseline.seasonalMedian.forecast([1, .nan, 2], horizon: 1, period: 1) == [1.5])
        #expect(Baseline.seasonalMedian.forecast([.nan], horizon: 1, period: 1)[0].isNaN)
        #expect(Baseline.seasonalMedian.forecast([], horizon: 3, period: 1).isEmpty)
    }

    @Test func itIsACombinationCandidate() {
        #expect(Forecaster.statisticalCandidates.contains(.seasonalMedian))
        #expect(Baseline(rawValue: "seasonal_median") == .seasonalMedian)
    }
}
