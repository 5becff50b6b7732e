import Dispatch
import Foundation
import ForecastData
import ForecastNN

extension Forecaster {
    /// `fit(_:config:idColumn:skipShortSeries:warmStart:progress:)` with the command line's hooks
    /// (progress, and a stop request polled after every batch) and its notes in `warnings`.
    /// `leftOut`: panel series the loader could not use (`SeriesLoader.Result.leftOut`, already
    /// reported), kept beside the short ones so that `predict` still answers for them.
    ///
    /// `input` is consumed: when the caller gives up its own references (`consume`), each series'
    /// values are freed as soon as the combination is done with them.
    package static func fit(_ input: consuming [TimeSeries], config given: ForecasterConfig, idColumn: String? = nil,
                            hooks: TrainingHooks = TrainingHooks(), skipShortSeries: Bool = true,
                            warmStart: Forecaster? = nil, leftOut: [TimeSeries] = [], crossValidates: Bool = true,
                            scaleChanges: [String: Bool]? = nil, warnings: inout [String]) throws -> Forecaster {
        try given.validate()
        try TimeSeries.validatePanel(input)
        if given.dropout > 0 && given.layers == 1 {
            warnings.append("dropout acts between stacked layers: with one layer it has no effect (use 2 or more layers)")
        }
        // Series in id order: the model does not depend on the order of the rows (Spark, for one,
        // guarantees none).
        if input.count > 1 { input.sort { ($0.id ?? "") < ($1.id ?? "") } }
        guard let first = input.first else { throw ForecastError.configuration("no series to train on") }
        let clock = ContinuousClock()
        let started = clock.now
        var config = given
        let H = config.horizon
        let lengths = input.map { $0.count - validationCount($0.count, config: config) }
        // Seasons are detected on everything given to fit, held-out part included: more seasons make
        // the test more powerful on short series (measured: detecting on the training parts only
        // scored 0.782 instead of 0.772 on the extra datasets, losing the season of two short
        // monthly and quarterly series; Benchmarks/accuracy/results/rolling_all_study_trainparts.md).
        // Scalers and each series' baseline period use the training part only.
        let periods = resolvePeriods(input, config: &config, trainLength: lengths.max()!, warnings: &warnings)
        // Given lookbacks, cycled over the members, must all fit; the default's 1.5 L is bounded by the data.
        let members = config.ensembleSize ?? warmStart?.plainMembers.count ?? ForecasterConfig.defaultEnsembleSize
        config.ensembleSize = members
        let cycled = config.memberLookbacks(cycledOver: members)
        let L = cycled?.min() ?? config.lookback
            ?? ForecasterConfig.defaultLookback(horizon: H, periods: periods, length: lengths.max()!)
        let longest = cycled?.max() ?? L
        // Future covariates go last among the covariates.
        let futureNames = config.futureCovariates ?? []
        for name in futureNames where !first.covariateNames.contains(name) {
            throw ForecastError.configuration("the future covariate '\(name)' is not among the series' columns (\(first.covariateNames.joined(separator: ", ")))")
        }
        config.futureCovariates = futureNames.isEmpty ? nil : futureNames
        config.calendarFeatures = config.calendarFeatures ?? true
        // A warm start keeps the features its weights were trained with (models of format 3 and
        // earlier count yearly seasons in steps).
        config.yearPhaseFromDate = warmStart.map { $0.config.yearPhaseFromDate ?? false } ?? true
        // Day-of-week inputs only for data with a weekly cycle (format 5 on; nil: by length alone).
        config.weeklyCycle = warmStart.map { $0.config.weeklyCycle } ?? detectWeeklyCycle(input)
        // No position input for the primary period (format 6 on; nil: included), unless asked for.
        config.primaryPeriodPosition = warmStart.map { $0.config.primaryPeriodPosition } ?? config.primaryPeriodPosition ?? false
        config.allowNegative = config.allowNegative ?? false
        config.combine = config.combine ?? ForecasterConfig.defaultCombine
        var kept: [TimeSeries] = [], short: [TimeSeries] = []
        kept.reserveCapacity(input.count)
        for i in input.indices {
            let s = input[i]
            if s.count >= longest + H {
                try s.validateValues()
                kept.append(orderingCovariates(s, future: futureNames))
                continue
            }
            let name = s.id.map { "series '\($0)'" } ?? "the series"
            let message = "\(name) has \(s.count == 1 ? "1 point" : "\(s.count) points"), fewer than lookback + horizon = \(longest) + \(H) = \(longest + H)"
            if !skipShortSeries || input.count == 1 {
                let defaulted = config.lookback == nil && config.memberLookbacks == nil && input.count == 1
                throw ForecastError.configuration(message + (defaulted
                    ? " (the default lookback for this data); use a shorter horizon or more data"
                    : "; use a shorter lookback or horizon, or more data"))
            }
            guard s.count > 0 else {   // nothing to forecast from (say, every point held out)
                warnings.append("\(name) has no points; left out of the model")
                continue
            }
            warnings.append(message + "; left out of training (kept in the model: predict still forecasts it)")
            var whole = orderingCovariates(s, future: futureNames)
            whole.unpackTarget()   // the model keeps a short series whole, as Double
            short.append(whole)
        }
        guard !kept.isEmpty else { throw ForecastError.configuration("every series is shorter than lookback + horizon = \(longest + H)") }
        // One global network reads one calendar: the series it trains on share a frequency.
        if let other = kept.first(where: { $0.frequency.name != kept[0].frequency.name }) {
            throw ForecastError(.data, message: "series '\(other.id ?? "")' is \(other.frequency.name) and series '\(kept[0].id ?? "")' \(kept[0].frequency.name); the series a panel trains on have one frequency")
        }
        short += leftOut.sorted { ($0.id ?? "") < ($1.id ?? "") }.map { orderingCovariates($0, future: futureNames) }
        input = []   // `kept` and `short` hold the series now
        // Training reads packed targets as they come (the command line's loader packs them,
        // `SeriesLoader.Options.packsTargets`), and the combination unpacks a chunk of series at a
        // time. Series given as Double stay so: their caller holds the values, so packing copies
        // here would add to the memory, not replace it.
        releaseFreedMemory()   // what reading the data freed (a streamed panel's blocks, on two threads)
        // The series whose scale changed (a cross-validation refit takes its fit's: `scaleChanges`,
        // by id), and whether window-scaled members train for them (a warm start keeps its model's).
        let changed = config.windowScaling == true || config.scaledMembers == false ? kept.map { _ in false }
            : kept.map { s in scaleChanges.map { $0[s.id ?? ""] ?? false } ?? scaleChanged(s, config: config) }
        let withScaled = warmStart?.hasScaledMembers ?? changed.contains(true)
        // Training's working set (scaled copies, windows, trainers) ends with `trainMembers`, before
        // the combination allocates its own (issue 16: peak memory of a 10,000-series fit).
        let trained = try trainMembers(kept, first: first, periods: periods, lookback: L, futureNames: futureNames,
                                       given: given, config: &config, scaled: withScaled, scaleChanged: changed,
                                       warmStart: warmStart, hooks: hooks, warnings: &warnings)
        let (ensemble, residuals, summaries) = (trained.members, trained.residuals, trained.summaries)
        releaseFreedMemory()
        var summary = summaries[0]
        summary.interrupted = summaries.contains { $0.interrupted }
        let fitted = Forecaster(config: config, members: ensemble, targetName: first.targetName,
                                covariateNames: kept[0].covariateNames, timeColumn: first.timeColumn, idColumn: idColumn,
                                series: trained.states, residuals: residuals, summary: summary)
        var refitsStopped = false
        let validators = crossValidates
            ? try crossValidationFits(kept, trainCounts: trained.trainCounts, given: given, config: config,
                                      scaleChanges: withScaled ? Dictionary(zip(kept.map { $0.id ?? "" }, changed)) { a, _ in a } : [:],
                                      windows: trained.trainWindowCount, warmStarted: warmStart != nil, hooks: hooks,
                                      stopped: &refitsStopped)
            : []
        let covariateNames = kept[0].covariateNames
        let combined = try fitted.with(series: fitted.combination(releasing: &kept, validators: validators,
                                                                  trainCounts: trained.trainCounts, scoresNetwork: crossValidates,
                                                                  observer: hooks.onCombination))
        var total = combined.summary
        total.seconds = secondsSince(started, clock)
        // A stop asked for once the networks had finished, during the cross-validation refits:
        // those stopped early (or were left out), so the combination and the intervals rest on less
        // trained networks at the older origins. The model is whole, but the fit is reported as
        // interrupted (the command line saves it and exits with the interrupted status).
        if refitsStopped && !total.interrupted {
            total.interrupted = true
            warnings.append("stopped during the cross-validation refits: the combination and the intervals scored the network at some validation origins with networks that stopped early; fit again for the full validation")
        }
        return Forecaster(config: config, members: ensemble, targetName: first.targetName,
                          covariateNames: covariateNames, timeColumn: first.timeColumn, idColumn: idColumn,
                          series: combined.series, shortSeries: short, residuals: residuals, summary: total, warnings: warnings)
    }

