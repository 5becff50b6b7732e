import Dispatch
import Foundation
import ForecastData
import ForecastNN

extension Forecaster {
    /// `fit(_:config:idColumn:skipShortSeries:warmStart:progress:)` with the command line's hooks
    /// (progress, and a stop request polled after every batch) and its notes in `warnings`.
    /// `leftOut`: panel series the loader could not use (`SeriesLoader.Result.leftOut`, already
    /// reported), kept beside the short ones so that `predict` still answers for them.
    package static func fit(_ input: [TimeSeries], config given: ForecasterConfig, idColumn: String? = nil,
                            hooks: TrainingHooks = TrainingHooks(), skipShortSeries: Bool = true,
                            warmStart: Forecaster? = nil, leftOut: [TimeSeries] = [],
                            warnings: inout [String]) throws -> Forecaster {
        try given.validate()
        // Series in id order: the model does not depend on the order of the rows (Spark, for one,
        // guarantees none).
        let input = input.count > 1 ? input.sorted { ($0.id ?? "") < ($1.id ?? "") } : input
        guard let first = input.first else { throw ForecastError.configuration("no series to train on") }
        let clock = ContinuousClock()
        let started = clock.now
        var config = given
        let H = config.horizon
        func validationCount(_ n: Int) -> Int {
            config.validationFraction > 0 ? max(H, Int((Double(n) * config.validationFraction).rounded())) : 0
        }
        let lengths = input.map { $0.count - validationCount($0.count) }
        // Seasons are detected on everything given to fit, held-out part included: more seasons make
        // the test more powerful on short series (measured: detecting on the training parts only
        // scored 0.782 instead of 0.772 on the extra datasets, losing the season of two short
        // monthly and quarterly series; Benchmarks/accuracy/results/rolling_all_study_trainparts.md).
        // Scalers and each series' baseline period use the training part only.
        let periods = resolvePeriods(input, config: &config, trainLength: lengths.max()!, warnings: &warnings)
        let L = config.lookback ?? ForecasterConfig.defaultLookback(horizon: H, periods: periods, length: lengths.max()!)
        // Future covariates go last among the covariates.
        let futureNames = config.futureCovariates ?? []
        for name in futureNames where !first.covariateNames.contains(name) {
            throw ForecastError.configuration("the future covariate '\(name)' is not among the series' columns (\(first.covariateNames.joined(separator: ", ")))")
        }
        config.futureCovariates = futureNames.isEmpty ? nil : futureNames
        config.calendarFeatures = config.calendarFeatures ?? true
        config.allowNegative = config.allowNegative ?? false
        config.combine = config.combine ?? ForecasterConfig.defaultCombine
        var kept: [TimeSeries] = [], short: [TimeSeries] = []
        for s in input {
            if s.count >= L + H { kept.append(orderingCovariates(s, future: futureNames)); continue }
            let name = s.id.map { "series '\($0)'" } ?? "the series"
            let message = "\(name) has \(s.count) points, fewer than lookback + horizon = \(L) + \(H) = \(L + H)"
            if !skipShortSeries || input.count == 1 {
                throw ForecastError.configuration(message + "; use a shorter lookback or horizon, or more data")
            }
            warnings.append(message + "; left out of training (kept in the model: predict still forecasts it)")
            short.append(orderingCovariates(s, future: futureNames))
        }
        guard !kept.isEmpty else { throw ForecastError.configuration("every series is shorter than lookback + horizon = \(L + H)") }
        short += leftOut.sorted { ($0.id ?? "") < ($1.id ?? "") }.map { orderingCovariates($0, future: futureNames) }
        let calendar = CalendarFeatures(frequency: first.frequency, periods: periods, enabled: config.calendarFeatures!,
                                        length: kept.map(\.count).max()!)

        // One table of calendar features for the series on the panel's grid (see CalendarTable).
        let table = futureNames.isEmpty ? CalendarTable(kept, calendar: calendar, frequency: first.frequency) : nil
        var features: [SeriesFeatures] = []
        var trainCounts: [Int] = []
        for (i, s) in kept.enumerated() {
            var v = validationCount(s.count)
            if s.count - v < L + H { v = 0 }   // too short to hold out: train on all of it
            let trainCount = s.count - v
            let period = config.baseline == .seasonal
                ? bestBaselinePeriod(Array(s.target.prefix(trainCount)), candidates: periods.filter { $0 <= L }, horizon: H)
                : 1
            features.append(SeriesFeatures(s, fitOn: trainCount, kind: config.scaler, period: period, calendar: calendar,
                                           futureColumns: futureNames.count,
                                           shared: table.flatMap { t in t.offsets[i].map { (t.rows, $0) } }))
            trainCounts.append(trainCount)
        }
        // Validation windows: those whose targets end inside the held-out part. With at least two
        // horizons held out, early stopping watches the earlier ones and the intervals are
        // calibrated on the last horizon's windows, which early stopping never selected on.
        let validationRanges = zip(kept, trainCounts).map { s, n in (n + 1)..<(s.count + 1) }   // empty without a split
        let split = zip(kept, trainCounts).map { s, n in s.count - n >= 2 * H }
        let stoppingRanges = zip(validationRanges, split).map { r, apart in apart ? r.lowerBound..<(r.upperBound - H) : r }
        let calibrationRanges = zip(validationRanges, split).map { r, apart in apart ? (r.upperBound - H)..<r.upperBound : r }

        // The members: seeds seed, seed+1, ...; lookbacks alternate between L and 1.5 L (when the
        // lookback was not given and every series is long enough).
        let members = config.ensembleSize ?? warmStart?.members.count ?? ForecasterConfig.defaultEnsembleSize
        config.ensembleSize = members
        let room = zip(kept, trainCounts).map { s, n in n == s.count ? s.count - H : n - H }.min()!
        let longer = given.lookback == nil ? min(L * 3 / 2, max(L, room)) : L
        let lookbacks = (0..<members).map { $0 % 2 == 0 ? L : longer }
        config.lookback = lookbacks.max()!
        let trainWindows = lookbacks.map { Lk in
            Array(Windows(spec: WindowSpec(lookback: Lk, horizon: H, stride: config.stride),
                          targetEnds: trainCounts.map { (Lk + H)..<($0 + 1) }))
        }
        let validation = lookbacks.map { Array(Windows(spec: WindowSpec(lookback: $0, horizon: H), targetEnds: stoppingRanges)) }
        let calibration = lookbacks.map { Array(Windows(spec: WindowSpec(lookback: $0, horizon: H), targetEnds: calibrationRanges)) }
        if validation[0].isEmpty { warnings.append("too little data for a validation split: early stopping watches the training loss and intervals are calibrated on training windows (optimistic)") }
        let batch = min(config.batchSize, max(1, trainWindows[0].count))
        let stepsPerEpoch = (trainWindows[0].count + batch - 1) / batch
        let maxSteps = config.maxSteps ?? config.epochs.map { $0 * stepsPerEpoch }
            ?? ForecasterConfig.defaultSteps(windows: trainWindows[0].count, batchSize: batch)
        config.maxSteps = maxSteps
        config.epochs = nil

        let netConfig = NetworkConfig(inputSize: 1 + first.covariates.count - futureNames.count, horizon: H,
                                      hiddenSize: config.hiddenSize, layers: config.layers, encoder: config.encoder,
                                      decoder: config.decoder, decoderStart: config.decoderStart, dropout: config.dropout,
                                      futureSize: calendar.count + futureNames.count)
        // Members train in parallel, one thread each, when there are several and threads allow;
        // a member's result depends only on its own seed and thread count.
        let parallel = members > 1 && config.threads > 1
        var trainers: [Trainer] = []
        for k in 0..<members {
            var c = config
            c.seed = config.seed &+ UInt64(k)
            c.threads = parallel ? 1 : config.threads
            let network = makeNetwork(netConfig, seed: c.seed)
            if let warmStart {
                guard warmStart.network.config == netConfig, warmStart.members.count == members else {
                    throw ForecastError.configuration("the model to resume has \(warmStart.members.count) different networks (\(warmStart.network.config.encoder)->\(warmStart.network.config.decoder), hidden \(warmStart.network.config.hiddenSize), \(warmStart.network.config.inputSize) inputs, \(warmStart.network.config.futureSize) future inputs, horizon \(warmStart.network.config.horizon)) than this data and configuration give (\(members) members)")
                }
                for (p, q) in zip(network.parameters, warmStart.members[k].network.parameters) { p.value.copy(from: q.value) }
            }
            let encoding = WindowEncoding(lookback: lookbacks[k], horizon: H, features: netConfig.inputSize,
                                          futureSize: netConfig.futureSize, baseline: config.baseline)
            trainers.append(Trainer(network: network, series: features, encoding: encoding, config: c, maxSteps: maxSteps,
                                    member: k, members: members))
        }
        let outcomes = UnsafeMutableBufferPointer<Result<TrainingSummary, Error>>.allocate(capacity: members)
        defer { outcomes.deallocate() }
        nonisolated(unsafe) let slots = outcomes
        nonisolated(unsafe) let work = trainers
        let windows = trainWindows, checks = validation
        let lanes = parallel ? min(config.threads, members) : 1
        var next = 0
        while next < members {
            let group = next..<min(members, next + lanes)
            DispatchQueue.concurrentPerform(iterations: group.count) { i in
                let k = group.lowerBound + i
                (slots.baseAddress! + k).initialize(to: Result { try work[k].run(train: windows[k], validation: checks[k], hooks: hooks) })
            }
            next = group.upperBound
        }
        var summaries: [TrainingSummary] = []
        for k in 0..<members { summaries.append(try outcomes[k].get()) }
        let ensemble = (0..<members).map {
            EnsembleMember(network: trainers[$0].network, lookback: lookbacks[$0], seed: trainers[$0].config.seed, summary: summaries[$0])
        }
        let residuals = calibrationResiduals(trainers, calibration[0].isEmpty ? trainWindows.map { Array($0) } : calibration)

        let Lmax = config.lookback!
        let states = zip(kept, features).map { s, f in
            let tail = s.suffix(Lmax)
            return SeriesState(id: s.id, frequency: s.frequency, timeFormat: s.timeFormat, targetScaler: f.targetScaler,
                               covariateScalers: f.covariateScalers, tailTimes: tail.timestamps, tailTarget: tail.target,
                               tailCovariates: tail.covariates, firstTime: s.formattedTime(0),
                               lastTime: s.formattedTime(s.count - 1), count: s.count, baselinePeriod: f.period,
                               nonNegative: !config.allowNegative! && s.target.allSatisfy { $0 >= 0 })
        }
        var summary = summaries[0]
        summary.interrupted = summaries.contains { $0.interrupted }
        let fitted = Forecaster(config: config, members: ensemble, targetName: first.targetName,
                                covariateNames: kept[0].covariateNames, timeColumn: first.timeColumn, idColumn: idColumn,
                                series: states, residuals: residuals, summary: summary)
        let validators = try crossValidationFits(kept, trainCounts: trainCounts, given: given, config: config,
                                                 windows: trainWindows[0].count, hooks: hooks)
        let combined = try fitted.with(series: fitted.combination(kept, validators: validators, observer: hooks.onCombination))
        var total = combined.summary
        total.seconds = secondsSince(started, clock)
        return Forecaster(config: config, members: ensemble, targetName: first.targetName,
                          covariateNames: kept[0].covariateNames, timeColumn: first.timeColumn, idColumn: idColumn,
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
    /// - Parameters:
    ///   - input: one series, or the series of a panel (each with an `id`).
    ///   - config: the settings; unset ones get their defaults (the result's `config` has them all).
    ///   - idColumn: the panel's id column, recorded for `predict`'s output.
    ///   - skipShortSeries: in a panel, leave out series shorter than lookback + horizon with a
    ///     warning (else fail).
    ///   - warmStart: a model whose weights training starts from; its networks must match the ones
    ///     `config` describes.
    ///   - progress: called after every evaluation round of every ensemble member.
    /// - Throws: `ForecastError` (`configuration`) for bad settings or too little data, (`training`) when
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
        let cancelled = CancellationFlag()
        let watched = TrainingHooks(onEpoch: progress, shouldStop: { cancelled.isSet })
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (done: CheckedContinuation<Forecaster, Error>) in
                Thread.detachNewThread {
                    done.resume(with: Result {
                        var warnings: [String] = []
                        let model = try fit(input, config: config, idColumn: idColumn, hooks: watched,
                                            skipShortSeries: skipShortSeries, warmStart: warmStart, warnings: &warnings)
                        if cancelled.isSet { throw ForecastError.interrupted("the fit") }
                        return model
                    })
                }
            }
        } onCancel: {
            cancelled.set()
        }
    }

    /// Per combination origin (newest first), the same fit on every series cut at that origin, so
    /// that the network's errors there are out of sample, as the statistical models' are (time-series
    /// cross-validation with refits); nil for the origins that the held-out part of every series
    /// already covers, and for all when no combination is made or when a refit would cost more than
    /// `crossValidationWindowLimit` training windows (a large panel, whose held-out part covers the
    /// origins or whose global model gains little from any one series' last blocks).
    ///
    /// Without them, a short series' older origins lie in the network's training windows, its
    /// errors there are in-sample, and the combination favours it where it only memorised (measured
    /// on short yearly count series: validation errors a third of seasonal naive's, test errors
    /// twice). One refit at the oldest origin instead was too pessimistic for the newer ones (it
    /// misses 4 horizons of an already short series).
    static func crossValidationFits(_ kept: [TimeSeries], trainCounts: [Int], given: ForecasterConfig,
                                    config: ForecasterConfig, windows: Int, hooks: TrainingHooks) throws -> [Forecaster?] {
        let none = [Forecaster?](repeating: nil, count: combinationOrigins)
        guard config.combine != .network, (config.futureCovariates ?? []).isEmpty || config.combine != .auto,
              windows <= crossValidationWindowLimit else { return none }
        var c = given
        c.combine = .network
        c.seasonalPeriods = config.seasonalPeriods
        c.seasonalPeriod = config.seasonalPeriod
        c.ensembleSize = config.ensembleSize
        let H = config.horizon
        return try (1...combinationOrigins).map { j -> Forecaster? in
            guard zip(kept, trainCounts).contains(where: { s, n in s.count - n < j * H }) else { return nil }
            let cut = kept.filter { $0.count > j * H }.map { $0.prefix($0.count - j * H) }
            guard !cut.isEmpty else { return nil }
            var notes: [String] = []
            do {
                return try fit(cut, config: c, hooks: TrainingHooks(shouldStop: hooks.shouldStop), warnings: &notes)
            } catch let e as ForecastError where e.kind == .configuration {
                _ = e
                return nil   // too little data once cut: this origin keeps the in-sample network
            }
        }
    }

    /// The most training windows for which `fit` refits its network on the cut data to score the
    /// combination origins out of sample (see `crossValidationFits`).
    static let crossValidationWindowLimit = 20_000

    /// |median prediction − actual| per horizon step over the windows (one list per member, in the
    /// same order), sorted, in scaled units.
    static func calibrationResiduals(_ trainers: [Trainer], _ windows: [[Window]]) -> [[Float]] {
        let H = trainers[0].encoding.horizon, F = trainers[0].encoding.features, Ff = trainers[0].encoding.futureSize
        var out = [[Float]](repeating: [], count: H)
        let chunk = 256
        let y = FloatBuffer(count: H * chunk)
        let f = FloatBuffer(count: max(1, H * chunk * Ff))
        let xs = trainers.map { FloatBuffer(count: $0.encoding.lookback * chunk * F) }
        let workspace = InferenceWorkspace()
        var values = [Float](repeating: 0, count: trainers.count)
        var start = 0
        while start < windows[0].count {
            let end = min(start + chunk, windows[0].count), n = end - start
            var ps: [[Float]] = []
            for (k, t) in trainers.enumerated() {
                t.gather(windows[k][start..<end], x: xs[k].pointer, f: f.pointer, y: y.pointer)
                let p = t.predict(xs[k].pointer, f.pointer, batch: n, workspace: workspace)
                ps.append(withExtendedLifetime(workspace) { Array(UnsafeBufferPointer(start: p, count: H * n)) })
            }
            for h in 0..<H {
                for b in 0..<n {
                    for k in 0..<trainers.count { values[k] = ps[k][h * n + b] }
                    out[h].append(abs(median(&values) - y[h * n + b]))
                }
            }
            start = end
        }
        return out.map { $0.sorted() }
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
            for p in Seasonality.detect(s.target, candidates: candidates) { votes[p, default: 0] += 1 }
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

/// A flag one thread sets and others poll (task cancellation reaching a training loop).
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
