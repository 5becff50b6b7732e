/// What to do with missing values (empty, `NA`, `NaN`, `null`, and timestamps absent from the grid).
///
/// Missing values at the start or end of a series are always trimmed and reported; the policy
/// decides what happens to those inside it.
public enum MissingPolicy: String, Sendable, Codable, CaseIterable {
    /// Refuse a series with missing values inside it, naming the first one. The default:
    /// filling is a modelling choice the user should make knowingly.
    case error
    /// Fill each inside gap on the straight line between its neighbours.
    case interpolate
    /// Fill each inside gap with the last value before it.
    case ffill
    /// Trim missing values at the start and end only (the same as `error` inside the series).
    case drop
}

/// What happened to missing values in one column.
struct FillResult {
    var values: [Double]
    var filled = 0
    var firstFilled: Int?
}

enum MissingValues {
    /// The range of `values` from the first to the last non-missing value (empty if none).
    static func validRange(_ values: [Double]) -> Range<Int> {
        guard let a = values.firstIndex(where: { !$0.isNaN }),
              let b = values.lastIndex(where: { !$0.isNaN }) else { return 0..<0 }
        return a..<(b + 1)
    }

    /// Fills inside gaps by `policy`; values before the first and after the last valid one are
    /// held at the nearest valid value (used for covariates, whose edges are not trimmed).
    static func fill(_ values: [Double], policy: MissingPolicy) -> FillResult {
        var out = values
        var result = FillResult(values: [])
        let valid = validRange(values)
        guard !valid.isEmpty else { result.values = out; return result }
        for i in 0..<valid.lowerBound { out[i] = values[valid.lowerBound] }
        for i in valid.upperBound..<values.count { out[i] = values[valid.upperBound - 1] }
        var i = valid.lowerBound
        while i < valid.upperBound {
            guard out[i].isNaN else { i += 1; continue }
            var j = i
            while out[j].isNaN { j += 1 }
            let before = out[i - 1], after = out[j]
            for k in i..<j {
                switch policy {
                case .interpolate:
                    let w = Double(k - i + 1) / Double(j - i + 1)
                    out[k] = before + (after - before) * w
                default:
                    out[k] = before
                }
            }
            if result.firstFilled == nil { result.firstFilled = i }
            result.filled += j - i
            i = j
        }
        result.values = out
        return result
    }
}