    /// Trains a forecaster on one series or a panel (a global model across series): an ensemble of
    /// `config.ensembleSize` networks that differ in seed and lookback (trained in parallel when
    /// `config.threads` allows), then, per series, the combination with the statistical models
    /// that `config.combine` asks for, scored on the last validation origins of its training part.
    /// Notes for the user (skipped series, shortened settings) are in the result's `warnings`.
    ///
    ///     let model = try Forecaster.fit([series], config: ForecasterConfig(horizon: 12))
    ///     for note in model.warnings { print(note) }
    ///
    /// Inside an `async` function Swift picks the asynchronous overload (same arguments), so the
    /// call there is `try await Forecaster.fit(...)`: it trains off the calling task and can be
    /// cancelled.
    ///
    /// - Parameters:
    ///   - input: one series, or the series of a panel (each with an `id`).
    ///   - config: the settings; unset ones get their defaults (the result's `config` has those
    ///     `fit` chose set).
    ///   - idColumn: the panel's id column, recorded for `predict`'s output.
    ///   - skipShortSeries: in a panel, leave out series shorter than the longest lookback +
    ///     horizon with a warning (else fail).
    ///   - warmStart: a model whose weights training starts from; its networks must match the ones
    ///     `config` describes.
    ///   - progress: called after every evaluation round of every ensemble member.
    /// - Throws: `ForecastError` (`data`) for series that are not valid (`TimeSeries/validate()`: the
    ///   layout of every series, the values of those it trains on, a panel's ids, covariate columns
    ///   and frequency), (`configuration`) for bad settings or too little data, (`training`) when
    ///   training diverges.
    public static func fit(_ input: [TimeSeries], config: ForecasterConfig, idColumn: String? = nil,
                           skipShortSeries: Bool = true, warmStart: Forecaster? = nil,
                           progress: (@Sendable (EpochReport) -> Void)? = nil) throws -> Forecaster {
        var warnings: [String] = []
        return try fit(input, config: config, idColumn: idColumn, hooks: TrainingHooks(onEpoch: progress),
                       skipShortSeries: skipShortSeries, warmStart: warmStart, warnings: &warnings)
    }

