/// How values are scaled before a network sees them.
public enum ScalerKind: String, Sendable, Codable, CaseIterable {
    /// Subtract the mean, divide by the standard deviation.
    case standard
    /// Map the minimum to 0 and the maximum to 1.
    case minmax
    /// Leave values as they are.
    case none
}

/// An affine scaler `(x - offset) / scale`, fitted on training data only and exactly invertible.
///
/// It exists only once fitted, so "transform before fit" cannot happen. A constant column has no
/// spread; its `scale` is then 1 (values are only shifted), so nothing divides by zero.
///
///     let s = Scaler(fitting: train, kind: .standard)
///     let z = s.transform(test)
///     s.inverse(z) == test   // up to rounding
package struct Scaler: Sendable, Equatable, Codable {
    /// The scaler's kind.
    package let kind: ScalerKind
    /// What is subtracted.
    package let offset: Double
    /// What the difference is divided by (never 0).
    package let scale: Double

    /// Fits a scaler on `values` (missing values, NaN, are ignored).
    package init<C: Collection>(fitting values: C, kind: ScalerKind) where C.Element == Double {
        self.kind = kind
        let finite = values.filter { $0.isFinite }
        guard !finite.isEmpty, kind != .none else { offset = 0; scale = 1; return }
        switch kind {
        case .standard:
            let mean = finite.reduce(0, +) / Double(finite.count)
            let variance = finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(finite.count)
            offset = mean
            scale = variance > 0 && variance.isFinite ? variance.squareRoot() : 1
        case .minmax:
            let lo = finite.min()!, hi = finite.max()!
            offset = lo
            scale = hi > lo ? hi - lo : 1
        case .none:
            offset = 0; scale = 1
        }
    }

    /// A scaler with explicit parameters (when loading a model).
    package init(kind: ScalerKind, offset: Double, scale: Double) {
        precondition(scale != 0 && scale.isFinite, "a scaler's scale must be finite and non-zero")
        self.kind = kind
        self.offset = offset
        self.scale = scale
    }

    /// Scales one value.
    @inlinable package func transform(_ x: Double) -> Double { (x - offset) / scale }
    /// Undoes `transform` for one value.
    @inlinable package func inverse(_ z: Double) -> Double { z * scale + offset }
    /// Scales values.
    package func transform(_ xs: [Double]) -> [Double] { xs.map(transform) }
    /// Undoes `transform`.
    package func inverse(_ zs: [Double]) -> [Double] { zs.map(inverse) }
}
