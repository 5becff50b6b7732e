/// A series' values in about half the memory of `[Double]`, given back bit for bit.
///
/// Values read from text with a few decimals (134.954, 12, 0.25) are stored as 32-bit integers
/// with one power of ten for the whole series: `m / 10^k` is the correctly rounded quotient of two
/// exact numbers, which is the `Double` nearest the decimal, the one the parser gave (checked
/// value by value when packing). What does not fit (more digits, an interpolated value, NaN) is
/// kept aside as `Double` and found by binary search. Series with too many such values stay
/// `[Double]`.
///
/// Training a global model holds every series of a panel: 4 bytes a point instead of 8 (a
/// 10,000-series panel of 9.2 million points: 37 MB instead of 74, issue 16).
package struct PackedValues: Sendable, Equatable {
    private enum Storage: Equatable {
        case doubles([Double])
        /// `mantissas[i] / divisor`, or `exceptionValues[j]` where `mantissas[i]` is `Int32.min`
        /// and `exceptionIndices[j] == i`.
        case decimal(mantissas: [Int32], divisor: Double, exceptionIndices: [Int32], exceptionValues: [Double])
    }
    private let storage: Storage
    /// The number of values.
    package let count: Int

    /// Powers of ten up to 10^9, each exact in `Double`.
    private static let powers: [Double] = (0...9).map { k in (0..<k).reduce(1.0) { p, _ in p * 10 } }
    /// The most values kept aside before the series stays `[Double]` (they cost 12 bytes each).
    private static func exceptionLimit(_ n: Int) -> Int { n / 4 }

    /// `values` as they are, unpacked (sharing their storage).
    package init(unpacked values: [Double]) {
        storage = .doubles(values)
        count = values.count
    }

    /// Packs `values` (see the type's documentation).
    package init(_ values: [Double]) {
        count = values.count
        guard values.count >= 16, values.count < Int(Int32.max), let k = Self.bestExponent(values) else {
            storage = .doubles(values)
            return
        }
        let scale = Self.powers[k]
        var mantissas = [Int32](repeating: Int32.min, count: values.count)
        var indices: [Int32] = [], aside: [Double] = []
        for (i, v) in values.enumerated() {
            if let m = Self.mantissa(v, scale: scale) {
                mantissas[i] = m
            } else {
                indices.append(Int32(i))
                aside.append(v)
            }
        }
        guard aside.count <= Self.exceptionLimit(values.count) else {
            storage = .doubles(values)
            return
        }
        storage = .decimal(mantissas: mantissas, divisor: scale, exceptionIndices: indices, exceptionValues: aside)
    }

    /// `v × scale` as an integer when dividing it by `scale` gives `v` back bit for bit (so -0.0
    /// is kept aside: it would come back as 0.0); `Int32.min`
    /// marks values kept aside, so it is never a mantissa.
    @inline(__always)
    private static func mantissa(_ v: Double, scale: Double) -> Int32? {
        let m = (v * scale).rounded()
        guard m.isFinite, abs(m) < 2_147_483_647, (Double(Int32(m)) / scale).bitPattern == v.bitPattern else { return nil }
        return Int32(m)
    }

    /// The exponent (0...9) that packs the most values of `values`, judged on up to 256 of them
    /// spread over the series; nil when none packs three quarters of them.
    private static func bestExponent(_ values: [Double]) -> Int? {
        let n = values.count, probes = min(n, 256)
        var best: (k: Int, packed: Int)?
        for k in 0..<powers.count {
            var packed = 0
            for j in 0..<probes where mantissa(values[j * n / probes], scale: powers[k]) != nil { packed += 1 }
            if packed > (best?.packed ?? 0) { best = (k, packed) }
            if packed == probes { break }   // a larger exponent packs no more
        }
        guard let best, best.packed * 4 >= probes * 3 else { return nil }
        return best.k
    }

    /// Whether the values are held in 4 bytes each (with some kept aside).
    package var isPacked: Bool {
        if case .decimal = storage { return true }
        return false
    }

    /// The bytes the values take.
    package var byteCount: Int {
        switch storage {
        case .doubles(let v): return v.count * 8
        case .decimal(let m, _, let i, let a): return m.count * 4 + i.count * 4 + a.count * 8
        }
    }

    /// The value at `i`.
    package subscript(i: Int) -> Double {
        switch storage {
        case .doubles(let v):
            return v[i]
        case .decimal(let m, let divisor, let indices, let aside):
            let x = m[i]
            if x != Int32.min { return Double(x) / divisor }
            return aside[Self.position(atLeast: Int32(i), in: indices)]
        }
    }

    /// The values of `range`, as `[Double]`.
    package func values(_ range: Range<Int>) -> [Double] {
        if case .doubles(let v) = storage { return Array(v[range]) }
        var out = [Double](repeating: 0, count: range.count)
        forEach(in: range) { out[$0] = $1 }
        return out
    }

    /// Writes `Float(scaler.transform(value))` of the values at `start..<start + n` to
    /// `dst[0]`, `dst[stride]`, ... (a window's target channel).
    package func write(_ start: Int, count n: Int, scaledBy scaler: Scaler, to dst: UnsafeMutablePointer<Float>,
                       stride: Int) {
        forEach(in: start..<(start + n)) { dst[$0 * stride] = Float(scaler.transform($1)) }
    }

    /// Calls `body(k, value)` for the values of `range` in order, `k` counting from 0. The values
    /// kept aside are met in the order of their indices, so one binary search finds the first.
    @inline(__always)
    private func forEach(in range: Range<Int>, _ body: (Int, Double) -> Void) {
        switch storage {
        case .doubles(let v):
            v.withUnsafeBufferPointer { t in
                for i in range { body(i - range.lowerBound, t[i]) }
            }
        case .decimal(let m, let divisor, let indices, let aside):
            var j = Self.position(atLeast: Int32(range.lowerBound), in: indices)
            m.withUnsafeBufferPointer { t in
                for i in range {
                    let x = t[i]
                    if x != Int32.min {
                        body(i - range.lowerBound, Double(x) / divisor)
                    } else {
                        body(i - range.lowerBound, aside[j])
                        j += 1
                    }
                }
            }
        }
    }

    /// Whether no value is below 0 (NaN is not).
    package var allNonNegative: Bool {
        switch storage {
        case .doubles(let v): return v.allSatisfy { $0 >= 0 }
        case .decimal(let m, _, _, let aside): return m.allSatisfy { $0 >= 0 || $0 == Int32.min } && aside.allSatisfy { $0 >= 0 }
        }
    }

    /// Every value, as `[Double]`.
    package var doubles: [Double] {
        if case .doubles(let v) = storage { return v }
        return values(0..<count)
    }

    /// The first index in `indices` (sorted) whose value is at least `i`.
    private static func position(atLeast i: Int32, in indices: [Int32]) -> Int {
        var lo = 0, hi = indices.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if indices[mid] < i { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