    /// Trains a forecaster off the calling task (on its own threads, as `config.threads` says);
    /// cancelling the task stops training after the current batch and throws a `ForecastError` of
    /// kind `interrupted` (no half-trained model is returned).
    ///
    ///     let task = Task { try await Forecaster.fit([series], config: ForecasterConfig(horizon: 12)) }
    ///     task.cancel()   // ends training within one batch
    public static func fit(_ input: [TimeSeries], config: ForecasterConfig, idColumn: String? = nil,
                           skipShortSeries: Bool = true, warmStart: Forecaster? = nil,
                           progress: (@Sendable (EpochReport) -> Void)? = nil) async throws -> Forecaster {
        try await runOffTask("the fit", progress: progress) { hooks in
            var warnings: [String] = []
            return try fit(input, config: config, idColumn: idColumn, hooks: hooks,
                           skipShortSeries: skipShortSeries, warmStart: warmStart, warnings: &warnings)
        }
    }

    /// Per combination origin (newest first), the same fit on every series cut at that origin, so
    /// that the network's errors there are out of sample, as the statistical models' are (time-series
    /// cross-validation with refits); nil for the origins that the held-out part of every series
    /// already covers, and for all when a refit would cost more than `crossValidationWindowLimit`
    /// training windows (a large panel, whose held-out part covers the origins or whose global model
    /// gains little from any one series' last blocks). Without a combination (`CombineMode.network`)
    /// the network's errors there calibrate its intervals.
    ///
    /// Without them, a short series' older origins lie in the network's training windows, its
    /// errors there are in-sample, and the combination favours it where it only memorised (measured
    /// on short yearly count series: validation errors a third of seasonal naive's, test errors
    /// twice). One refit at the oldest origin instead was too pessimistic for the newer ones (it
    /// misses 4 horizons of an already short series).
    ///
    /// The refits train from fresh weights, also after a warm start (whose model may have seen the
    /// origins): `warmStarted` gives them a fresh fit's default step budget rather than the warm
    /// start's, which is a fine-tuning budget (a warm start with `--max-steps 50` gave refits of 50
    /// steps from random weights, whose errors made the network look worse than it is).
    ///
    /// `scaleChanges` (by series id) says which series mix in the window-scaled members, so that
    /// the refits forecast each series as this fit will.
    static func crossValidationFits(_ kept: [TimeSeries], trainCounts: [Int], given: ForecasterConfig,
                                    config: ForecasterConfig, scaleChanges: [String: Bool] = [:],
                                    windows: Int, warmStarted: Bool = false,
                                    hooks: TrainingHooks, stopped: inout Bool) throws -> [Forecaster?] {
        let none = [Forecaster?](repeating: nil, count: combinationOrigins)
        guard windows <= crossValidationWindowLimit else { return none }
        var c = given
        if warmStarted { (c.maxSteps, c.epochs) = (nil, nil) }
        c.combine = .network
        c.seasonalPeriods = config.seasonalPeriods
        c.seasonalPeriod = config.seasonalPeriod
        c.ensembleSize = config.ensembleSize
        let H = config.horizon
        var refits: [Forecaster?] = []
        for j in 1...combinationOrigins {
            guard zip(kept, trainCounts).contains(where: { s, n in s.count - n < j * H }) else { refits.append(nil); continue }
            let cut = kept.filter { $0.count > j * H }.map { $0.prefix($0.count - j * H) }
            guard !cut.isEmpty else { refits.append(nil); continue }
            var notes: [String] = []
            do {
                refits.append(try fit(cut, config: c, hooks: TrainingHooks(shouldStop: hooks.shouldStop), crossValidates: false,
                                      scaleChanges: scaleChanges, warnings: &notes))
            } catch let e as ForecastError where e.kind == .configuration || e.kind == .interrupted {
                // Too little data once cut, or stopped before the refit trained (the fit being
                // stopped keeps its best weights): this origin keeps the in-sample network.
                _ = e
                refits.append(nil)
            }
            if hooks.shouldStop?() == true { stopped = true }
        }
        return refits
    }

