import Foundation
import ForecastData

// Which series the window-scaled members forecast with the plain ones (`ForecasterConfig.scaledMembers`).
extension Forecaster {
    /// How far the size of a series' swings moved over its history: |log(b / a)|, where a and b
    /// are the mean absolute deviations of the differences at `lag` from their mean, over the
    /// first and the last quarter of those differences; `lag` is the seasonal period when the
    /// series holds more than three seasons, else 1. Missing values are left out; 0 when both
    /// quarters' deviations are 0, infinite when only one's are.
    ///
    /// A global network's scaler is fitted on the whole training part, so a series that grew (or
    /// calmed) reaches the network's recent windows at another size than most of its training
    /// windows; a window-scaled network (each window divided by its lookback's standard deviation)
    /// sees every window at one size, but loses the level information the plain one keeps. The
    /// differences' own mean is taken out so that a trend that steepens (CO₂: 0.8 ppm a year in
    /// the 1960s, 2.4 now, with the same seasonal swing) is not taken for a change of scale: the
    /// mean absolute difference itself flagged it, and the mix lost there (0.240 to 0.336 MASE
    /// ratio).
    static func scaleChange(_ values: [Double], period m: Int) -> Double {
        let y = values.filter(\.isFinite)
        let lag = y.count > 3 * m ? m : 1
        guard y.count > lag else { return 0 }
        let d = (lag..<y.count).map { y[$0] - y[$0 - lag] }
        let q = max(1, d.count / 4)
        func deviation(_ part: ArraySlice<Double>) -> Double {
            let mean = part.reduce(0, +) / Double(part.count)
            return part.reduce(0) { $0 + abs($1 - mean) } / Double(part.count)
        }
        let a = deviation(d[..<q]), b = deviation(d[(d.count - q)...])
        if a == 0 && b == 0 { return 0 }
        if a == 0 || b == 0 { return .infinity }
        return abs(log(b / a))
    }

    /// The `scaleChange` above which a series' network part is the mean of the plain and the
    /// window-scaled members' medians.
    ///
    /// Chosen by replaying the rule on rolling-origin runs with and without window scaling
    /// (seeds 42, 1, 2; `Benchmarks/accuracy/combination_study.py --second`, rule `current, scale
    /// change above T`): 0.3 and 0.4 improved the extra series (0.754 to 0.749-0.750, mean over the
    /// seeds) and the bundled ones (0.497 to 0.481-0.482) at every seed; 0.2 flagged CO₂
    /// (0.27-0.29), whose forecast the mix makes worse, and 0.5 gained less on the bundled series.
    /// 0.4 keeps a margin from CO₂. M4 Hourly's validation: 0.4393 without, 0.4396 with.
    static let scaleChangeThreshold = 0.4

    /// The lag period `scaleChange` uses for a series: the calendar's (12 for monthly data, 1 for
    /// yearly), or the primary seasonal period of `config` for integer steps.
    static func scaleChangePeriod(_ frequency: Frequency, config: ForecasterConfig) -> Int {
        if case .steps = frequency { return max(1, config.seasonalPeriod ?? 1) }
        return frequency.seasonalPeriod
    }

    /// Whether the scale of `s` changed (`scaleChange` over its whole history above
    /// `scaleChangeThreshold`).
    static func scaleChanged(_ s: TimeSeries, config: ForecasterConfig) -> Bool {
        scaleChange(s.targetValues(0..<s.count), period: scaleChangePeriod(s.frequency, config: config)) > scaleChangeThreshold
    }
}
