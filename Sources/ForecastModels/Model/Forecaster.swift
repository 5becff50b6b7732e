import Foundation
import ForecastData
import ForecastNN

/// What a forecaster remembers about one training series: its scalers and its last `lookback`
/// observations, so that it can forecast after the data without being given it again.
package struct SeriesState: Sendable, Codable, Equatable {
    package var id: String?
    package var frequency: Frequency
    package var timeFormat: TimeFormat
    package var targetScaler: Scaler
    package var covariateScalers: [Scaler]
    /// Timestamps of the tail.
    package var tailTimes: [Int64]
    /// Target values of the tail (original units).
    package var tailTarget: [Double]
    /// Covariate values of the tail, one array per covariate.
    package var tailCovariates: [[Double]]
    /// The first and last training timestamps, formatted.
    package var firstTime: String
    package var lastTime: String
    package var count: Int
    /// The period of the seasonal-naive forecast the network corrects for this series (1: the last
    /// value), chosen on its training part; absent in files of format 1 (the configuration's period).
    package var baselinePeriod: Int?
    /// Forecasts and interval bounds are clipped at 0 (every training value was >= 0 and negative
    /// forecasts were not allowed); absent in files of format 1 (no clipping).
    package var nonNegative: Bool?
    /// What forecasts this series (`Baseline` raw value of a statistical model, or "network"),
    /// chosen on validation origins by the combination; absent: the network.
    package var choice: String?
    /// Validation MAE of each candidate (original units), behind `choice`.
    package var validationErrors: [String: Double]?
    /// The chosen statistical model's forecast after the training data (when `choice` is one).
    package var statForecast: [Double]?
    /// The chosen statistical model's weight in a blend with the network (`CombineMode.weights`);
    /// absent: 1, the statistical model alone.
    package var statWeight: Double?
    /// Sorted absolute errors (original units) of the combination's forecast at the validation
    /// origins it was chosen on, pooled over the horizon steps: the calibration scores of this
    /// series' intervals. Absent (format 1, `CombineMode.network`, too short a series): the
    /// network's validation residuals calibrate them.
    package var calibrationErrors: [Double]?
}

/// One network of an ensemble: its weights, the lookback it reads and how it was trained.
///
/// `@unchecked Sendable` because `any SequenceModel` is a class with training buffers, which the
/// compiler cannot check. It is sound for how a `Forecaster` uses it: the network is trained
/// before the member is made, and afterwards only `SequenceModel.predict` runs on it, which reads
/// the weights and writes only to the caller's `InferenceWorkspace` (ConcurrentPredictTests, and
/// scripts/tsan_predict.sh under ThreadSanitizer). Calling `forward`/`backward` on a shared
/// member's network, or changing its weights, while other tasks predict with it is a data race.
package struct EnsembleMember: @unchecked Sendable {
    /// The trained network.
    package let network: any SequenceModel
    /// The input steps it reads.
    package let lookback: Int
    /// The seed of its weights and shuffling.
    package let seed: UInt64
    /// What its training did.
    package let summary: TrainingSummary
}

/// Which forecast `Forecaster.predict` returns for each series.
public enum ForecastSource: Sendable, Equatable {
    /// What the combination chose per series (the default).
    case combination
    /// The ensemble's median, whatever the combination chose.
    case network
    /// A statistical model fitted to the series' history, whatever the combination chose.
    case model(Baseline)

    /// "combination", "network" or the model's name ("theta").
    public var name: String {
        switch self {
        case .combination: return "combination"
        case .network: return "network"
        case .model(let b): return b.rawValue
        }
    }

    /// The source called `name` (as `name` spells it), if any.
    public init?(name: String) {
        switch name {
        case "combination": self = .combination
        case "network": self = .network
        default:
            guard let b = Baseline(rawValue: name) else { return nil }
            self = .model(b)
        }
    }
}