    /// The most training windows for which `fit` refits its network on the cut data to score the
    /// combination origins out of sample (see `crossValidationFits`).
    static let crossValidationWindowLimit = 20_000

    /// |median prediction − actual| per horizon step over the windows (one list per member, in the
    /// same order), sorted, in scaled units, each capped as `Forecaster` keeps it (`capped`).
    ///
    /// The residuals are gathered in one array of H × windows (23 MB at a 10,000-series panel's
    /// 240,000 calibration windows) and sorted in place, step by step: growing lists and sorted
    /// copies of them took three times that at the end of training.
    static func calibrationResiduals(_ trainers: [Trainer], _ windows: [Windows]) -> [[Float]] {
        let H = trainers[0].encoding.horizon, F = trainers[0].encoding.features, Ff = trainers[0].encoding.futureSize
        let N = windows[0].count
        var out = [Float](repeating: 0, count: H * N)   // step h's residuals at h * N ..< (h + 1) * N
        let chunk = 256
        let y = FloatBuffer(count: H * chunk)
        let f = FloatBuffer(count: max(1, H * chunk * Ff))
        let xs = trainers.map { FloatBuffer(count: $0.encoding.lookback * chunk * F) }
        // Each member's window scales (members' lookbacks differ, and so may their scales): outputs
        // and targets go back to the series' scaled units before the median and the residual.
        let scales = trainers.map { _ in FloatBuffer(count: chunk) }
        let workspace = InferenceWorkspace()
        var values = [Float](repeating: 0, count: trainers.count)
        var start = 0
        while start < windows[0].count {
            let end = min(start + chunk, windows[0].count), n = end - start
            var ps: [[Float]] = []
            for (k, t) in trainers.enumerated() {
                t.gather(windows[k][start..<end], x: xs[k].pointer, f: f.pointer, y: y.pointer, scales: scales[k].pointer)
                let p = t.predict(xs[k].pointer, f.pointer, batch: n, workspace: workspace)
                ps.append(withExtendedLifetime(workspace) { Array(UnsafeBufferPointer(start: p, count: H * n)) })
            }
            let last = scales[trainers.count - 1]   // `y` holds the last member's targets
            for h in 0..<H {
                for b in 0..<n {
                    for k in 0..<trainers.count { values[k] = ps[k][h * n + b] * scales[k][b] }
                    out[h * N + start + b] = abs(median(&values) - y[h * n + b] * last[b])
                }
            }
            start = end
        }
        return (0..<H).map { h in
            out[(h * N)..<((h + 1) * N)].sort()
            return capped(Array(out[(h * N)..<((h + 1) * N)]))
        }
    }

