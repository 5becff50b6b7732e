/// Training losses, averaged over every element (Keras' reduction for a (H, B, O) output).
public enum Loss: String, Sendable, Codable, CaseIterable {
    /// Mean squared error.
    case mse
    /// Mean absolute error (subgradient 0 at 0).
    case mae
    /// Huber with δ = 1: quadratic within 1 of the target, linear beyond (Keras' default δ).
    case huber

    /// The loss of `n` predictions against targets; writes dLoss/dPrediction into `grad` when given.
    /// Sums run in Double in index order, so the value is reproducible. A NaN prediction gives a NaN
    /// loss and a NaN gradient (the sign-based gradients of mae and huber would otherwise hide it).
    package func evaluate(_ prediction: UnsafePointer<Float>, _ target: UnsafePointer<Float>, count n: Int,
                         gradient grad: UnsafeMutablePointer<Float>?) -> Double {
        var total = 0.0
        let scale = 1 / Float(n)
        for i in 0..<n {
            let e = prediction[i] - target[i]
            switch self {
            case .mse:
                total += Double(e * e)
                grad?[i] = 2 * e * scale
            case .mae:
                total += Double(abs(e))
                grad?[i] = (e > 0 ? 1 : (e < 0 ? -1 : (e == 0 ? 0 : e))) * scale   // NaN stays NaN
            case .huber:
                if abs(e) <= 1 {
                    total += Double(0.5 * e * e); grad?[i] = e * scale
                } else {
                    total += Double(abs(e) - 0.5); grad?[i] = (e > 0 ? 1 : (e < 0 ? -1 : e)) * scale   // NaN stays NaN
                }
            }
        }
        return total / Double(n)
    }
}