/// A forecast for one series.
public struct Forecast: Sendable {
    /// The series identifier (panels).
    public var id: String?
    /// Future timestamps, one per step.
    public var timestamps: [Int64]
    /// How to print them.
    public var timeFormat: TimeFormat
    /// Point forecasts.
    public var values: [Double]
    /// Central prediction intervals, one per requested coverage level, in the order asked.
    public var intervals: [PredictionInterval]
    /// Steps past the trained horizon were produced by feeding forecasts back as inputs.
    public var recursive: Bool
    /// The model was not trained on this series: the network forecast it from the given history
    /// alone (scalers and baseline period fitted on that history, no combination with statistical
    /// models), or, when `fallbackReason` is set, a baseline did. A global model forecasts new
    /// series of the same kind this way.
    public var isNewSeries = false
    /// Why this series got a simple fallback instead of the model's forecast (in a panel, a history
    /// shorter than the model's lookback), or nil.
    public var fallbackReason: String? = nil

    /// The timestamps as dates (UTC), for a calendar time column; nil for integer steps.
    public var dates: [Date]? {
        timeFormat == .index ? nil : timestamps.map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// The interval at coverage `level` (a fraction: 0.95), if `predict` was asked for it.
    ///
    ///     let band = try model.predict(horizon: 12, intervals: [0.8, 0.95])[0].interval(level: 0.95)
    public func interval(level: Double) -> PredictionInterval? {
        intervals.first { abs($0.level - level) < 1e-9 }
    }
}

/// A central prediction interval: per forecast step, bounds that hold the actual value with
/// probability `level` (calibrated on validation errors).
public struct PredictionInterval: Sendable, Equatable {
    /// The nominal coverage, a fraction (0.8 for 80 %).
    public var level: Double
    /// Lower bounds, one per step.
    public var lower: [Double]
    /// Upper bounds, one per step.
    public var upper: [Double]

    public init(level: Double, lower: [Double], upper: [Double]) {
        self.level = level
        self.lower = lower
        self.upper = upper
    }
}

/// A trained sequence-to-sequence forecaster: the network, the data's description, and the
/// validation residuals behind its prediction intervals. Darts' two verbs:
///
///     let model = try Forecaster.fit([series], config: ForecasterConfig(horizon: 12))
///     let forecast = try model.predict(horizon: 12)
///
/// Immutable once made: `predict` may be called from any number of tasks at once, and each call
/// returns exactly what it would alone (every call predicts into its own `InferenceWorkspace`).
public final class Forecaster: Sendable {
    /// The configuration, with every default resolved.
    public let config: ForecasterConfig
    /// The networks of the ensemble (one unless `ForecasterConfig.ensembleSize` says more); the
    /// forecast is their median.
    package let members: [EnsembleMember]
    /// The first member's network.
    package var network: any SequenceModel { members[0].network }
    /// Names of the data columns.
    public let targetName: String
    public let covariateNames: [String]
    public let timeColumn: String
    public let idColumn: String?
    /// Per-series state, in training order.
    package let series: [SeriesState]
    /// For each horizon step, the sorted absolute validation residuals in scaled units
    /// (split-conformal calibration scores).
    public let residuals: [[Float]]
    /// What training did (the first member; `seconds` is the wall time of the whole fit).
    public let summary: TrainingSummary
    /// Notes from `fit` for the user: skipped short series, settings it had to change, a missing
    /// validation split. Not saved in model files (empty after `ModelFile.read`).
    public let warnings: [String]

    init(config: ForecasterConfig, members: [EnsembleMember], targetName: String, covariateNames: [String],
         timeColumn: String, idColumn: String?, series: [SeriesState], residuals: [[Float]], summary: TrainingSummary,
         warnings: [String] = []) {
        self.warnings = warnings
        self.config = config
        self.members = members
        self.targetName = targetName
        self.covariateNames = covariateNames
        self.timeColumn = timeColumn
        self.idColumn = idColumn
        self.series = series
        self.residuals = residuals
        self.summary = summary
    }

    /// The same forecaster with other per-series states (the combination's choices).
    package func with(series: [SeriesState]) -> Forecaster {
        Forecaster(config: config, members: members, targetName: targetName, covariateNames: covariateNames,
                   timeColumn: timeColumn, idColumn: idColumn, series: series, residuals: residuals, summary: summary,
                   warnings: warnings)
    }

