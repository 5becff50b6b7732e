import ForecastData
import ForecastNN

/// One series prepared for the network: target and past covariates with scalers fitted on the
/// training part only (scaled as windows are read, see `write`); the known-future features of
/// every step (t, Ff); and the seasonal period of its baseline.
struct SeriesFeatures {
    /// The target and past covariates in original units, shared with the series (its packed
    /// target when `fit` packed it): a scaled Float copy of a 10,000-series panel would add 4 bytes
    /// a point (37 MB) to training's peak memory.
    let target: PackedValues
    let pastCovariates: [[Double]]
    /// (rows, Ff): calendar features, then future covariates, per step: this series' own rows, or
    /// a panel's `CalendarTable` shared by every series on its grid (no future covariates).
    let future: [Float]
    /// The row of `future` that holds this series' first step.
    let futureOffset: Int
    let count: Int
    let features: Int
    let futureSize: Int
    /// The period of the seasonal-naive baseline this series' network output is added to (1: naive).
    let period: Int
    let targetScaler: Scaler
    let covariateScalers: [Scaler]

    init(_ s: TimeSeries, fitOn trainCount: Int, kind: ScalerKind, period: Int, calendar: CalendarFeatures,
         futureColumns: Int, shared: (rows: [Float], offset: Int)? = nil) {
        self.init(s, targetScaler: Scaler(fitting: s.targetValues(0..<min(trainCount, s.count)), kind: kind),
                  covariateScalers: s.covariates.map { Scaler(fitting: $0.prefix(trainCount), kind: kind) },
                  period: period, calendar: calendar, futureColumns: futureColumns, shared: shared)
    }

    /// `s.covariates` holds the past covariates first, then the last `futureColumns` future ones.
    /// `shared`: a `CalendarTable`'s rows and this series' first row in them, used instead of its
    /// own rows (only without future columns).
    init(_ s: TimeSeries, targetScaler: Scaler, covariateScalers: [Scaler], period: Int, calendar: CalendarFeatures,
         futureColumns: Int, shared: (rows: [Float], offset: Int)? = nil) {
        self.targetScaler = targetScaler
        self.covariateScalers = covariateScalers
        self.period = period
        let past = s.covariates.count - futureColumns
        features = 1 + past
        futureSize = calendar.count + futureColumns
        count = s.count
        target = s.targetStorage
        pastCovariates = Array(s.covariates.prefix(past))
        if futureColumns == 0, let shared {
            future = shared.rows
            futureOffset = shared.offset
            return
        }
        futureOffset = 0
        var f = [Float](repeating: 0, count: s.count * futureSize)
        let C = calendar.count, Ff = futureSize
        f.withUnsafeMutableBufferPointer { p in
            for t in 0..<s.count {
                calendar.write(s.times[t], frequency: s.frequency, to: p.baseAddress! + t * Ff)
                for k in 0..<futureColumns {
                    p[t * Ff + C + k] = Float(covariateScalers[past + k].transform(s.covariates[past + k][t]))
                }
            }
        }
        future = f
    }

    /// Writes steps `start..<start + n`, scaled, as Float, channel-interleaved (n, F) with the target
    /// first, to `dst`.
    func write(_ start: Int, count n: Int, to dst: UnsafeMutablePointer<Float>) {
        let F = features
        target.write(start, count: n, scaledBy: targetScaler, to: dst, stride: F)
        for (k, column) in pastCovariates.enumerated() {
            let scaler = covariateScalers[k]
            column.withUnsafeBufferPointer { c in
                for i in 0..<n { dst[i * F + 1 + k] = Float(scaler.transform(c[start + i])) }
            }
        }
    }

    /// Every step as `write` gives it, (n, F).
    var values: [Float] {
        var v = [Float](repeating: 0, count: count * features)
        v.withUnsafeMutableBufferPointer { write(0, count: count, to: $0.baseAddress!) }
        return v
    }
}

/// The calendar features of every step of one time grid, computed once for the series of a panel
/// that lie on it: they depend on the time alone, and a panel of 10,000 hourly series on one span
/// would otherwise hold 10,000 copies (8 floats a step: 320 MB for ten million points).
struct CalendarTable {
    /// (steps, calendar.count): row k is the features of the grid's k-th time.
    let rows: [Float]
    /// Per series of the panel, in its order: the row of its first step, or nil when it is not on
    /// the grid (another frequency, or a time off it).
    let offsets: [Int?]

