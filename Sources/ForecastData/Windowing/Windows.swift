/// The shape of training windows: `lookback` input steps followed by `horizon` target steps,
/// one window every `stride` steps.
package struct WindowSpec: Sendable, Equatable, Codable {
    /// Input steps per window (L).
    package var lookback: Int
    /// Forecast steps per window (H).
    package var horizon: Int
    /// Steps between the starts of consecutive windows.
    package var stride: Int

    /// Creates a spec; every number must be at least 1.
    package init(lookback: Int, horizon: Int, stride: Int = 1) {
        precondition(lookback >= 1 && horizon >= 1 && stride >= 1, "lookback, horizon and stride must be >= 1")
        self.lookback = lookback
        self.horizon = horizon
        self.stride = stride
    }

    /// Steps one window spans (L + H).
    package var span: Int { lookback + horizon }
}

/// One window: the series it belongs to and the index of its first input step.
/// Inputs are `start..<start+L`, targets `start+L..<start+L+H`.
package struct Window: Sendable, Equatable, Hashable {
    // Stored in 32 bits: a training set holds a window per step of every series (ten million for a
    // panel of 10,000 series of 1,000 points), so a window costs 8 bytes instead of 16.
    private var seriesIndex: Int32
    private var startIndex: Int32

    /// Index of the series in the panel.
    package var series: Int {
        get { Int(seriesIndex) }
        set { seriesIndex = Int32(newValue) }
    }
    /// Index of the first input step.
    package var start: Int {
        get { Int(startIndex) }
        set { startIndex = Int32(newValue) }
    }

    /// A window of series `series` starting at `start` (each below 2^31).
    package init(series: Int, start: Int) {
        seriesIndex = Int32(series)
        startIndex = Int32(start)
    }
}

/// The windows over one or more series, as index arithmetic: no values are copied, so a long
/// series costs no more memory than its values. Windows are aligned on the end of each allowed
/// range, so the most recent data is always in the last window whatever the stride.
///
///     let w = Windows(spec: WindowSpec(lookback: 24, horizon: 12), seriesLengths: [144])
///     w.count      // 109
///     w.last!      // Window(series: 0, start: 108): inputs 108..<132, targets 132..<144
package struct Windows: RandomAccessCollection, Sendable {
    /// The window shape.
    package let spec: WindowSpec
    private let firstStart: [Int]   // per series: the smallest start
    private let offsets: [Int]      // per series: index of its first window; one extra entry at the end

    /// All windows over series of the given lengths.
    package init(spec: WindowSpec, seriesLengths: [Int]) {
        self.init(spec: spec, targetEnds: seriesLengths.map { 0..<($0 + 1) })
    }

    /// Windows whose targets end (the exclusive end index of their target steps) within
    /// `targetEnds[i]` for series `i`: the way to cut chronological train / validation / test sets
    /// without look-ahead. An empty range gives that series no windows.
    package init(spec: WindowSpec, targetEnds: [Range<Int>]) {
        self.spec = spec
        var firsts: [Int] = []
        var offs = [0]
        for r in targetEnds {
            let hi = r.upperBound - 1 - spec.span             // the last start
            let lo = Swift.max(0, r.lowerBound - spec.span)   // the first start allowed
            if r.isEmpty || hi < lo {
                firsts.append(0); offs.append(offs.last!)
                continue
            }
            let n = (hi - lo) / spec.stride + 1
            firsts.append(hi - (n - 1) * spec.stride)
            offs.append(offs.last! + n)
        }
        self.firstStart = firsts
        self.offsets = offs
    }

    package var startIndex: Int { 0 }
    package var endIndex: Int { offsets.last! }

    package subscript(i: Int) -> Window {
        precondition(i >= 0 && i < endIndex, "window index \(i) out of range 0..<\(endIndex)")
        // Binary search for the series holding window i.
        var lo = 0, hi = offsets.count - 2
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if offsets[mid] <= i { lo = mid } else { hi = mid - 1 }
        }
        return Window(series: lo, start: firstStart[lo] + (i - offsets[lo]) * spec.stride)
    }

    /// How many windows each series contributes.
    package var countsPerSeries: [Int] { zip(offsets, offsets.dropFirst()).map { $1 - $0 } }
}
