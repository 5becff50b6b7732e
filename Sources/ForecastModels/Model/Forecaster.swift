import ForecastData
import ForecastNN

/// What a forecaster remembers about one training series: its scalers and its last `lookback`
/// observations, so that it can forecast after the data without being given it again.
public struct SeriesState: Sendable, Codable, Equatable {
    public var id: String?
    public var frequency: Frequency
    public var timeFormat: TimeFormat
    public var targetScaler: Scaler
    public var covariateScalers: [Scaler]
    /// Timestamps of the tail.
    public var tailTimes: [Int64]
    /// Target values of the tail (original units).
    public var tailTarget: [Double]
    /// Covariate values of the tail, one array per covariate.
    public var tailCovariates: [[Double]]
    /// The first and last training timestamps, formatted.
    public var firstTime: String
    public var lastTime: String
    public var count: Int
    /// The period of the seasonal-naive forecast the network corrects for this series (1: the last
    /// value), chosen on its training part; absent in files of format 1 (the configuration's period).
    public var baselinePeriod: Int?
    /// Forecasts and interval bounds are clipped at 0 (every training value was >= 0 and negative
    /// forecasts were not allowed); absent in files of format 1 (no clipping).
    public var nonNegative: Bool?
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
    /// Central prediction intervals by coverage level (e.g. 0.8): lower and upper bounds per step.
    public var intervals: [(level: Double, lower: [Double], upper: [Double])]
    /// Steps past the trained horizon were produced by feeding forecasts back as inputs.
    public var recursive: Bool
}

/// A trained sequence-to-sequence forecaster: the network, the data's description, and the
/// validation residuals behind its prediction intervals. Darts' two verbs:
///
///     let model = try Forecaster.fit([series], config: ForecasterConfig(horizon: 12))
///     let forecast = try model.predict(horizon: 12)
public final class Forecaster: @unchecked Sendable {
    /// The configuration, with every default resolved.
    public let config: ForecasterConfig
    /// The network.
    public let network: any SequenceModel
    /// Names of the data columns.
    public let targetName: String
    public let covariateNames: [String]
    public let timeColumn: String
    public let idColumn: String?
    /// Per-series state, in training order.
    public let series: [SeriesState]
    /// For each horizon step, the sorted absolute validation residuals in scaled units
    /// (split-conformal calibration scores).
    public let residuals: [[Float]]
    /// What training did.
    public let summary: TrainingSummary

