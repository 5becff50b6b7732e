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
    /// Timestamps of the tail: computed from the first when on the frequency's grid (see `TimeGrid`),
    /// so a 10,000-series panel's states do not hold 30 MB of them.
    package var tailTimes: TimeGrid
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
    /// The chosen statistical model's weight in a blend with the network (`CombineMode.auto`'s
    /// `blendWeight`, or `weights`' inverse errors); absent: 1, the statistical model alone.
    package var statWeight: Double?
    /// Sorted absolute errors (original units) of the combination's forecast at the validation
    /// origins it was chosen on, pooled over the horizon steps: the calibration scores of this
    /// series' intervals. With `CombineMode.network` (format 7 on), the network's errors at the
    /// origins where they are out of sample. Absent (format 1, too short a series, no origin out
    /// of sample): the network's validation residuals per step calibrate them.
    package var calibrationErrors: [Double]?
    /// Sorted absolute errors (original units) of the network's forecast at the combination's
    /// origins, pooled over the steps, where a statistical model takes part in the combination's
    /// forecast (format 7 on): the calibration scores of `predict`'s `ForecastSource.network`.
    /// Absent where the network forecasts alone (`calibrationErrors` are its errors).
    package var networkCalibrationErrors: [Double]? = nil
    /// The series' scale changed over the data given to `fit` (`Forecaster.scaleChange`): the
    /// network's part of its forecast is the mean of the plain members' median and the
    /// window-scaled members' (`EnsembleMember.scaled`). Absent (files before format 8): false.
    package var scaleChanged: Bool? = nil
    /// The linear autoregression's forecast after the training data (`LinearAutoregression`, four
    /// horizons long): the network's part of this series' forecast mixes the networks' and this
    /// path (`ForecasterConfig.linearMember`). Absent (files before format 9, or a fit without
    /// it): the networks' alone.
    package var linearForecast: [Double]? = nil
    /// The linear autoregression's share of that mix, from the validation errors at the
    /// combination's origins (`LinearAutoregression.share`). Absent (files before format 10): 0.5.
    package var linearWeight: Double? = nil
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
    /// Whether it divides each window by the standard deviation of its lookback: one of the
    /// window-scaled members that forecast, with the plain ones, the series whose scale changed
    /// (`ForecasterConfig.scaledMembers`). False with `windowScaling`, where every member scales.
    package var scaled = false
}

/// Which forecast `Forecaster.predict` returns for each series.
public enum ForecastSource: Sendable, Hashable {
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
///
/// `Codable`, for pipelines that store forecasts (timestamps as `Int64` seconds, as in memory):
/// values JSON cannot write as numbers (NaN, a series' missing forecast) need the encoder's
/// `nonConformingFloatEncodingStrategy` and the decoder's `nonConformingFloatDecodingStrategy`
/// (and a forecast holding NaN is never `==` to its copy, as NaN is not to itself).
///
///     let json = try JSONEncoder().encode(model.predict(horizon: 12))
public struct Forecast: Sendable, Equatable, Codable {
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
        timeFormat.isIndex ? nil : timestamps.compactMap(timeFormat.date)
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
public struct PredictionInterval: Sendable, Equatable, Codable {
    /// The nominal coverage, a fraction (0.8 for 80 %).
    public var level: Double
    /// Lower bounds, one per step.
    public var lower: [Double]
    /// Upper bounds, one per step.
    public var upper: [Double]
    /// The number of calibration errors the bounds were taken from (nil when unknown; compared by
    /// `==` too). n errors support levels up to n / (n + 1): a higher `level` is built on the
    /// largest error (before the widening every level gets), and may cover less than it says
    /// (`isCapped`).
    public var calibrationErrorCount: Int? = nil

    /// Whether `level` is above what `calibrationErrorCount` errors support, so the bounds are
    /// built on the largest error (false without errors: the bounds are then NaN).
    public var isCapped: Bool {
        guard let n = calibrationErrorCount, n > 0 else { return false }
        return (Double(n + 1) * level).rounded(.up) > Double(n)
    }