    var lookback: Int { config.lookback! }
    /// The seasonal periods and whether they were detected or given: "24, 168 (detected)".
    public var periodsDescription: String { ForecasterConfig.describePeriods(config) }
    /// Covariates fed to the decoder for the forecast steps (a suffix of `covariateNames`).
    var futureCovariateNames: [String] { config.futureCovariates ?? [] }
    var pastCovariateCount: Int { covariateNames.count - futureCovariateNames.count }
    var calendar: CalendarFeatures {
        CalendarFeatures(frequency: series[0].frequency, periods: config.seasonalPeriods ?? [],
                         enabled: config.calendarFeatures ?? false, length: series.map(\.count).max()!)
    }
    /// The window encoding of a member with lookback `L`.
    func encoding(lookback L: Int) -> WindowEncoding {
        WindowEncoding(lookback: L, horizon: config.horizon, features: 1 + pastCovariateCount,
                       futureSize: calendar.count + futureCovariateNames.count, baseline: config.baseline)
    }

    /// The split-conformal half-width for step h (0-based) at coverage `level`, in scaled units:
    /// the ⌈(n+1)·level⌉-th smallest calibration residual. Past the trained horizon the last step's
    /// width grows with √(h/H), the random-walk rate.
    public func intervalHalfWidth(step h: Int, level: Double) -> Double {
        let H = config.horizon
        let scores = residuals[min(h, H - 1)]
        guard !scores.isEmpty else { return .nan }
        let base = Self.conformalQuantile(scores.map(Double.init), level: level)
        return h < H ? base : base * (Double(h + 1) / Double(H)).squareRoot()
    }

    /// The ⌈(n+1)·level⌉-th smallest of the `sorted` scores (the largest when that exceeds n).
    static func conformalQuantile(_ sorted: [Double], level: Double) -> Double {
        let k = min(sorted.count, Int((Double(sorted.count + 1) * level).rounded(.up)))
        return sorted[max(0, k - 1)]
    }