    /// The points of an `n`-point series held out for validation: `config.validationFraction` of
    /// them, at least one horizon, or none when the fraction is 0.
    static func validationCount(_ n: Int, config: ForecasterConfig) -> Int {
        let f = config.validationFraction
        return f > 0 ? max(config.horizon, Int((Double(n) * f).rounded())) : 0
    }

    static func orderingCovariates(_ s: TimeSeries, future: [String]) -> TimeSeries {
        guard !future.isEmpty else { return s }
        var out = s
        let past = s.covariateNames.filter { !future.contains($0) }
        out.covariateNames = past + future
        out.covariates = out.covariateNames.map { s.covariates[s.covariateNames.firstIndex(of: $0)!] }
        return out
    }

    /// The seasonal periods to use (primary first): given, or detected on the series given to `fit`.
    /// Sets `seasonalPeriods`, `seasonalPeriod` and `periodsDetected` in `config`.
    static func resolvePeriods(_ input: [TimeSeries], config: inout ForecasterConfig, trainLength: Int,
                               warnings: inout [String]) -> [Int] {
        var periods: [Int]
        let H = config.horizon
        if let given = config.seasonalPeriods ?? config.seasonalPeriod.map({ $0 > 1 ? [$0] : [] }) {
            periods = []
            for p in given where !periods.contains(p) {
                if trainLength - H < 2 * p {
                    warnings.append("the seasonal period \(p) is dropped: it needs at least two seasons plus the horizon (\(2 * p + H) points), the training data have \(trainLength)")
                } else {
                    periods.append(p)
                }
            }
            config.periodsDetected = false
        } else {
            periods = detectPeriods(input, horizon: H)
            config.periodsDetected = true
        }
        config.seasonalPeriods = periods
        config.seasonalPeriod = periods.first ?? 1
        return periods
    }