    /// An interval at coverage `level` with the given bounds (one of each per step).
    public init(level: Double, lower: [Double], upper: [Double], calibrationErrorCount: Int? = nil) {
        self.level = level
        self.lower = lower
        self.upper = upper
        self.calibrationErrorCount = calibrationErrorCount
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
    /// The name of the target column in the training data.
    public let targetName: String
    /// The past covariate columns the network reads, in input order.
    public let covariateNames: [String]
    /// The time column of the training data (forecasts are written under it).
    public let timeColumn: String
    /// The id column of a panel, or nil for a single series.
    public let idColumn: String?
    /// Per-series state, in training order.
    package let series: [SeriesState]
    /// The panel series that `fit` left out of training because they were shorter than lookback +
    /// horizon, whole (each has fewer than lookback + horizon points). `predict` without a history
    /// forecasts them after the trained series, as it would given them as history (see
    /// `Forecast.fallbackReason`).
    package let shortSeries: [TimeSeries]
    /// For each horizon step, the sorted absolute validation residuals in scaled units
    /// (split-conformal calibration scores).
    package let residuals: [[Float]]
    /// What training did (the first member; `seconds` is the wall time of the whole fit).
    public let summary: TrainingSummary
    /// Notes from `fit` for the user: skipped short series, settings it had to change, a missing
    /// validation split. Not saved in model files (empty after `ModelFile.read`).
    public let warnings: [String]

    init(config: ForecasterConfig, members: [EnsembleMember], targetName: String, covariateNames: [String],
         timeColumn: String, idColumn: String?, series: [SeriesState], shortSeries: [TimeSeries] = [],
         residuals: [[Float]], summary: TrainingSummary, warnings: [String] = []) {
        self.warnings = warnings
        self.shortSeries = shortSeries
        self.config = config
        self.members = members
        self.targetName = targetName
        self.covariateNames = covariateNames
        self.timeColumn = timeColumn
        self.idColumn = idColumn
        self.series = series
        self.residuals = residuals.map { Self.capped($0) }
        self.summary = summary
    }

    /// The most calibration residuals kept per horizon step (a 10,000-series panel has hundreds of
    /// thousands); `capped` keeps evenly spaced order statistics.
    package static let residualCap = 4096

    /// At most `m` of the `sorted` scores: all of them when there are no more, else the order
    /// statistics of ranks round(j·(n−1)/(m−1)), j = 0..<m (the smallest and largest included).
    ///
    /// The conformal quantile of the kept scores at level ℓ (rank ⌈(m+1)ℓ⌉ of m) is the full list's
    /// order statistic of rank r with |r − ⌈(n+1)ℓ⌉| ≤ 2n/(m−1) + 2: the score at a level within
    /// 2/(m−1) + 2/n of ℓ (under 0.0005 for m = 4096), far inside the calibration's own sampling
    /// error, and unchanged for lists of up to m scores (ResidualCapTests).
    static func capped(_ sorted: [Float], to m: Int = residualCap) -> [Float] {
        let n = sorted.count
        guard n > m, m >= 2 else { return sorted }
        return (0..<m).map { j in sorted[(j * (n - 1) + (m - 1) / 2) / (m - 1)] }
    }

    /// The same forecaster with other per-series states (the combination's choices) and, when
    /// given, other short series.
    package func with(series: [SeriesState], shortSeries: [TimeSeries]? = nil) -> Forecaster {
        Forecaster(config: config, members: members, targetName: targetName, covariateNames: covariateNames,
                   timeColumn: timeColumn, idColumn: idColumn, series: series, shortSeries: shortSeries ?? self.shortSeries,
                   residuals: residuals, summary: summary, warnings: warnings)
    }

    var lookback: Int { config.lookback! }
    /// The seasonal periods and whether they were detected or given: "24, 168 (detected)".
    package var periodsDescription: String { ForecasterConfig.describePeriods(config) }
    /// Covariates fed to the decoder for the forecast steps (a suffix of `covariateNames`).
    var futureCovariateNames: [String] { config.futureCovariates ?? [] }
    var pastCovariateCount: Int { covariateNames.count - futureCovariateNames.count }
    var calendar: CalendarFeatures {
        CalendarFeatures(config: config, frequency: series[0].frequency, length: series.map(\.count).max()!)
    }
    /// The window encoding of a member with lookback `L` (`scaled`: a window-scaled member).
    func encoding(lookback L: Int, scaled: Bool = false) -> WindowEncoding {
        WindowEncoding(lookback: L, horizon: config.horizon, features: 1 + pastCovariateCount,
                       futureSize: calendar.count + futureCovariateNames.count, baseline: config.baseline,
                       scaled: scaled || config.windowScaling == true)
    }

    /// The members of the plain ensemble, then the window-scaled ones (see `EnsembleMember.scaled`).
    package var plainMembers: [EnsembleMember] { members.filter { !$0.scaled } }
    package var hasScaledMembers: Bool { members.contains(where: \.scaled) }

    /// Forecasts `horizon` steps after the end of each training series (or after `history`, which
    /// replaces the stored tails: series matched to the training series by id; a series the model
    /// was not trained on is forecast by the network from its own history, see
    /// `Forecast.isNewSeries`). Without `history`, the panel series that `fit` left out of training
    /// as too short follow the training series, forecast from their whole stored histories as if
    /// they were given as `history`.
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
    /// The network runs over chunks of series on `threads` threads (default: the machine's cores);
    /// the forecasts are the same, bit for bit, whatever the thread count.
    ///
    /// The forecasts come in the order of `history`, or without it in the model's order: its
    /// training series sorted by id, then the series `fit` left out as too short.
    ///
    /// - Throws: `ForecastError` (`data`) for a `history` that is not valid (`TimeSeries/validate()`)
    ///   or lacks the model's covariates; (`configuration`) for bad arguments, missing future
    ///   values, or a forecast whose buffers would need more memory than allowed (half the
    ///   machine's, or the `FORECAST_MEMORY_LIMIT` environment variable in bytes; checked before
    ///   anything is allocated).
    public func predict(horizon: Int, history: [TimeSeries]? = nil, future: [TimeSeries]? = nil,
                        intervals levels: [Double] = [], source: ForecastSource = .combination,
                        threads: Int = Forecaster.defaultThreads,
                        shouldStop: (() -> Bool)? = nil) throws -> [Forecast] {
        if let history { try checkHistory(history) }
        for s in future ?? [] { try s.validateLengths() }
        return try predict(horizon: horizon, history: history, future: future, intervals: levels, source: source,
                           threads: threads, chunkSize: nil, shouldStop: shouldStop)
    }

    /// The machine's cores (at most 256, the most a configuration takes): `predict`'s and
    /// `ForecasterConfig.threads`' default.
    public static var defaultThreads: Int { min(256, max(1, ProcessInfo.processInfo.activeProcessorCount)) }

    /// Throws a `ForecastError` of kind `data` unless `history` is valid series (see
    /// `TimeSeries.validatePanel`; finite values in those long enough for the network) with the
    /// model's covariate columns: its past covariates in the model's order (the network reads them
    /// by position) and every future covariate.
    func checkHistory(_ history: [TimeSeries]) throws {
        try TimeSeries.validatePanel(history)
        // Shorter series fall back to a baseline, and so do series without a single value (a
        // panel's left-out ones).
        for s in history where s.count >= lookback && (s.packedTarget != nil || s.target.contains(where: \.isFinite)) {
            try s.validateValues()
        }
        let future = futureCovariateNames
        let past = covariateNames.filter { !future.contains($0) }
        for s in history where s.covariateNames.filter({ !future.contains($0) }) != past || !future.allSatisfy(s.covariateNames.contains) {
            let list = { (names: [String]) in names.isEmpty ? "none" : names.map { "'\($0)'" }.joined(separator: ", ") }
            throw ForecastError(.data, message: "\(s.id.map { "series '\($0)'" } ?? "the history") has the covariates \(list(s.covariateNames)); the model was trained with \(list(covariateNames)) (past covariates in this order)")
        }
    }

    /// `predict` with `chunkSize` series per chunk (nil: `predictChunkSize`), for tests; `linear`:
    /// whether the network's part mixes in the linear autoregression where the model has it
    /// (`SeriesState.linearForecast`; false: the networks alone, as the combination scores them).
    package func predict(horizon: Int, history: [TimeSeries]?, future: [TimeSeries]?, intervals levels: [Double],
                         source: ForecastSource, threads: Int, chunkSize: Int?,
                         shouldStop: (() -> Bool)?, linear: Bool = true) throws -> [Forecast] {
        guard threads >= 1 else {
            throw ForecastError.configuration("predict needs at least one thread, got \(threads)")
        }
        guard horizon >= 1 && horizon <= 100_000 else {
            throw ForecastError.configuration("the forecast horizon must be between 1 and 100000, got \(horizon)")
        }
        for l in levels where !(l > 0 && l < 1) {
            throw ForecastError.configuration("interval levels are fractions between 0 and 1 (0.8 for 80 %), got \(l)")
        }
        let L = lookback, H = config.horizon
        if history == nil && !shortSeries.isEmpty {
            // The trained series, then those fit left out as too short, forecast from their stored
            // histories exactly as they would be given as history.
            let trained = with(series: series, shortSeries: [])
            func run(_ h: [TimeSeries]?) throws -> [Forecast] {
                try trained.predict(horizon: horizon, history: h, future: future, intervals: levels, source: source,
                                    threads: threads, chunkSize: chunkSize, shouldStop: shouldStop, linear: linear)
            }
            return try run(nil) + trained.panelForecasts(shortSeries, horizon: horizon, levels: levels, lookback: L, predict: run)
        }
        if let history, history.count > 1 || idColumn != nil, history.contains(where: { $0.count < L }) {
            // Panel (a panel model, or several series): the short series fall back to a baseline;
            // the rest are forecast together.
            return try panelForecasts(history, horizon: horizon, levels: levels, lookback: L) {
                try predict(horizon: horizon, history: $0, future: future, intervals: levels, source: source, threads: threads,
                            chunkSize: chunkSize, shouldStop: shouldStop, linear: linear)
            }
        }
        let futureNames = futureCovariateNames
        var series = self.series
        if source != .combination {
            for i in series.indices {
                let chosen = series[i].choice, blended = series[i].statWeight != nil
                series[i].statWeight = nil
                switch source {
                case .model(let b):
                    series[i].choice = b.rawValue
                    if chosen != b.rawValue { series[i].statForecast = nil }
                    // The combination's errors are this model's only where it forecast alone.
                    if chosen != b.rawValue || blended { series[i].calibrationErrors = nil }
                    if history == nil && chosen != b.rawValue {
                        throw ForecastError.configuration("forecasting with \(b.rawValue) needs the series' whole history (the model keeps only its last \(L) points): give it as history")
                    }
                default:
                    series[i].choice = nil
                    // The network's own errors at the combination's origins calibrate it: stored
                    // apart where a statistical model took part (none in files before format 7:
                    // then its validation residuals per step), else the combination's are its.
                    if blended || chosen.flatMap(Baseline.init(rawValue:)) != nil {
                        series[i].calibrationErrors = series[i].networkCalibrationErrors
                    }
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
                // A single-series model (no id column) forecasts the one series it is given as its
                // own; a panel model matches by id only, even when it kept one series.
                if let i = index[s.id ?? ""] ?? (idColumn == nil && series.count == 1 && history.count == 1 ? 0 : nil) {
                    state = series[i]
                    isNew.append(false)
                } else {
                    state = newSeriesState(s)
                    if case .model(let b) = source { state.choice = b.rawValue }
                    isNew.append(true)
                }
                let tail = Self.orderingCovariates(s.suffix(L), future: futureNames)
                fullHistory.append(s)
                contexts.append((state, Array(tail.times), tail.target, tail.covariates))
            }
        } else {
            contexts = series.map { ($0, Array($0.tailTimes), $0.tailTarget, $0.tailCovariates) }
            isNew = series.map { _ in false }
        }
        let B = contexts.count
        let cal = calendar
        let Ff = encoding(lookback: L).futureSize
        let steps = (horizon + H - 1) / H * H
        let needed = Self.predictionBytes(series: B, steps: steps, futureSize: Ff, levels: levels.count)
        let limit = try Self.memoryLimit()
        if needed > limit {
            throw ForecastError.configuration("a \(horizon)-step forecast of \(B) series needs about \(Self.memorySize(needed, roundingUp: true)) of memory, more than the \(Self.memorySize(limit)) allowed (half the machine's memory, or FORECAST_MEMORY_LIMIT bytes); forecast fewer steps or series")
        }
        // The series are forecast in chunks, on up to `threads` threads, each thread with its own
        // buffers and InferenceWorkspace. Every row of the networks' products is computed alone (the
        // same multiply-adds in the same order whatever the batch), and a series' inputs, baseline,
        // median and intervals are its own, so a forecast does not depend on the chunking or the
        // thread count (ParallelPredictTests).
        // A series that a statistical model forecasts alone over the whole horizon needs no
        // network (in a panel fitted with the combination, most series): it is finished directly.
        // The network's rows are computed one by one, so leaving series out of a batch changes
        // no other series' forecast.
        let direct = contexts.indices.map { b in
            let st = contexts[b].state
            guard let choice = st.choice, Baseline(rawValue: choice) != nil, st.statWeight == nil else { return false }
            return history != nil || (st.statForecast?.count ?? 0) >= horizon
        }
        let job = ChunkJob(contexts: contexts, fullHistory: fullHistory, isNew: isNew, horizon: horizon,
                           fromHistory: history != nil, future: future, levels: levels, source: source,
                           mixesLinear: linear && self.series.contains { $0.linearForecast != nil },
                           calendar: cal, shouldStop: shouldStop,
                           halfWidths: levels.map { level in (0..<horizon).map { intervalHalfWidth(step: $0, level: level) } },
                           spreadQuantiles: levels.map { Self.spreadQuantile(level: $0) })
        let fromNetwork = try predictNetworked(job, series: contexts.indices.filter { !direct[$0] },
                                               threads: threads, chunkSize: chunkSize)
        let directIndices = contexts.indices.filter { direct[$0] }
        if directIndices.isEmpty { return fromNetwork }
        var finished = [Forecast?](repeating: nil, count: directIndices.count)
        finished.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let slots = buffer
            nonisolated(unsafe) let shared = job
            // A statistical model refitted on a given history costs a fit per series: on every core.
            let lanes = max(1, min(threads, directIndices.count))
            DispatchQueue.concurrentPerform(iterations: lanes) { w in
                for k in stride(from: w, to: directIndices.count, by: lanes) {
                    if shared.shouldStop?() == true { return }
                    slots[k] = finish(shared, directIndices[k], network: nil)
                }
            }
        }
        if finished.contains(where: { $0 == nil }) { throw ForecastError.interrupted("the forecast") }
        var forecasts: [Forecast] = []
        forecasts.reserveCapacity(B)
        var n = 0, d = 0
        for b in 0..<B {
            if direct[b] { forecasts.append(finished[d]!); d += 1 } else { forecasts.append(fromNetwork[n]); n += 1 }
        }
        return forecasts
    }

    /// The state of a series the model was not trained on, fitted on its `history` as `fit` fits a
    /// training series: scalers, the baseline period (among the model's seasonal periods), the
    /// clipping at zero and whether its scale changed; the network forecasts it (no combination).
    package func newSeriesState(_ history: TimeSeries) -> SeriesState {
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
                           tailTimes: tail.times, tailTarget: tail.target, tailCovariates: tail.covariates,
                           firstTime: s.formattedTime(0), lastTime: s.formattedTime(s.count - 1), count: s.count,
                           baselinePeriod: period, nonNegative: config.allowNegative != true && s.target.allSatisfy { $0 >= 0 },
                           scaleChanged: hasScaledMembers && Self.scaleChanged(s, config: config) ? true : nil)
    }