    /// The table over the series of `panel` with `frequency` whose every time lies on one grid,
    /// or nil when there is nothing to share (fewer than two such series, no calendar features)
    /// or the grid would hold more rows than those series together (spans far apart).
    init?(_ panel: [TimeSeries], calendar: CalendarFeatures, frequency: Frequency) {
        let on = panel.filter { $0.frequency == frequency && $0.count > 0 }
        guard on.count > 1, calendar.count > 0, let origin = on.map({ $0.times[0] }).min() else { return nil }
        var offsets: [Int?] = [], end = 0, total = 0
        for s in panel {
            guard s.frequency == frequency, s.count > 0, let k = frequency.steps(from: origin, to: s.times[0]),
                  s.times.indices.allSatisfy({ frequency.advance(origin, by: k + $0) == s.times[$0] }) else {
                offsets.append(nil)
                continue
            }
            offsets.append(k)
            end = max(end, k + s.count)
            total += s.count
        }
        guard offsets.contains(where: { $0 != nil }), end <= total else { return nil }
        let C = calendar.count
        var f = [Float](repeating: 0, count: end * C)
        f.withUnsafeMutableBufferPointer { p in
            for k in 0..<end { calendar.write(frequency.advance(origin, by: k), frequency: frequency, to: p.baseAddress! + k * C) }
        }
        rows = f
        self.offsets = offsets
    }
}

/// How windows become network inputs and targets, and how outputs become forecasts.
///
/// Inputs are the scaled window with its last target value subtracted from the target channel
/// (per-window level normalisation), so a level shift looks familiar to the network. Targets are
/// the scaled future minus the baseline forecast from the same window; a forecast is the baseline
/// plus the network's output.
///
/// With `scaled`, the target channel's inputs and the targets are also divided by the window's own
/// scale (`windowScale`, instance normalisation as in RevIN), and the output is multiplied by it:
/// a season whose amplitude has grown with the level, or a quiet stretch of a noisy series, then
/// looks like the windows the network learnt from, and every window weighs alike in the loss.
struct WindowEncoding {
    let lookback: Int
    let horizon: Int
    let features: Int
    let futureSize: Int
    let baseline: BaselineKind
    var scaled = false

    /// The smallest window scale, in units of the series' scaler (a flat window is not blown up).
    static let minimumWindowScale: Double = 0.1

    /// The scale of the window whose target channel is `values[(start + t) * features]`,
    /// t < lookback: with `scaled`, the standard deviation of its lookback, at least
    /// `minimumWindowScale`; 1 otherwise.
    func windowScale(values: UnsafePointer<Float>, start: Int) -> Float {
        guard scaled else { return 1 }
        let F = features
        var sum = 0.0
        for t in 0..<lookback { sum += Double(values[(start + t) * F]) }
        let mean = sum / Double(lookback)
        var squares = 0.0
        for t in 0..<lookback {
            let d = Double(values[(start + t) * F]) - mean
            squares += d * d
        }
        let sd = (squares / Double(lookback)).squareRoot()
        return Float(sd.isFinite ? max(sd, Self.minimumWindowScale) : 1)
    }

    /// The baseline for step h (0-based) of a window whose inputs are `x[0..<L]` (target channel),
    /// seasonal naive with period `m` (naive when m is 1 or longer than the lookback).
    @inline(__always)
    func base(_ target: (Int) -> Float, step h: Int, period m: Int) -> Float {
        switch baseline {
        case .naive: return target(lookback - 1)
        case .seasonal:
            guard m > 1 && m <= lookback else { return target(lookback - 1) }
            let back = m * ((h / m) + 1)          // the same season in the last observed cycle
            return target(lookback + h - back)
        }
    }

    /// Fills x (L, B, F) time-major for batch slot b from `values` starting at `start`; the target
    /// channel relative to the last value, divided by `scale` (the window's `windowScale`).
    func fillInput(_ x: UnsafeMutablePointer<Float>, batch B: Int, slot b: Int, values: UnsafePointer<Float>, start: Int,
                   scale: Float = 1) {
        let F = features
        let level = values[(start + lookback - 1) * F]
        for t in 0..<lookback {
            let src = values + (start + t) * F
            let dst = x + (t * B + b) * F
            dst[0] = (src[0] - level) / scale   // exact when scale is 1
            for k in 1..<max(F, 1) where k < F { dst[k] = src[k] }
        }
    }

    /// Fills the future features (H, B, Ff) for batch slot b from per-step rows `rows[0..<H]`.
    func fillFuture(_ f: UnsafeMutablePointer<Float>, batch B: Int, slot b: Int, rows: UnsafePointer<Float>) {
        let Ff = futureSize
        for h in 0..<horizon {
            let src = rows + h * Ff, dst = f + (h * B + b) * Ff
            for k in 0..<Ff { dst[k] = src[k] }
        }
    }

    /// The baselines of one window, per step.
    func baselines(values: UnsafePointer<Float>, start: Int, period: Int) -> [Float] {
        let F = features
        return (0..<horizon).map { h in base({ values[(start + $0) * F] }, step: h, period: period) }
    }
}
