import Dispatch
import ForecastData
import ForecastNN

// `predict`'s work: the network over chunks of series on several threads, then each forecast
// finished (the statistical model's part, the clipping at zero, the intervals).
extension Forecaster {
    /// The forecasts of `job.contexts[i]` for each i in `series`, in that order, the network run
    /// over chunks of them on up to `threads` threads.
    func predictNetworked(_ job: ChunkJob, series: [Int], threads: Int, chunkSize: Int?) throws -> [Forecast] {
        let B = series.count
        guard B > 0 else { return [] }
        let workers = max(1, min(threads, B))
        let size = max(1, chunkSize ?? Self.predictChunkSize(series: B, threads: workers))
        let chunks = stride(from: 0, to: B, by: size).map { series[$0..<min(B, $0 + size)] }
        if workers == 1 || chunks.count == 1 {
            let workspace = InferenceWorkspace()
            var forecasts: [Forecast] = []
            forecasts.reserveCapacity(B)
            for r in chunks { forecasts += try predictChunk(job, r, workspace: workspace) }
            return forecasts
        }
        let slots = UnsafeMutableBufferPointer<Result<[Forecast], any Error>>.allocate(capacity: chunks.count)
        defer { _ = slots.deinitialize(); slots.deallocate() }
        nonisolated(unsafe) let results = slots
        // Each thread reads the job (its shouldStop is polled from every thread, as it is polled
        // from whatever thread calls predict) and writes only its own chunks' slots.
        nonisolated(unsafe) let shared = job
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let workspace = InferenceWorkspace()
            for c in stride(from: w, to: chunks.count, by: workers) {
                (results.baseAddress! + c).initialize(to: Result { try predictChunk(shared, chunks[c], workspace: workspace) })
            }
        }
        var forecasts: [Forecast] = []
        forecasts.reserveCapacity(B)
        for c in chunks.indices { forecasts += try slots[c].get() }
        return forecasts
    }

    /// What every chunk of a `predict` call shares.
    struct ChunkJob {
        let contexts: [(state: SeriesState, times: [Int64], target: [Double], covariates: [[Double]])]
        let fullHistory: [TimeSeries]
        let isNew: [Bool]
        let horizon: Int
        let fromHistory: Bool
        let future: [TimeSeries]?
        let levels: [Double]
        let source: ForecastSource
        /// The network's part is averaged with the linear autoregression's forecast: the stored
        /// path after the training data, or one fitted on the history given.
        let mixesLinear: Bool
        let calendar: CalendarFeatures
        let shouldStop: (() -> Bool)?
        /// `intervalHalfWidth(step: h, level: levels[l])` at [l][h] (scaled units), computed once.
        let halfWidths: [[Double]]
        /// `spreadQuantile(level: levels[l])` at [l], computed once.
        let spreadQuantiles: [Double]
    }

    /// Series per chunk: about four chunks per thread (so a slow chunk does not leave a core idle),
    /// between 64 and 256 series (large enough to keep the products efficient, small enough for
    /// the chunk's activations to stay in cache).
    static func predictChunkSize(series B: Int, threads: Int) -> Int {
        min(256, max(64, (B + 4 * threads - 1) / (4 * threads)))
    }

    /// The forecasts of `job.contexts[i]` for each i in `chunk`, predicted into `workspace`.
    private func predictChunk(_ job: ChunkJob, _ chunk: ArraySlice<Int>, workspace: InferenceWorkspace) throws -> [Forecast] {
        let contexts = chunk.map { job.contexts[$0] }   // indexed from 0
        let B = chunk.count
        let horizon = job.horizon, future = job.future
        let shouldStop = job.shouldStop, cal = job.calendar
        let L = lookback, H = config.horizon, F = 1 + pastCovariateCount
        let futureNames = futureCovariateNames
        let encodings = members.map { encoding(lookback: $0.lookback, scaled: $0.scaled) }
        // The window-scaled members run only for chunks with a series whose scale changed, and
        // forecast only those (see `ForecasterConfig.scaledMembers`).
        // (Members that are all scaled, as a forecaster made of some of a model's members may be,
        // are one ensemble.)
        let twoKinds = members.contains(where: \.scaled) && members.contains(where: { !$0.scaled })
        let mixes = contexts.map { $0.state.scaleChanged == true && twoKinds }
        let active = members.indices.filter { !twoKinds || !members[$0].scaled || mixes.contains(true) }
        let plain = active.filter { !twoKinds || !members[$0].scaled }, scaled = active.filter { twoKinds && members[$0].scaled }
        let runs = members.indices.map { active.contains($0) }   // per member, whether it forecasts this chunk
        let full = encoding(lookback: L)
        let Ff = full.futureSize
        let steps = (horizon + H - 1) / H * H
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
            if let given { for (i, t) in given.times.enumerated() { lookup[t] = i } }
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
        var spreads = [[Float]](repeating: [], count: B)   // the members' standard deviation per step
        let fx = FloatBuffer(count: max(1, H * B * Ff))
        let xs = members.map { FloatBuffer(count: $0.lookback * B * F) }
        // The networks are only read: this chunk writes only to its own buffers and `workspace`.
        var perPlain = [Float](repeating: 0, count: plain.count), perScaled = [Float](repeating: 0, count: scaled.count)
        var scales = [[Float]](repeating: [Float](repeating: 1, count: B), count: members.count)   // [member][slot]
        var windows = members.map { [Float](repeating: 0, count: $0.lookback * F) }
        while outputs[0].count < horizon {
            if shouldStop?() == true { throw ForecastError.interrupted("the forecast") }
            // Window b of member k: the last L_k points of target (observed + forecast so far).
            var bases = [[Float]](repeating: [], count: B)
            for b in 0..<B {
                let n = scaledTarget[b].count
                for k in active {
                    let Lk = members[k].lookback
                    for t in 0..<Lk {
                        windows[k][t * F] = scaledTarget[b][n - Lk + t]
                        for j in 0..<(F - 1) {
                            let col = scaledCov[b][j]
                            windows[k][t * F + 1 + j] = col[min(col.count - 1, col.count - Lk + t + (n - contexts[b].target.count))]
                        }
                    }
                    let enc = encodings[k]
                    windows[k].withUnsafeBufferPointer { v in
                        let scale = enc.windowScale(values: v.baseAddress!, start: 0)
                        scales[k][b] = scale
                        enc.fillInput(xs[k].pointer, batch: B, slot: b, values: v.baseAddress!, start: 0, scale: scale)
                        if k == 0 {
                            bases[b] = enc.baselines(values: v.baseAddress!, start: 0,
                                                     period: contexts[b].state.baselinePeriod ?? config.seasonalPeriod!)
                        }
                    }
                }
                if Ff > 0 {
                    let done = outputs[b].count
                    futureRows[b].withUnsafeBufferPointer { r in
                        full.fillFuture(fx.pointer, batch: B, slot: b, rows: r.baseAddress! + done * Ff)
                    }
                }
            }
            // Each member's output; the forecast is the baseline plus their median.
            var ys: [[Float]] = []
            for k in members.indices {
                guard runs[k] else { ys.append([]); continue }
                let member = members[k]
                let y = member.network.predict(xs[k].pointer, future: Ff > 0 ? UnsafePointer(fx.pointer) : nil,
                                               lookback: member.lookback, batch: B, workspace: workspace)
                ys.append(withExtendedLifetime(workspace) { Array(UnsafeBufferPointer(start: y, count: H * B)) })
            }
            for b in 0..<B {
                for h in 0..<H {
                    for (j, k) in plain.enumerated() { perPlain[j] = ys[k][h * B + b] * scales[k][b] }
                    guard mixes[b] else {
                        if !job.levels.isEmpty { spreads[b].append(Self.memberSpread(perPlain)) }   // only intervals read it
                        outputs[b].append(bases[b][h] + median(&perPlain))
                        continue
                    }
                    // A series whose scale changed: the mean of the two ensembles' medians, and the
                    // spread of all their members.
                    for (j, k) in scaled.enumerated() { perScaled[j] = ys[k][h * B + b] * scales[k][b] }
                    if !job.levels.isEmpty { spreads[b].append(Self.memberSpread(perPlain + perScaled)) }
                    outputs[b].append(bases[b][h] + (median(&perPlain) + median(&perScaled)) / 2)
                }
                scaledTarget[b].append(contentsOf: outputs[b].suffix(H))
            }
        }
        for (b, i) in chunk.enumerated() { forecasts.append(finish(job, i, network: outputs[b], spread: spreads[b])) }
        return forecasts
    }

    /// The forecast of `job.contexts[i]` from the network's scaled outputs (nil: the series' chosen
    /// statistical model forecasts it alone, see `predict`) and the members' standard deviation
    /// per step (scaled): the statistical model's part, the clipping at zero, the intervals
    /// (widened where the members disagree, see `widened`) and the times.
    func finish(_ job: ChunkJob, _ i: Int, network: [Float]?, spread: [Float] = []) -> Forecast {
        let c = job.contexts[i]
        let horizon = job.horizon, levels = job.levels, source = job.source, H = config.horizon
        let s = c.state.targetScaler
        let floor = c.state.nonNegative == true ? 0.0 : -Double.infinity
        var values = network.map { $0.prefix(horizon).map { s.inverse(Double($0)) } } ?? [Double](repeating: 0, count: horizon)
        // The networks' part of each step's forecast: all of it, 1 − the statistical model's weight
        // where a statistical model's path takes part, none without the network; 1 − the linear
        // autoregression's share of that where its forecast is mixed in.
        var membersShare = [Double](repeating: network == nil ? 0 : 1, count: horizon)
        if network != nil && job.mixesLinear {
            let history = job.fromHistory ? job.fullHistory[i] : nil
            let m = linearPeriod(c.state.frequency)
            let linear = history.map {
                LinearAutoregression.forecast($0.targetValues(0..<$0.count), horizon: H, steps: horizon, period: m)
            } ?? c.state.linearForecast ?? []
            let w = c.state.linearWeight ?? 0.5
            for h in 0..<min(horizon, linear.count) {
                values[h] = Self.blend(w, linear[h], values[h])
                membersShare[h] = 1 - w
            }
        }
        if let choice = c.state.choice, let model = Baseline(rawValue: choice) {
            // The combination chose a statistical model for this series (alone, or blended with
            // the network with weight `statWeight`).
            let path = !job.fromHistory ? (c.state.statForecast ?? [])
                : statisticalForecast(model, history: job.fullHistory[i].target, horizon: horizon, state: c.state)
            let w = c.state.statWeight ?? 1
            if network == nil {
                for h in 0..<min(horizon, path.count) { values[h] = path[h] }
            } else {
                for h in 0..<min(horizon, path.count) {
                    values[h] = Self.blend(w, path[h], values[h])
                    membersShare[h] *= 1 - w
                }
            }
        }
        // Not max(floor, v): Swift's max returns its first argument when the other is NaN, which
        // turned a diverged network's NaN forecast into 0 or -inf. NaN stays NaN here.
        func floored(_ v: Double) -> Double { v < floor ? floor : v }
        values = values.map(floored)
        var bands: [(Double, [Double], [Double])] = []
        // The forecast's errors at the validation origins (`predict` leaves those of the source
        // asked for); a statistical model asked for by name without them (the combination did not
        // choose it alone, or the series is new to the model) is scored there on the history given;
        // without either, the network's validation residuals per step stand in.
        var own = c.state.calibrationErrors ?? []
        if own.isEmpty, !levels.isEmpty, job.fromHistory, case .model(let b) = source {
            own = statisticalCalibration(b, job.fullHistory[i].target, state: c.state) ?? []
        }
        // The per-step residuals differ in number by step; the fewest of the steps forecast bound
        // the level they support.
        let calibrationCount = levels.isEmpty ? 0 : own.isEmpty ? residuals.prefix(min(horizon, H)).map(\.count).min() ?? 0 : own.count
        for (l, level) in levels.enumerated() {
            let q = own.isEmpty ? 0 : Self.conformalQuantile(own, level: level) * Self.selectionInflation
            // In the series' units: a scale's sign (a decoded model may hold a negative one) does
            // not turn a width around.
            let unit = abs(s.scale)
            let w = (0..<horizon).map { h in
                let conformal = own.isEmpty ? job.halfWidths[l][h] * unit
                    : q * (h < H ? 1 : (Double(h + 1) / Double(H)).squareRoot())
                return h < spread.count
                    ? Self.widened(conformal, spread: Double(spread[h]) * unit, networkShare: membersShare[h], z: job.spreadQuantiles[l])
                    : conformal
            }
            bands.append((level, zip(values, w).map { floored($0 - $1) }, zip(values, w).map { floored($0 + $1) }))
        }
        let last = c.times.last!
        let times = (1...horizon).map { c.state.frequency.advance(last, by: $0) }
        return Forecast(id: c.state.id, timestamps: times, timeFormat: c.state.timeFormat, values: values,
                        intervals: bands.map { PredictionInterval(level: $0.0, lower: $0.1, upper: $0.2,
                                                                  calibrationErrorCount: calibrationCount) },
                        recursive: horizon > H && network != nil, isNewSeries: job.isNew[i])
    }
}