    /// The forecasts of a panel's `history`, in order: `predict` of the series at least `lookback`
    /// long, together, and `fallbackForecast` for the shorter ones.
    func panelForecasts(_ history: [TimeSeries], horizon: Int, levels: [Double], lookback L: Int,
                        predict: ([TimeSeries]) throws -> [Forecast]) throws -> [Forecast] {
        let usable = history.filter { $0.count >= L }
        var model = usable.isEmpty ? [] : try predict(usable)[...]
        let known = Set(series.map { $0.id ?? "" })
        return history.map { s in
            s.count >= L ? model.removeFirst()
                : fallbackForecast(s, horizon: horizon, levels: levels, isNewSeries: !known.contains(s.id ?? ""))
        }
    }

    /// The forecast of a panel series too short for the network: seasonal naive with the model's
    /// primary period when the series holds a season, else naive; its intervals are the conformal
    /// quantiles of the same forecast's one-season-ahead errors over the history (none when it has
    /// no such error), widened with √(seasons ahead). Clipped at zero like the model's forecasts.
    func fallbackForecast(_ s: TimeSeries, horizon: Int, levels: [Double], isNewSeries: Bool) -> Forecast {
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
                                      upper: zip(values, w).map { floored($0 + $1) }, calibrationErrorCount: errors.count)
        }
        let last = s.times.last!
        let points = s.count == 1 ? "1 point" : "\(s.count) points"
        return Forecast(id: s.id, timestamps: (1...horizon).map { s.frequency.advance(last, by: $0) }, timeFormat: s.timeFormat,
                        values: values, intervals: bands, recursive: false,
                        isNewSeries: isNewSeries,
                        fallbackReason: s.target.contains(where: \.isFinite)
                            ? "\(points), fewer than the model's lookback of \(lookback): \(name)"
                            : "no values to forecast from: the forecast is missing")
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

extension TimeFormat {
    /// `timestamp` as a date (UTC) for a calendar format; nil for an integer index.
    func date(_ timestamp: Int64) -> Date? {
        isIndex ? nil : Date(timeIntervalSince1970: TimeInterval(timestamp))
    }
}