    /// Forecasts `horizon` steps after the end of each training series (or after `history`, which
    /// replaces the stored tails: series matched to the training series by id; a series the model
    /// was not trained on is forecast by the network from its own history, see
    /// `Forecast.isNewSeries`).
    ///
    /// For a panel model (trained with an id column) or a `history` of several series, a series
    /// shorter than the model's lookback gets a seasonal-naive forecast (naive when it holds less
    /// than one season), with intervals from its own seasonal-naive errors, and
    /// `Forecast.fallbackReason` says so (the answer does not depend on which other series come
    /// with it); for a single-series model, one series that short is an error.
    ///
    /// Up to the trained horizon the network forecasts directly; beyond it forecasts are fed back
    /// as inputs (covariates held at their last value), and `Forecast.recursive` says so. A model
    /// trained with future covariates needs their values for every forecast step: `future` holds
    /// them (one series per forecast series, matched by id, whose timestamps cover the steps).
    /// `source` overrides what the combination chose (to compare candidates); a statistical model
    /// that was not chosen needs the whole `history`, since the model keeps only the series' tails.
    /// `shouldStop` is polled once per trained horizon of output; when it returns true the call
    /// throws a `ForecastError` of kind `interrupted`.
    ///
    /// - Throws: `ForecastError` (`configuration`) for bad arguments, missing future values, or a forecast whose
    ///   buffers would not fit in `memoryLimit` bytes (checked before anything is allocated).
    public func predict(horizon: Int, history: [TimeSeries]? = nil, future: [TimeSeries]? = nil,
                        intervals levels: [Double] = [], source: ForecastSource = .combination,
                        shouldStop: (() -> Bool)? = nil) throws -> [Forecast] {
        guard horizon >= 1 && horizon <= 100_000 else {
            throw ForecastError.configuration("the forecast horizon must be between 1 and 100000, got \(horizon)")
        }
        for l in levels where !(l > 0 && l < 1) {
            throw ForecastError.configuration("interval levels are fractions between 0 and 1 (0.8 for 80 %), got \(l)")
        }
        let L = lookback, H = config.horizon, F = 1 + pastCovariateCount
        if let history, history.count > 1 || idColumn != nil, history.contains(where: { $0.count < L }) {
            // Panel (a panel model, or several series): the short series fall back to a baseline;
            // the rest are forecast together.
            let usable = history.filter { $0.count >= L }
            var model = usable.isEmpty ? [] : try predict(horizon: horizon, history: usable, future: future,
                                                         intervals: levels, source: source, shouldStop: shouldStop)[...]
            return history.map { s in
                s.count >= L ? model.removeFirst() : fallbackForecast(s, horizon: horizon, levels: levels)
            }
        }
        let futureNames = futureCovariateNames
        var series = self.series
        if source != .combination {
            for i in series.indices {
                let chosen = series[i].choice
                series[i].statWeight = nil
                switch source {
                case .model(let b):
                    series[i].choice = b.rawValue
                    if chosen != b.rawValue { series[i].statForecast = nil }
                    if history == nil && chosen != b.rawValue {
                        throw ForecastError.configuration("forecasting with \(b.rawValue) needs the series' whole history (the model keeps only its last \(L) points): give it as history")
                    }
                default:
                    series[i].choice = nil
                }
            }
        }
        // The context of each series: stored tails, or the given history.
        var contexts: [(state: SeriesState, times: [Int64], target: [Double], covariates: [[Double]])] = []
        var fullHistory: [TimeSeries] = []
        var isNew: [Bool] = []
        if let history {
            var index: [String: Int] = [:]
            for (i, state) in series.enumerated() where index[state.id ?? ""] == nil { index[state.id ?? ""] = i }
            for s in history {
                guard s.count >= L else {
                    throw ForecastError.configuration("\(s.id.map { "series '\($0)'" } ?? "the data") has \(s.count) points; the model needs at least its lookback of \(L)")
                }
                var state: SeriesState
                if let i = index[s.id ?? ""] ?? (series.count == 1 && history.count == 1 ? 0 : nil) {
                    state = series[i]
                    isNew.append(false)
                } else {
                    state = newSeriesState(s)
                    if case .model(let b) = source { state.choice = b.rawValue }
                    isNew.append(true)
                }
                let tail = Self.orderingCovariates(s.suffix(L), future: futureNames)
                fullHistory.append(s)
                contexts.append((state, tail.timestamps, tail.target, tail.covariates))
            }
        } else {
            contexts = series.map { ($0, $0.tailTimes, $0.tailTarget, $0.tailCovariates) }
            isNew = series.map { _ in false }
        }
        let B = contexts.count
        let cal = calendar
        let Ff = encoding(lookback: L).futureSize
        let steps = (horizon + H - 1) / H * H
        let needed = Self.predictionBytes(series: B, steps: steps, futureSize: Ff, levels: levels.count)
        if needed > Self.memoryLimit {
            throw ForecastError.configuration("a \(horizon)-step forecast of \(B) series needs about \(Self.gigabytes(needed)) of memory, more than the \(Self.gigabytes(Self.memoryLimit)) allowed (half the machine's memory, or FORECAST_MEMORY_LIMIT bytes); forecast fewer steps or series")
        }
        // Known-future rows (calendar features, then future covariates scaled), per series and step.
        var futureRows = [[Float]](repeating: [], count: B)
        for (b, c) in contexts.enumerated() {
            var rows = [Float](repeating: 0, count: steps * Ff)
            let last = c.times.last!
            let given: TimeSeries? = futureNames.isEmpty ? nil
                : future?.first(where: { $0.id == c.state.id }) ?? (future?.count == 1 ? future![0] : nil)
            if !futureNames.isEmpty && given == nil {
                throw ForecastError.configuration("the model needs future values of \(futureNames.joined(separator: ", ")) for the forecast steps\(c.state.id.map { " of series '\($0)'" } ?? ""); give rows after the history that carry them")
            }
            var lookup: [Int64: Int] = [:]
            if let given { for (i, t) in given.timestamps.enumerated() { lookup[t] = i } }
            rows.withUnsafeMutableBufferPointer { r in
                for k in 0..<steps { cal.write(c.state.frequency.advance(last, by: k + 1), frequency: c.state.frequency, to: r.baseAddress! + k * Ff) }
            }
            for (j, name) in futureNames.enumerated() {
                let scaler = c.state.covariateScalers[pastCovariateCount + j]
                let column = given!.covariateNames.firstIndex(of: name)
                for k in 0..<steps {
                    let t = c.state.frequency.advance(last, by: k + 1)
                    guard let column, let i = lookup[t], !given!.covariates[column][i].isNaN else {
                        guard k < horizon else { continue }   // steps past the requested horizon are not used
                        throw ForecastError.configuration("the future covariate '\(name)' has no value for \(c.state.timeFormat.format(t))\(c.state.id.map { " in series '\($0)'" } ?? ""); the model needs it for every forecast step")
                    }
                    rows[k * Ff + cal.count + j] = Float(scaler.transform(given!.covariates[column][i]))
                }
            }
            futureRows[b] = rows
        }
        var forecasts: [Forecast] = []
        var scaledTarget = contexts.map { c in c.target.map { Float(c.state.targetScaler.transform($0)) } }
        let scaledCov = contexts.map { c in (0..<(F - 1)).map { k in c.covariates[k].map { Float(c.state.covariateScalers[k].transform($0)) } } }
        var outputs = [[Float]](repeating: [], count: B)
        let fx = FloatBuffer(count: max(1, H * B * Ff))
        let xs = members.map { FloatBuffer(count: $0.lookback * B * F) }
        // This call's scratch: the networks are only read, so concurrent calls share nothing they write.
        let workspace = InferenceWorkspace()
        var perMember = [Float](repeating: 0, count: members.count)
        while outputs[0].count < horizon {
            if shouldStop?() == true { throw ForecastError.interrupted("the forecast") }
            // Window b of member k: the last L_k points of target (observed + forecast so far).
            var bases = [[Float]](repeating: [], count: B)
            for b in 0..<B {
                let n = scaledTarget[b].count
                for (k, member) in members.enumerated() {
                    let Lk = member.lookback
                    var values = [Float](repeating: 0, count: Lk * F)
                    for t in 0..<Lk {
                        values[t * F] = scaledTarget[b][n - Lk + t]
                        for j in 0..<(F - 1) {
                            let col = scaledCov[b][j]
                            values[t * F + 1 + j] = col[min(col.count - 1, col.count - Lk + t + (n - contexts[b].target.count))]
                        }
                    }
                    let enc = encoding(lookback: Lk)
                    values.withUnsafeBufferPointer { v in
                        enc.fillInput(xs[k].pointer, batch: B, slot: b, values: v.baseAddress!, start: 0)
                        if k == 0 {
                            bases[b] = enc.baselines(values: v.baseAddress!, start: 0,
                                                     period: contexts[b].state.baselinePeriod ?? config.seasonalPeriod!)
                        }
                    }
                }
                if Ff > 0 {
                    let done = outputs[b].count
                    futureRows[b].withUnsafeBufferPointer { r in
                        encoding(lookback: L).fillFuture(fx.pointer, batch: B, slot: b, rows: r.baseAddress! + done * Ff)
                    }
                }
            }
            // Each member's output; the forecast is the baseline plus their median.
            var ys: [[Float]] = []
            for (k, member) in members.enumerated() {
                let y = member.network.predict(xs[k].pointer, future: Ff > 0 ? UnsafePointer(fx.pointer) : nil,
                                               lookback: member.lookback, batch: B, workspace: workspace)
                ys.append(withExtendedLifetime(workspace) { Array(UnsafeBufferPointer(start: y, count: H * B)) })
            }
            for b in 0..<B {
                for h in 0..<H {
                    for k in 0..<members.count { perMember[k] = ys[k][h * B + b] }
                    outputs[b].append(bases[b][h] + median(&perMember))
                }
                scaledTarget[b].append(contentsOf: outputs[b].suffix(H))
            }
        }
        for (b, c) in contexts.enumerated() {
            let s = c.state.targetScaler
            let floor = c.state.nonNegative == true ? 0.0 : -Double.infinity
            var values = outputs[b].prefix(horizon).map { s.inverse(Double($0)) }
            if let choice = c.state.choice, let model = Baseline(rawValue: choice) {
                // The combination chose a statistical model for this series (alone, or blended with
                // the network with weight `statWeight`).
                let path = history == nil ? (c.state.statForecast ?? [])
                    : statisticalForecast(model, history: fullHistory[b].target, horizon: horizon, state: c.state)
                let w = c.state.statWeight ?? 1
                for h in 0..<min(horizon, path.count) { values[h] = w * path[h] + (1 - w) * values[h] }
            }
            // Not max(floor, v): Swift's max returns its first argument when the other is NaN, which
            // turned a diverged network's NaN forecast into 0 or -inf. NaN stays NaN here.
            func floored(_ v: Double) -> Double { v < floor ? floor : v }
            values = values.map(floored)
            var bands: [(Double, [Double], [Double])] = []
            let own = source == .combination ? c.state.calibrationErrors ?? [] : []
            for level in levels {
                let w = (0..<horizon).map { h in
                    own.isEmpty ? intervalHalfWidth(step: h, level: level) * s.scale
                        : Self.conformalQuantile(own, level: level) * (h < H ? 1 : (Double(h + 1) / Double(H)).squareRoot())
                }
                bands.append((level, zip(values, w).map { floored($0 - $1) }, zip(values, w).map { floored($0 + $1) }))
            }
            let last = c.times.last!
            let times = (1...horizon).map { c.state.frequency.advance(last, by: $0) }
            forecasts.append(Forecast(id: c.state.id, timestamps: times, timeFormat: c.state.timeFormat, values: values,
                                      intervals: bands.map { PredictionInterval(level: $0.0, lower: $0.1, upper: $0.2) },
                                      recursive: horizon > H, isNewSeries: isNew[b]))
        }
        return forecasts
    }