    /// Whether a tenth of the series (at most 512 tested, evenly spread) show a weekly cycle: a
    /// significant autocorrelation at one week, as `Seasonality` tests it, in the series itself
    /// (daily data) or in its change over a day (finer data: a daily cycle alone makes every
    /// multiple of a day a peak of the series' own autocorrelation). True when the data are too
    /// short to test it or have no weekly candidate (the weekday features then follow the length
    /// rule alone). Measured on the hourly and daily series of the benchmark sets: the weekly
    /// cycle of flight departures, ridership, births and NO₂ passes, temperature and London's
    /// murders do not.
    static func detectWeeklyCycle(_ input: [TimeSeries]) -> Bool {
        let sample = Trainer.spread(input, atMost: 512)
        var votes = 0, tested = 0
        for s in sample {
            guard case .seconds(let step) = s.frequency, step > 0, step <= 86_400, 86_400 % step == 0 else { continue }
            let day = Int(86_400 / step), week = 7 * day
            // Too short to test (Seasonality tests a period on at most maxPoints values, three
            // cycles at least): skip before computing autocorrelations that could not decide it.
            guard min(s.count - day, Seasonality.maxPoints) >= 3 * week else { continue }
            var values = s.targetValues(0..<s.count)
            if day > 1 { values = (day..<values.count).map { values[$0] - values[$0 - day] } }
            guard let significant = Seasonality.isSignificant(values, period: week,
                                                             candidates: Seasonality.candidates(for: s.frequency)) else { continue }
            tested += 1
            if significant { votes += 1 }
        }
        return tested == 0 || votes >= max(1, (sample.count + 9) / 10)
    }

    /// Periods found in at least a tenth of the series (at most 512 series are tested, evenly
    /// spread), shortest first: a panel's global model gets the features of every season that a
    /// fair share of its series shows, and each series then picks its own baseline period. A single series whose natural calendar period cannot be tested
    /// (fewer than three seasons) keeps that period when it has two seasons plus the horizon.
    static func detectPeriods(_ input: [TimeSeries], horizon H: Int) -> [Int] {
        let sample = Trainer.spread(input, atMost: 512)
        var votes: [Int: Int] = [:]
        var untested = 0
        for s in sample {
            let candidates = Seasonality.candidates(for: s.frequency)
            for p in Seasonality.detect(s.targetValues(0..<s.count), candidates: candidates) { votes[p, default: 0] += 1 }
            let natural = s.frequency.seasonalPeriod
            if natural > 1, s.count < 3 * natural, s.count >= 2 * natural + H { untested += 1 }
        }
        let need = max(1, (sample.count + 9) / 10)
        var periods = votes.filter { $0.value >= need }.map(\.key).sorted()
        if periods.isEmpty, untested >= need, case let natural = input[0].frequency.seasonalPeriod, natural > 1 {
            periods = [natural]
        }
        return periods
    }

    /// The period (1 or one of `candidates`) whose seasonal-naive forecast has the smallest mean
    /// absolute error over up to 200 origins at the end of `y`; ties go to the earlier candidate.
    static func bestBaselinePeriod(_ y: [Double], candidates: [Int], horizon H: Int) -> Int {
        guard !candidates.isEmpty else { return 1 }
        let longest = candidates.max()!
        let firstOrigin = max(longest, y.count - H - 20 * H), lastOrigin = y.count - H
        guard lastOrigin > firstOrigin else { return candidates[0] }
        let count = lastOrigin - firstOrigin
        let origins = (0..<min(200, count)).map { firstOrigin + $0 * count / min(200, count) }
        var best = 1, bestError = Double.infinity
        for m in candidates + [1] {
            var e = 0.0
            for o in origins {
                for h in 0..<H {
                    let back = m * ((h / m) + 1)
                    e += abs(y[o + h] - y[o + h - back])
                }
            }
            if e < bestError * (1 - 1e-9) { best = m; bestError = e }
        }
        return best
    }

}

/// Runs `body` on its own thread with hooks that report `progress` and ask it to stop once the
/// calling task is cancelled; a cancelled run throws a `ForecastError` of kind `interrupted`
/// naming `what`, whatever `body` returned (no half-trained result).
func runOffTask<T: Sendable>(_ what: String, progress: (@Sendable (EpochReport) -> Void)?,
                          _ body: @escaping @Sendable (TrainingHooks) throws -> T) async throws -> T {
    let cancelled = CancellationFlag()
    let hooks = TrainingHooks(onEpoch: progress, shouldStop: { cancelled.isSet })
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<T, Error>) in
            Thread.detachNewThread {
                done.resume(with: Result {
                    let value = try body(hooks)
                    if cancelled.isSet { throw ForecastError.interrupted(what) }
                    return value
                })
            }
        }
    } onCancel: {
        cancelled.set()
    }
}

/// A flag one thread sets and others poll (task cancellation reaching a training loop).
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