    init(config: ForecasterConfig, network: any SequenceModel, targetName: String, covariateNames: [String],
         timeColumn: String, idColumn: String?, series: [SeriesState], residuals: [[Float]], summary: TrainingSummary) {
        self.config = config
        self.network = network
        self.targetName = targetName
        self.covariateNames = covariateNames
        self.timeColumn = timeColumn
        self.idColumn = idColumn
        self.series = series
        self.residuals = residuals
        self.summary = summary
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
    var encoding: WindowEncoding {
        WindowEncoding(lookback: lookback, horizon: config.horizon, features: 1 + pastCovariateCount,
                       futureSize: calendar.count + futureCovariateNames.count, baseline: config.baseline)
    }

    /// Trains a forecaster on one series or a panel (a global model across series).
    ///
    /// - Parameters:
    ///   - skipShortSeries: in a panel, leave out series shorter than lookback + horizon with a
    ///     warning (else fail).
    ///   - warnings: notes for the user (skipped series, shortened settings).
    /// - Throws: `ConfigurationError` for bad settings or too little data; `TrainingError` when
    ///   training diverges.
    ///   - warmStart: a model whose weights training starts from (to resume an interrupted fit); its
    ///     network must match the one `config` describes.
    public static func fit(_ input: [TimeSeries], config given: ForecasterConfig, idColumn: String? = nil,
                           hooks: TrainingHooks = TrainingHooks(), skipShortSeries: Bool = true,
                           warmStart: Forecaster? = nil, warnings: inout [String]) throws -> Forecaster {
        try given.validate()
        guard let first = input.first else { throw ConfigurationError(message: "no series to train on") }
        var config = given
        let H = config.horizon
        func validationCount(_ n: Int) -> Int {
            config.validationFraction > 0 ? max(H, Int((Double(n) * config.validationFraction).rounded())) : 0
        }
        let lengths = input.map { $0.count - validationCount($0.count) }
        let periods = resolvePeriods(input, config: &config, trainLength: lengths.max()!, warnings: &warnings)
        let L = config.lookback ?? ForecasterConfig.defaultLookback(horizon: H, periods: periods, length: lengths.max()!)
        config.lookback = L
        // Future covariates go last among the covariates.
        let futureNames = config.futureCovariates ?? []
        for name in futureNames where !first.covariateNames.contains(name) {
            throw ConfigurationError(message: "the future covariate '\(name)' is not among the series' columns (\(first.covariateNames.joined(separator: ", ")))")
        }
        config.futureCovariates = futureNames.isEmpty ? nil : futureNames
        config.calendarFeatures = config.calendarFeatures ?? true
        config.allowNegative = config.allowNegative ?? false
        var kept: [TimeSeries] = []
        for s in input {
            if s.count >= L + H { kept.append(orderingCovariates(s, future: futureNames)); continue }
            let name = s.id.map { "series '\($0)'" } ?? "the series"
            let message = "\(name) has \(s.count) points, fewer than lookback + horizon = \(L) + \(H) = \(L + H)"
            if !skipShortSeries || input.count == 1 {
                throw ConfigurationError(message: message + "; use a shorter lookback or horizon, or more data")
            }
            warnings.append(message + "; skipped")
        }
        guard !kept.isEmpty else { throw ConfigurationError(message: "every series is shorter than lookback + horizon = \(L + H)") }
        let calendar = CalendarFeatures(frequency: first.frequency, periods: periods, enabled: config.calendarFeatures!,
                                        length: kept.map(\.count).max()!)

        let spec = WindowSpec(lookback: L, horizon: H, stride: config.stride)
        var features: [SeriesFeatures] = []
        var trainRanges: [Range<Int>] = [], validationRanges: [Range<Int>] = []
        for s in kept {
            var v = validationCount(s.count)
            if s.count - v < L + H { v = 0 }   // too short to hold out: train on all of it
            let trainCount = s.count - v
            let period = config.baseline == .seasonal
                ? bestBaselinePeriod(Array(s.target.prefix(trainCount)), candidates: periods.filter { $0 <= L }, horizon: H)
                : 1
            features.append(SeriesFeatures(s, fitOn: trainCount, kind: config.scaler, period: period, calendar: calendar,
                                           futureColumns: futureNames.count))
            trainRanges.append((L + H)..<(trainCount + 1))
            validationRanges.append((trainCount + 1)..<(s.count + 1))   // empty when v == 0
        }
        let train = Array(Windows(spec: spec, targetEnds: trainRanges))
        let validation = Array(Windows(spec: WindowSpec(lookback: L, horizon: H), targetEnds: validationRanges))
        if validation.isEmpty { warnings.append("too little data for a validation split: early stopping watches the training loss and intervals are calibrated on training windows (optimistic)") }
        let batch = min(config.batchSize, max(1, train.count))
        let stepsPerEpoch = (train.count + batch - 1) / batch
        let maxSteps = config.maxSteps ?? config.epochs.map { $0 * stepsPerEpoch }
            ?? ForecasterConfig.defaultSteps(windows: train.count, batchSize: batch)
        config.maxSteps = maxSteps
        config.epochs = nil

        let netConfig = NetworkConfig(inputSize: 1 + first.covariates.count - futureNames.count, horizon: H,
                                      hiddenSize: config.hiddenSize, layers: config.layers, encoder: config.encoder,
                                      decoder: config.decoder, decoderStart: config.decoderStart, dropout: config.dropout,
                                      futureSize: calendar.count + futureNames.count)
        let network = makeNetwork(netConfig, seed: config.seed)
        if let warmStart {
            guard warmStart.network.config == netConfig else {
                throw ConfigurationError(message: "the model to resume has a different network (\(warmStart.network.config.encoder)->\(warmStart.network.config.decoder), hidden \(warmStart.network.config.hiddenSize), \(warmStart.network.config.inputSize) inputs, \(warmStart.network.config.futureSize) future inputs, horizon \(warmStart.network.config.horizon)) than this data and configuration give")
            }
            for (p, q) in zip(network.parameters, warmStart.network.parameters) { p.value.copy(from: q.value) }
        }
        let encoding = WindowEncoding(lookback: L, horizon: H, features: netConfig.inputSize,
                                      futureSize: netConfig.futureSize, baseline: config.baseline)
        let trainer = Trainer(network: network, series: features, encoding: encoding, config: config, maxSteps: maxSteps)
        let summary = try trainer.run(train: train, validation: validation, hooks: hooks)
        let residuals = calibrationResiduals(trainer, validation.isEmpty ? train : validation)

        let states = zip(kept, features).map { s, f in
            let tail = s.suffix(L)
            return SeriesState(id: s.id, frequency: s.frequency, timeFormat: s.timeFormat, targetScaler: f.targetScaler,
                               covariateScalers: f.covariateScalers, tailTimes: tail.timestamps, tailTarget: tail.target,
                               tailCovariates: tail.covariates, firstTime: s.formattedTime(0),
                               lastTime: s.formattedTime(s.count - 1), count: s.count, baselinePeriod: f.period,
                               nonNegative: !config.allowNegative! && s.target.allSatisfy { $0 >= 0 })
        }
        return Forecaster(config: config, network: network, targetName: first.targetName,
                          covariateNames: kept[0].covariateNames, timeColumn: first.timeColumn, idColumn: idColumn,
                          series: states, residuals: residuals, summary: summary)
    }

    /// The series with its future covariates moved after the past ones, in the given order.
    static func orderingCovariates(_ s: TimeSeries, future: [String]) -> TimeSeries {
        guard !future.isEmpty else { return s }
        var out = s
        let past = s.covariateNames.filter { !future.contains($0) }
        out.covariateNames = past + future
        out.covariates = out.covariateNames.map { s.covariates[s.covariateNames.firstIndex(of: $0)!] }
        return out
    }

    /// The seasonal periods to use (primary first): given, or detected on the training parts.
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

    /// |prediction − actual| per horizon step over `windows`, sorted, in scaled units.
    static func calibrationResiduals(_ trainer: Trainer, _ windows: [Window]) -> [[Float]] {
        let H = trainer.encoding.horizon, L = trainer.encoding.lookback, F = trainer.encoding.features
        let Ff = trainer.encoding.futureSize
        var out = [[Float]](repeating: [], count: H)
        let chunk = 256
        let x = FloatBuffer(count: L * chunk * F), y = FloatBuffer(count: H * chunk)
        let f = FloatBuffer(count: max(1, H * chunk * Ff))
        var start = 0
        while start < windows.count {
            let part = windows[start..<min(start + chunk, windows.count)]
            trainer.gather(part, x: x.pointer, f: f.pointer, y: y.pointer)
            let p = trainer.predict(x.pointer, f.pointer, batch: part.count)
            for h in 0..<H { for b in 0..<part.count { out[h].append(abs(p[h * part.count + b] - y[h * part.count + b])) } }
            start += chunk
        }
        return out.map { $0.sorted() }
    }

    /// The split-conformal half-width for step h (0-based) at coverage `level`, in scaled units:
    /// the ⌈(n+1)·level⌉-th smallest calibration residual. Past the trained horizon the last step's
    /// width grows with √(h/H), the random-walk rate.
    public func intervalHalfWidth(step h: Int, level: Double) -> Double {
        let H = config.horizon
        let scores = residuals[min(h, H - 1)]
        guard !scores.isEmpty else { return .nan }
        let k = min(scores.count, Int((Double(scores.count + 1) * level).rounded(.up)))
        let base = Double(scores[max(0, k - 1)])
        return h < H ? base : base * (Double(h + 1) / Double(H)).squareRoot()
    }

    /// Forecasts `horizon` steps after the end of each training series (or after `history`, which
    /// replaces the stored tails: one series per training series, matched by id).
    ///
    /// Up to the trained horizon the network forecasts directly; beyond it forecasts are fed back
    /// as inputs (covariates held at their last value), and `Forecast.recursive` says so. A model
    /// trained with future covariates needs their values for every forecast step: `future` holds
    /// them (one series per forecast series, matched by id, whose timestamps cover the steps).
    public func predict(horizon: Int, history: [TimeSeries]? = nil, future: [TimeSeries]? = nil,
                        intervals levels: [Double] = []) throws -> [Forecast] {
        guard horizon >= 1 && horizon <= 100_000 else {
            throw ConfigurationError(message: "the forecast horizon must be between 1 and 100000, got \(horizon)")
        }
        for l in levels where !(l > 0 && l < 1) {
            throw ConfigurationError(message: "interval levels must be between 0 and 100 percent, got \(l * 100)")
        }
        let L = lookback, H = config.horizon, F = 1 + pastCovariateCount
        let futureNames = futureCovariateNames
        // The context of each series: stored tails, or the given history.
        var contexts: [(state: SeriesState, times: [Int64], target: [Double], covariates: [[Double]])] = []
        if let history {
            for s in history {
                guard let state = series.first(where: { $0.id == s.id }) ?? (series.count == 1 && history.count == 1 ? series[0] : nil) else {
                    throw ConfigurationError(message: "the model was not trained on series '\(s.id ?? "")'")
                }
                guard s.count >= L else {
                    throw ConfigurationError(message: "\(s.id.map { "series '\($0)'" } ?? "the data") has \(s.count) points; the model needs at least its lookback of \(L)")
                }
                let tail = Self.orderingCovariates(s.suffix(L), future: futureNames)
                contexts.append((state, tail.timestamps, tail.target, tail.covariates))
            }
        } else {
            contexts = series.map { ($0, $0.tailTimes, $0.tailTarget, $0.tailCovariates) }
        }
        let B = contexts.count
        let cal = calendar
        let enc = encoding
        let Ff = enc.futureSize
        // Known-future rows (calendar features, then future covariates scaled), per series and step.
        var futureRows = [[Float]](repeating: [], count: B)
        let steps = (horizon + H - 1) / H * H
        for (b, c) in contexts.enumerated() {
            var rows = [Float](repeating: 0, count: steps * Ff)
            let last = c.times.last!
            let given: TimeSeries? = futureNames.isEmpty ? nil
                : future?.first(where: { $0.id == c.state.id }) ?? (future?.count == 1 ? future![0] : nil)
            if !futureNames.isEmpty && given == nil {
                throw ConfigurationError(message: "the model needs future values of \(futureNames.joined(separator: ", ")) for the forecast steps\(c.state.id.map { " of series '\($0)'" } ?? ""); give rows after the history that carry them")
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
                        throw ConfigurationError(message: "the future covariate '\(name)' has no value for \(c.state.timeFormat.format(t))\(c.state.id.map { " in series '\($0)'" } ?? ""); the model needs it for every forecast step")
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
        let x = FloatBuffer(count: L * B * F)
        let fx = FloatBuffer(count: max(1, H * B * Ff))
        while outputs[0].count < horizon {
            // Window b: the last L points of target (observed + forecast so far).
            for b in 0..<B {
                let n = scaledTarget[b].count
                var values = [Float](repeating: 0, count: L * F)
                for t in 0..<L {
                    values[t * F] = scaledTarget[b][n - L + t]
                    for k in 0..<(F - 1) {
                        let col = scaledCov[b][k]
                        values[t * F + 1 + k] = col[min(col.count - 1, col.count - L + t + (n - contexts[b].target.count))]
                    }
                }
                let done = outputs[b].count
                values.withUnsafeBufferPointer { v in
                    enc.fillInput(x.pointer, batch: B, slot: b, values: v.baseAddress!, start: 0)
                    let base = enc.baselines(values: v.baseAddress!, start: 0, period: contexts[b].state.baselinePeriod ?? config.seasonalPeriod!)
                    outputs[b].append(contentsOf: base)   // network output added below
                }
                if Ff > 0 {
                    futureRows[b].withUnsafeBufferPointer { r in
                        enc.fillFuture(fx.pointer, batch: B, slot: b, rows: r.baseAddress! + done * Ff)
                    }
                }
            }
            let y = network.predict(x.pointer, future: Ff > 0 ? UnsafePointer(fx.pointer) : nil, lookback: L, batch: B)
            for b in 0..<B {
                let first = outputs[b].count - H
                for h in 0..<H { outputs[b][first + h] += y[h * B + b] }
                scaledTarget[b].append(contentsOf: outputs[b][first...])
            }
        }
        for (b, c) in contexts.enumerated() {
            let s = c.state.targetScaler
            let floor = c.state.nonNegative == true ? 0.0 : -Double.infinity
            let values = outputs[b].prefix(horizon).map { max(floor, s.inverse(Double($0))) }
            var bands: [(Double, [Double], [Double])] = []
            for level in levels {
                let w = (0..<horizon).map { intervalHalfWidth(step: $0, level: level) * s.scale }
                bands.append((level, zip(values, w).map { max(floor, $0 - $1) }, zip(values, w).map { max(floor, $0 + $1) }))
            }
            let last = c.times.last!
            let times = (1...horizon).map { c.state.frequency.advance(last, by: $0) }
            forecasts.append(Forecast(id: c.state.id, timestamps: times, timeFormat: c.state.timeFormat, values: values,
                                      intervals: bands.map { (level: $0.0, lower: $0.1, upper: $0.2) }, recursive: horizon > H))
        }
        return forecasts
    }
}