    /// The state of a series the model was not trained on, fitted on its `history` as `fit` fits a
    /// training series: scalers, the baseline period (among the model's seasonal periods) and the
    /// clipping at zero; the network forecasts it (no combination).
    func newSeriesState(_ history: TimeSeries) -> SeriesState {
        let s = Self.orderingCovariates(history, future: futureCovariateNames)
        let shortest = members.map(\.lookback).min()!
        let period = config.baseline == .seasonal
            ? Self.bestBaselinePeriod(s.target, candidates: (config.seasonalPeriods ?? []).filter { $0 <= shortest },
                                      horizon: config.horizon)
            : 1
        let tail = s.suffix(lookback)
        return SeriesState(id: s.id, frequency: s.frequency, timeFormat: s.timeFormat,
                           targetScaler: Scaler(fitting: s.target[...], kind: config.scaler),
                           covariateScalers: s.covariates.map { Scaler(fitting: $0[...], kind: config.scaler) },
                           tailTimes: tail.timestamps, tailTarget: tail.target, tailCovariates: tail.covariates,
                           firstTime: s.formattedTime(0), lastTime: s.formattedTime(s.count - 1), count: s.count,
                           baselinePeriod: period, nonNegative: config.allowNegative != true && s.target.allSatisfy { $0 >= 0 })
    }

