import ForecastData
import ForecastNN

extension SeriesState {
    /// What forecasts the series: "network", a statistical model's name, or "network+theta" for
    /// a blend of the two.
    package var chosenName: String {
        guard let choice else { return "network" }
        return statWeight == nil ? choice : "network+\(choice)"
    }
}

extension Forecaster {
    /// What forecasts the series, counted: "network 300, theta 80, seasonal_naive 34"; for one
    /// series, the choice (a blend with the statistical model's share) with each candidate's
    /// validation error.
    public var choiceSummary: String { Self.describeChoices(series) }

    /// What forecasts `series` (see `choiceSummary`); `unit` follows each count.
    package static func describeChoices(_ series: [SeriesState], unit: String = "") -> String {
        if series.count == 1, let e = series[0].validationErrors {
            let scores = e.sorted { $0.value < $1.value }.map { "\($0.key) \(String(format: "%.4g", $0.value))" }
            let share = series[0].statWeight.map { "\(series[0].choice ?? "") share \(String(format: "%.3g", $0)); " } ?? ""
            return "\(series[0].chosenName) (\(share)validation MAE: \(scores.joined(separator: ", ")))"
        }
        var counts: [String: Int] = [:]
        for s in series { counts[s.chosenName, default: 0] += 1 }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.key) \($0.value)\(unit)" }.joined(separator: ", ")
    }

    /// The statistical candidates the combination weighs against the network.
    static let statisticalCandidates: [Baseline] = [.seasonalNaive, .theta, .dampedETS, .holtWinters, .autoETS,
                                                    .seasonalMedian]
    /// Validation origins scored per series at most: non-overlapping blocks of one horizon at the
    /// end of the data given to `fit`. Chosen by rolling-origin study: with the network's forecasts
    /// from cross-validation refits at 8 origins, the rule on the newest 1 to 8 gave geometric-mean
    /// MASE ratios 0.624, 0.582, 0.594, 0.530, 0.593, 0.584, 0.552, 0.567 on the bundled series and
    /// 0.848, 0.820, 0.809, 0.772, 0.790, 0.798, 0.784, 0.789 on the extra ones
    /// (results/rolling_all_study_dump8.json, replayed by Benchmarks/accuracy/combination_study.py).
    static let combinationOrigins = 4

    /// The combination's origins in a series of `count` points, newest first: the starts of up to
    /// `combinationOrigins` non-overlapping blocks of `horizon` points ending at its end, each with
    /// `lookback` points before it.
    static func validationOrigins(count: Int, lookback L: Int, horizon H: Int) -> [Int] {
        let blocks = max(0, min(combinationOrigins, (count - L) / H))
        return (0..<blocks).map { count - ($0 + 1) * H }
    }

    /// The absolute errors of the forecasts at `origins` (`forecast(k)` for origin k; nil skips
    /// it) against `actual`, pooled over the `horizon` steps, the finite ones, sorted: the scores
    /// every interval calibration takes its conformal quantile of.
    static func pooledErrors(origins: [Int], horizon H: Int, actual: [Double],
                             forecast: (Int) -> [Double]?) -> [Double] {
        var errors: [Double] = []
        for (k, o) in origins.enumerated() {
            guard let f = forecast(k) else { continue }
            for h in 0..<H { errors.append(abs(actual[o + h] - f[h])) }
        }
        return errors.filter(\.isFinite).sorted()
    }

    /// `model`'s forecast of `horizon` steps after `history` for the series of `state`. Seasonal
    /// naive and seasonal median use the series' baseline period; the other models use the primary seasonal period
    /// (taken as established when the forecaster detected or was given it, see
    /// `Baseline.forecast(_:horizon:knownPeriod:)`).
    /// `parallelFits`: AutoETS may fit its candidates on several threads (same result).
    package func statisticalForecast(_ model: Baseline, history: [Double], horizon: Int, state: SeriesState,
                             parallelFits: Bool = true) -> [Double] {
        if model == .seasonalNaive || model == .seasonalMedian {
            return model.forecast(history, horizon: horizon, period: state.baselinePeriod ?? config.seasonalPeriod ?? 1)
        }
        let m = config.seasonalPeriod ?? 1
        return config.seasonalPeriods == nil ? model.forecast(history, horizon: horizon, period: m, parallelFits: parallelFits)
            : model.forecast(history, horizon: horizon, knownPeriod: m, parallelFits: parallelFits)
    }

    /// Per series, what forecasts it: the network, the best statistical model, or a blend of the
    /// two weighted by their mean absolute errors over the last `combinationOrigins` origins of
    /// its training data (non-overlapping blocks of one horizon ending at the end of the data
    /// given to `fit`; the network forecasts each from the points before it; see `blendWeight`).
    /// The best statistical model is the candidate with the smallest such error. With
    /// `CombineMode.best` the one with the smallest error forecasts; with `weights` the two are
    /// blended with inverse-error weights;
    /// with `network`, or when no origin fits, every series keeps the network; so does `auto` for a
    /// model with future covariates (only the network reads them). The chosen forecast's absolute
    /// errors at the origins, pooled over the steps, become the series' interval calibration scores
    /// (measured on the rolling-origin benchmark: pooled scores from 4 origins covered 77% and 92%
    /// at nominal 80% and 95% where the network's validation residuals covered 66% and 72%).
    /// `validators[j]`, when given, forecasts the network's part at origin `j` (newest first) for the
    /// series it was trained on (see `crossValidationFits`).
    func combination(_ kept: [TimeSeries], validators: [Forecaster?] = [], trainCounts: [Int] = [],
                     chunk: Int = combinationChunk,
                     observer: (@Sendable (CombinationEvidence) -> Void)? = nil) throws -> [SeriesState] {
        var series = kept
        return try combination(releasing: &series, validators: validators, trainCounts: trainCounts, chunk: chunk,
                               observer: observer)
    }

    /// `combination(_:validators:chunk:observer:)`, which also gives each state the tail of its
    /// series (the last `lookback` observations) and then empties that series in `kept`, chunk by
    /// chunk: where `kept` holds the last reference to a series' values, they are freed as soon as
    /// the combination is done with them (74 MB over the combination of a 10,000-series panel,
    /// whose model holds only 30 MB of tails).
    ///
    /// Without a combination (`CombineMode.network`, or `auto` with future covariates, which the
    /// statistical models cannot read) the network's errors at the origins where they are out of
    /// sample and were not chosen on calibrate its intervals (`networkCalibrated`, `isOutOfSample`;
    /// `trainCounts[i]`: the points series i trained on).
    /// `scoresNetwork` false skips that (a cross-validation fit, whose intervals nothing reads).
    func combination(releasing kept: inout [TimeSeries], validators: [Forecaster?] = [], trainCounts: [Int] = [],
                     scoresNetwork: Bool = true, chunk: Int = combinationChunk,
                     observer: (@Sendable (CombinationEvidence) -> Void)? = nil) throws -> [SeriesState] {
        let H = config.horizon, L = config.lookback!
        var states = series
        func finish(_ range: Range<Int>) {
            for i in range {
                let tail = kept[i].suffix(L)
                states[i].tailTimes = tail.times
                states[i].tailTarget = tail.target
                states[i].tailCovariates = tail.covariates
                kept[i].emptyTarget()
                kept[i].covariates = []
            }
        }
        let networkOnly = config.combine == .network || (config.combine == .auto && !(config.futureCovariates ?? []).isEmpty)
        guard scoresNetwork || !networkOnly else {
            finish(0..<kept.count)
            return states
        }
        // Origins per series, newest first; the network needs `L` points before each.
        let origins = kept.map { Self.validationOrigins(count: $0.count, lookback: L, horizon: H) }
        // A chunk of series at a time (the network's histories at the origins are copies of the
        // series' prefixes), its series on `config.threads` threads; each series' result is stored
        // at its index, so neither the chunk size nor the threads change it.
        var lower = 0
        while lower < kept.count {
            let range = lower..<min(kept.count, lower + max(1, chunk))
            for i in range { kept[i].unpackTarget() }   // `fit` packed them for training
            do {   // the chunk's copies of its series end with this scope, before `finish` empties them
                let (network, refitted) = try networkForecasts(kept, origins: origins, range: range, validators: validators)
                let results = UnsafeMutableBufferPointer<SeriesState?>.allocate(capacity: range.count)
                results.initialize(repeating: nil)
                defer { _ = results.deinitialize(); results.deallocate() }   // releases the states (deallocate alone leaked them)
                nonisolated(unsafe) let out = results
                let lanes = max(1, min(config.threads, range.count))
                // AutoETS fits its candidates on one thread when the series already share the threads:
                // on 2 cores the same CPU time and wall time within noise (1,000-series panel, issue 16).
                let nested = lanes == 1
                let next = NextIndex(range)
                let input = states, series = kept
                // (Not with future covariates: the linear model cannot read them, and would halve their effect.)
                let linear = config.linearMember != false && (config.futureCovariates ?? []).isEmpty
                DispatchQueue.concurrentPerform(iterations: lanes) { _ in
                    while let i = next.take() {
                        let k = i - range.lowerBound
                        // The network's part: the networks' forecast mixed with the linear
                        // autoregression's, fitted on the points before each origin (and after
                        // the data, for `predict`), by their errors there.
                        var state = input[i], network = network[k]
                        if linear {
                            let y = series[i].target
                            let m = linearPeriod(series[i].frequency)
                            state.linearForecast = LinearAutoregression.forecast(y, horizon: H, steps: 4 * H, period: m)
                            let paths = origins[i].prefix(network.count).map {
                                LinearAutoregression.forecast(Array(y[..<$0]), horizon: H, steps: H, period: m)
                            }
                            let w = paths.isEmpty ? 0.5 : LinearAutoregression.share(
                                network: Self.meanAbsoluteError(network, y, origins: origins[i], horizon: H),
                                linear: Self.meanAbsoluteError(paths, y, origins: origins[i], horizon: H))
                            state.linearWeight = w
                            for (j, l) in paths.enumerated() {
                                network[j] = zip(network[j], l).map { Self.blend(w, $1, $0) }
                            }
                            out[k] = state
                        }
                        guard !origins[i].isEmpty else { continue }
                        let unseen = origins[i].indices.map { j in
                            Self.isOutOfSample(origin: origins[i][j], count: series[i].count,
                                               trained: i < trainCounts.count ? trainCounts[i] : series[i].count,
                                               refitted: refitted[k][j], horizon: H)
                        }
                        if networkOnly {
                            out[k] = networkCalibrated(state, series[i], origins: origins[i], network: network,
                                                       outOfSample: unseen)
                        } else {
                            out[k] = combined(state, series[i], origins: origins[i], network: network,
                                              networkOutOfSample: unseen, parallelFits: nested, observer: observer)
                        }
                    }
                }
                for (k, state) in results.enumerated() { if let state { states[range.lowerBound + k] = state } }
            }
            finish(range)
            lower = range.upperBound
            releaseFreedMemory()   // the chunk's network buffers and models' histories, freed on two threads
        }
        return states
    }

    /// The statistical model's share of the `auto` forecast, from the validation errors of the
    /// network, the best statistical model and the mean of the two: each of the three gets weight
    /// (smallest error / its error)^`blendSharpness` and the mean counts half for each side, so a
    /// clear winner takes (nearly) all and a near tie is blended instead of decided by four
    /// origins' noise. Shares within `blendSnap` of 0 or 1 are 0 or 1 (the network alone, or the
    /// statistical model alone), as are non-finite errors (the finite side alone; 0 when none is).
    ///
    /// Chosen by replaying rules on what `fit`'s combination saw (`Benchmarks/accuracy/
    /// combination_study.py`, `current` and `blend 16`/`blend 64` against `pick (before session
    /// 22)`; first found as its `soft 32` rule): against picking the smallest of the three errors,
    /// the extra datasets improved on all 13 benchmark runs with dumps (networks of different
    /// settings; 0.762 to 0.757 on the committed one), the bundled ones on 8 of 13 (0.497 to 0.496),
    /// M4 Hourly validation 0.441 to 0.439. Sharpness 16 blended more (extra better, bundled worse),
    /// 64 was closer to picking.
    static func blendWeight(network a: Double, statistical b: Double, mean m: Double) -> Double {
        switch (a.isFinite, b.isFinite) {
        case (false, true): return 1
        case (_, false): return 0
        default: break
        }
        let lo = [a, b, m].filter(\.isFinite).min()!
        func weight(_ e: Double) -> Double { !e.isFinite ? 0 : e <= lo ? 1 : pow(lo / e, blendSharpness) }
        let (wa, wb, wm) = (weight(a), weight(b), weight(m))
        let w = (wb + wm / 2) / (wa + wb + wm)
        return w < blendSnap ? 0 : w > 1 - blendSnap ? 1 : w
    }

    /// `w` of the statistical forecast and 1 − `w` of the network's; a share of 0 or 1 takes one
    /// side exactly (a network that forecast NaN must not turn a statistical model's forecast
    /// into NaN through 0 × NaN).
    static func blend(_ w: Double, _ stat: Double, _ network: Double) -> Double {
        w == 1 ? stat : w == 0 ? network : w * stat + (1 - w) * network
    }

    /// The mean absolute error of `forecasts` (one per origin, newest first, as many as there are
    /// or fewer) against `y` at `origins`.
    static func meanAbsoluteError(_ forecasts: [[Double]], _ y: [Double], origins: [Int], horizon H: Int) -> Double {
        var e = 0.0, n = 0
        for (o, f) in zip(origins, forecasts) {
            for h in 0..<min(H, f.count) { e += abs(y[o + h] - f[h]); n += 1 }
        }
        return n > 0 ? e / Double(n) : .nan
    }

    /// How sharply `blendWeight` favours the smallest validation error.
    static let blendSharpness = 32.0
    /// Shares of the `auto` blend this close to 0 or 1 are 0 or 1.
    static let blendSnap = 0.01

    /// Series the combination takes at once: the network's forecasts at the origins, then the
    /// statistical models (bounds the network's buffers and the statistical models' histories:
    /// all series at once took 770 MB more at 10,000 hourly series).
    static let combinationChunk = 1000

    /// The network's forecasts at the origins of the series in `range` (indexed from its start),
    /// batched per origin index: from that origin's cross-validation fit for the series it knows
    /// (with a lookback of room), else from this one; and per forecast, whether a cross-validation
    /// fit made it.
    private func networkForecasts(_ kept: [TimeSeries], origins: [[Int]], range: Range<Int>,
                                  validators: [Forecaster?]) throws -> ([[[Double]]], [[Bool]]) {
        let H = config.horizon
        var network = [[[Double]]](repeating: [], count: range.count)
        var refitted = range.map { i in [Bool](repeating: false, count: origins[i].count) }
        for j in 0..<Self.combinationOrigins {
            let refit = j < validators.count ? validators[j] : nil
            let known = Set(refit?.series.map(\.id) ?? [])
            let outside: [Bool] = range.map { i in
                guard let v = refit, origins[i].count > j else { return false }
                return origins[i][j] >= v.lookback && known.contains(kept[i].id)
            }
            for (k, refit) in outside.enumerated() where refit { refitted[k][j] = true }
            for (model, out) in [(self, false), (refit ?? self, true)] {
                let which = range.filter { origins[$0].count > j && outside[$0 - range.lowerBound] == out }
                guard !which.isEmpty else { continue }
                // The series are known to `model`, so its network reads only the last lookback
                // points before the origin (its scalers are the stored ones).
                let L = model.lookback
                // The networks alone: the linear autoregression is mixed in by the caller, fitted
                // on the whole history before the origin, not on these last lookback points.
                let slices = which.map { kept[$0].slice((origins[$0][j] - L)..<origins[$0][j]) }
                try model.checkHistory(slices)
                let fcs = try model.predict(horizon: H, history: slices, future: which.map { kept[$0] }, intervals: [],
                                            source: .network, threads: Forecaster.defaultThreads, chunkSize: nil,
                                            shouldStop: nil, linear: false)
                for (i, fc) in zip(which, fcs) { network[i - range.lowerBound].append(fc.values) }
            }
        }
        return (network, refitted)
    }

    /// Whether the network's forecast at `origin` of a series of `count` points, the first
    /// `trained` of which it trained on, is out of sample and was not chosen on: made by a
    /// cross-validation fit (`refitted`), or in the held-out part and not among the windows early
    /// stopping watched (with two horizons or more held out, every one but the last horizon's; with
    /// fewer, the same windows stop and calibrate, as the per-step residuals do).
    static func isOutOfSample(origin o: Int, count: Int, trained n: Int, refitted: Bool, horizon H: Int) -> Bool {
        if refitted { return true }
        guard o >= n else { return false }
        return count - n < 2 * H || o + H > count - H
    }

    /// The network's errors at the `origins` of `s` (newest first, as `network`) that are
    /// `outOfSample`, pooled over the steps and sorted; nil when no origin is.
    private func networkErrors(_ s: TimeSeries, origins: [Int], network: [[Double]], outOfSample: [Bool]) -> [Double]? {
        let errors = Self.pooledErrors(origins: origins, horizon: config.horizon, actual: s.target) {
            outOfSample[$0] ? network[$0] : nil
        }
        return errors.isEmpty ? nil : errors
    }

    /// `state` with the network's errors at the origins of `s` that are `outOfSample`
    /// (`networkErrors`) as its calibration errors; `state` unchanged when no origin is (its
    /// validation residuals per step calibrate it then).
    ///
    /// The per-step residuals come from the windows early stopping chose the weights on, a few
    /// per step on a short series: the network alone covered 86-88% at a nominal 95% on the
    /// rolling-origin benchmark with them (`FIT_ARGS="--combine network" scripts/accuracy.py`).
    private func networkCalibrated(_ state: SeriesState, _ s: TimeSeries, origins: [Int], network: [[Double]],
                                   outOfSample: [Bool]) -> SeriesState {
        var state = state
        if let errors = networkErrors(s, origins: origins, network: network, outOfSample: outOfSample) {
            state.calibrationErrors = errors
        }
        return state
    }

    /// `state` with what forecasts series `s` (see `combination`), from the network's forecasts at
    /// its origins (newest first). `parallelFits`: AutoETS may fit its candidates on several threads.
    private func combined(_ state: SeriesState, _ s: TimeSeries, origins: [Int], network: [[Double]],
                          networkOutOfSample: [Bool], parallelFits: Bool, observer: (@Sendable (CombinationEvidence) -> Void)?) -> SeriesState {
        let H = config.horizon
        var state = state
        func score(_ forecasts: [[Double]]) -> Double {
            var e = 0.0
            for (o, f) in zip(origins, forecasts) { for h in 0..<H { e += abs(s.target[o + h] - f[h]) } }
            return e / Double(origins.count * H)
        }
        var errors: [String: Double] = ["network": score(network)]
        var paths: [String: [[Double]]] = [:]
        let histories = origins.map { Array(s.target[..<$0]) }
        for model in Self.statisticalCandidates {
            paths[model.rawValue] = histories.map {
                statisticalForecast(model, history: $0, horizon: H, state: state, parallelFits: parallelFits)
            }
            errors[model.rawValue] = score(paths[model.rawValue]!)
        }
        // The best statistical model (ties: the listed order), then the network, it, or a blend.
        var bestStat = Self.statisticalCandidates[0].rawValue
        for model in Self.statisticalCandidates where errors[model.rawValue]! < errors[bestStat]! * (1 - 1e-9) {
            bestStat = model.rawValue
        }
        let a = errors["network"]!, b = errors[bestStat]!
        let mean = score(zip(network, paths[bestStat]!).map { n, p in zip(n, p).map { ($0 + $1) / 2 } })
        var weight: Double?   // of the statistical model; nil: it alone
        var chosen = "network"
        switch config.combine {
        case .weights:
            chosen = bestStat
            weight = a + b > 0 ? a / (a + b) : 0.5   // inverse-error weights; an exact hit takes all
        case .best:
            if b < a * (1 - 1e-9) { chosen = bestStat }
        default:
            let w = Self.blendWeight(network: a, statistical: b, mean: mean)
            if w > 0 { chosen = bestStat; weight = w < 1 ? w : nil }
            errors["network+\(bestStat)"] = mean
        }
        state.validationErrors = errors
        state.choice = chosen
        if let observer {
            observer(CombinationEvidence(id: s.id, origins: origins,
                                         actual: origins.map { o in Array(s.target[o..<(o + H)]) },
                                         forecasts: paths.merging(["network": network]) { a, _ in a }))
        }
        // The chosen forecast's errors at the origins calibrate this series' intervals.
        let w = chosen == "network" ? 0 : weight ?? 1
        state.calibrationErrors = Self.pooledErrors(origins: origins, horizon: H, actual: s.target) { k in
            let stat = paths[chosen]?[k] ?? network[k]
            return (0..<H).map { Self.blend(w, stat[$0], network[k][$0]) }
        }
        if chosen != "network" {
            // `predict`'s network source is calibrated on the network's own errors, where out of sample.
            state.networkCalibrationErrors = networkErrors(s, origins: origins, network: network,
                                                           outOfSample: networkOutOfSample)
        }
        if let model = Baseline(rawValue: chosen) {
            state.statForecast = statisticalForecast(model, history: s.target, horizon: 4 * H, state: state,
                                                     parallelFits: parallelFits)
            state.statWeight = weight
        }
        return state
    }
}

/// Hands out the indices of a range once each, to whichever thread asks first.
private final class NextIndex: @unchecked Sendable {
    private let lock = NSLock()
    private var next: Int
    private let end: Int
    init(_ range: Range<Int>) { next = range.lowerBound; end = range.upperBound }
    func take() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < end else { return nil }
        defer { next += 1 }
        return next
    }
}

import Dispatch
import Foundation
