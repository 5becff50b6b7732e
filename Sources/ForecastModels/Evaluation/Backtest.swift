import ForecastData
import ForecastMetrics

/// Rolling-origin evaluation with an expanding window: fold k trains on everything before its origin
/// and forecasts the next `horizon` points; origins step back from the end by one horizon per fold.
///
///     let r = try Backtest.run(series, config: ForecasterConfig(horizon: 12), folds: 4)
///     r.overall["network"]?["mase"]
public enum Backtest {
    /// The metrics reported per model: MAE, RMSE, sMAPE, MASE, RMSSE, bias.
    public static let metricNames = ["mae", "rmse", "smape", "mase", "rmsse", "bias"]

    /// One fold's scores.
    public struct Fold: Sendable {
        /// Points the fold trained on.
        public var trainCount: Int
        /// The first forecast time, formatted.
        public var origin: String
        /// Metric name → value per model ("network" and each baseline); `nil` where undefined.
        public var scores: [String: [String: Double?]]
        /// Empirical coverage of the network's intervals, by level.
        public var coverage: [Double: Double]
        /// Mean Winkler score of the network's intervals, by level.
        public var winkler: [Double: Double]
        /// The network's forecast for the fold.
        public var forecast: [Double]
        /// The network's intervals for the fold.
        public var bands: [PredictionInterval]
    }

    /// All folds and their averages.
    public struct Result: Sendable {
        public var folds: [Fold]
        /// Model names in report order.
        public var models: [String]
        /// Mean over folds of each metric (over the folds where it is defined).
        public var overall: [String: [String: Double?]]
        /// Mean coverage over folds, by level.
        public var coverage: [Double: Double]
    }

    /// Runs `folds` folds. With `refit` false the network is trained once, on the first fold's data,
    /// and only its inputs move forward.
    ///
    /// - Throws: `ForecastError` of kind `interrupted` when `hooks.shouldStop` asks to stop (training then ends early, so
    ///   no fold from that point on would be scored with a fully trained network: nothing is returned).
    ///   `configuration` for too few points; `training` when training diverges.
    public static func run(_ series: TimeSeries, config: ForecasterConfig, folds: Int, refit: Bool = true,
                           levels: [Double] = [0.8, 0.95], hooks: TrainingHooks = TrainingHooks()) throws -> Result {
        guard folds >= 1 else { throw ForecastError.configuration("folds must be at least 1, got \(folds)") }
        let H = config.horizon
        let m = config.seasonalPeriod ?? series.seasonalPeriod
        let firstOrigin = series.count - folds * H
        guard firstOrigin > H else {
            throw ForecastError.configuration("\(folds) folds of \(H) points need more than \((folds + 1) * H) points; the series has \(series.count)")
        }
        var models = ["network"] + Baseline.allCases.map(\.rawValue)
        var result = Result(folds: [], models: models, overall: [:], coverage: [:])
        var fixed: Forecaster?
        for k in 0..<folds {
            let origin = firstOrigin + k * H
            let train = series.prefix(origin)
            let actual = Array(series.target[origin..<(origin + H)])
            var warnings: [String] = []
            let model: Forecaster
            let stop = { hooks.shouldStop?() == true }
            if stop() { throw ForecastError.interrupted("the backtest in fold \(k + 1)") }
            if let fixed, !refit { model = fixed } else {
                model = try Forecaster.fit([train], config: config, hooks: hooks, warnings: &warnings)
                if stop() || model.summary.interrupted { throw ForecastError.interrupted("the backtest in fold \(k + 1)") }
                fixed = model
            }
            let fc = try model.predict(horizon: H, history: [train], future: [series], intervals: levels, shouldStop: stop)[0]
            var predictions: [(String, [Double])] = [("network", fc.values)]
            for b in Baseline.allCases { predictions.append((b.rawValue, b.forecast(train.target, horizon: H, period: m))) }
            var scores: [String: [String: Double?]] = [:]
            for (name, p) in predictions {
                scores[name] = [
                    "mae": Metrics.mae(actual: actual, predicted: p), "rmse": Metrics.rmse(actual: actual, predicted: p),
                    "smape": Metrics.smape(actual: actual, predicted: p),
                    "mase": Metrics.mase(actual: actual, predicted: p, insample: train.target, period: m),
                    "rmsse": Metrics.rmsse(actual: actual, predicted: p, insample: train.target, period: m),
                    "bias": Metrics.bias(actual: actual, predicted: p),
                ]
            }
            var coverage: [Double: Double] = [:], winkler: [Double: Double] = [:]
            for band in fc.intervals {
                coverage[band.level] = Metrics.coverage(actual: actual, lower: band.lower, upper: band.upper)
                winkler[band.level] = Metrics.winkler(actual: actual, lower: band.lower, upper: band.upper, level: band.level)
            }
            result.folds.append(Fold(trainCount: origin, origin: series.formattedTime(origin), scores: scores,
                                     coverage: coverage, winkler: winkler, forecast: fc.values, bands: fc.intervals))
        }
        models = result.models
        for name in models {
            var avg: [String: Double?] = [:]
            for metric in metricNames {
                let values = result.folds.compactMap { $0.scores[name]?[metric] ?? nil }
                avg[metric] = values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
            }
            result.overall[name] = avg
        }
        for level in levels {
            let values = result.folds.compactMap { $0.coverage[level] }
            if !values.isEmpty { result.coverage[level] = values.reduce(0, +) / Double(values.count) }
        }
        return result
    }
}