    /// The forecast of a panel series too short for the network: seasonal naive with the model's
    /// primary period when the series holds a season, else naive; its intervals are the conformal
    /// quantiles of the same forecast's one-season-ahead errors over the history (none when it has
    /// no such error), widened with √(seasons ahead). Clipped at zero like the model's forecasts.
    func fallbackForecast(_ s: TimeSeries, horizon: Int, levels: [Double]) -> Forecast {
        let primary = config.seasonalPeriod ?? 1
        let m = s.count >= primary ? primary : 1
        let name = m > 1 ? "seasonal naive (period \(m))" : "naive"
        var values = Baseline.seasonalNaive.forecast(s.target, horizon: horizon, period: m)
        let errors = (m..<s.count).map { abs(s.target[$0] - s.target[$0 - m]) }.filter(\.isFinite).sorted()
        let floor = config.allowNegative != true && s.target.allSatisfy({ $0 >= 0 }) ? 0.0 : -Double.infinity
        func floored(_ v: Double) -> Double { v < floor ? floor : v }
        values = values.map(floored)
        let bands = levels.map { level in
            let q = errors.isEmpty ? Double.nan : Self.conformalQuantile(errors, level: level)
            let w = (0..<horizon).map { q * Double($0 / m + 1).squareRoot() }
            return PredictionInterval(level: level, lower: zip(values, w).map { floored($0 - $1) },
                                      upper: zip(values, w).map { floored($0 + $1) })
        }
        let last = s.timestamps.last!
        return Forecast(id: s.id, timestamps: (1...horizon).map { s.frequency.advance(last, by: $0) }, timeFormat: s.timeFormat,
                        values: values, intervals: bands, recursive: false,
                        isNewSeries: !series.contains { $0.id == s.id },
                        fallbackReason: "\(s.count) points, fewer than the model's lookback of \(lookback): \(name)")
    }
}

/// The median of `v` (the mean of the middle two for an even count); reorders `v`. NaN when any
/// value is NaN (sorting does not order NaN, so one diverged member could otherwise be hidden).
func median(_ v: inout [Float]) -> Float {
    if v.count == 1 { return v[0] }
    if v.contains(where: \.isNaN) { return .nan }
    v.sort()
    let n = v.count
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
}
