import ForecastData
import ForecastNN

/// What the network's output is added to, so that training starts from a good forecast rather than
/// from zero (see the accuracy notes: learning the residual over a baseline).
public enum BaselineKind: String, Sendable, Codable, CaseIterable {
    /// The network predicts the correction to the last observed value.
    case naive
    /// The network predicts the correction to the seasonal-naive forecast (the default; equal to
    /// `naive` when the seasonal period is 1 or longer than the lookback).
    case seasonal
}

/// Everything that defines a forecaster and its training. `nil` fields are chosen from the data
/// by `resolved(for:)`, as `forecast fit` does when an option is not given.
public struct ForecasterConfig: Sendable, Codable, Equatable {
    /// Forecast steps the network predicts directly (H).
    public var horizon: Int
    /// Input steps (L); default: enough for two seasons and twice the horizon, bounded by the data.
    public var lookback: Int?
    /// Hidden units per recurrent layer.
    public var hiddenSize: Int = 32
    /// Recurrent layers in the encoder and in the decoder.
    public var layers: Int = 1
    /// Encoder cell.
    public var encoder: CellKind = .lstm
    /// Decoder cell.
    public var decoder: CellKind = .lstm
    /// Where the decoder's state starts.
    public var decoderStart: DecoderStart = .encoderState
    /// Dropout between stacked layers.
    public var dropout: Double = 0
    /// Maximum epochs; default: bounded so that a fit costs about a minute at most.
    public var epochs: Int?
    /// Windows per mini-batch.
    public var batchSize: Int = 32
    /// Adam's step size.
    public var learningRate: Double = 3e-3
    /// Decoupled weight decay (AdamW); 0 is plain Adam.
    public var weightDecay: Double = 0
    /// Gradients are scaled down to this global norm (0: no clipping).
    public var clipNorm: Double = 1
    /// Epochs without validation improvement before stopping (best weights are restored).
    public var patience: Int = 25
    /// Share of each series' training points (at least one horizon) held out for validation.
    public var validationFraction: Double = 0.1
    /// Training loss.
    public var loss: Loss = .mse
    /// Scaler fitted per series on its training part.
    public var scaler: ScalerKind = .standard
    /// What the network's output is added to.
    public var baseline: BaselineKind = .seasonal
    /// Seasonal period; default: from the frequency (12 for monthly...).
    public var seasonalPeriod: Int?
    /// Seed for weights, shuffling and dropout.
    public var seed: UInt64 = 42
    /// Threads a batch is split across (results depend on it; same count, same model).
    public var threads: Int = 1
    /// Window stride for training.
    public var stride: Int = 1

    /// A configuration for `horizon` steps with every other setting at its default.
    public init(horizon: Int) {
        self.horizon = horizon
    }

    /// Checks ranges, naming the first bad setting in a sentence.
    public func validate() throws {
        func bad(_ what: String) -> ConfigurationError { ConfigurationError(message: what) }
        guard horizon >= 1 && horizon <= 10_000 else { throw bad("the horizon must be between 1 and 10000, got \(horizon)") }
        if let l = lookback, !(1...100_000).contains(l) { throw bad("the lookback must be between 1 and 100000, got \(l)") }
        guard (1...4096).contains(hiddenSize) else { throw bad("the hidden size must be between 1 and 4096, got \(hiddenSize)") }
        guard (1...16).contains(layers) else { throw bad("layers must be between 1 and 16, got \(layers)") }
        guard dropout >= 0 && dropout < 1 else { throw bad("dropout must be in [0, 1), got \(dropout)") }
        if let e = epochs, !(1...1_000_000).contains(e) { throw bad("epochs must be between 1 and 1000000, got \(e)") }
        guard (1...65_536).contains(batchSize) else { throw bad("the batch size must be between 1 and 65536, got \(batchSize)") }
        guard learningRate > 0 && learningRate < 10 && learningRate.isFinite else { throw bad("the learning rate must be positive and below 10, got \(learningRate)") }
        guard weightDecay >= 0 && weightDecay.isFinite else { throw bad("weight decay must be >= 0, got \(weightDecay)") }
        guard clipNorm >= 0 && clipNorm.isFinite else { throw bad("the clipping norm must be >= 0, got \(clipNorm)") }
        guard patience >= 1 else { throw bad("patience must be >= 1, got \(patience)") }
        guard validationFraction >= 0 && validationFraction < 0.9 else { throw bad("the validation fraction must be in [0, 0.9), got \(validationFraction)") }
        if let m = seasonalPeriod, m < 1 { throw bad("the seasonal period must be >= 1, got \(m)") }
        guard (1...256).contains(threads) else { throw bad("threads must be between 1 and 256, got \(threads)") }
        guard stride >= 1 else { throw bad("the stride must be >= 1, got \(stride)") }
    }

    /// The default lookback for a series of `length` training points with seasonal period `m`:
    /// two seasons and twice the horizon (at least 8), shortened so that at least a third of the
    /// series remains as distinct windows.
    public static func defaultLookback(horizon: Int, seasonalPeriod m: Int, length: Int) -> Int {
        let wanted = max(2 * m, 2 * horizon, 8)
        let cap = max(min(m + 1, length - horizon), (length - horizon) * 2 / 3)
        return max(1, min(wanted, cap))
    }

    /// The default epoch limit for `windows` training windows: about 400,000 window passes
    /// (a minute or less on one core), between 10 and 400 epochs; early stopping usually ends sooner.
    public static func defaultEpochs(windows: Int) -> Int {
        min(400, max(10, 400_000 / max(1, windows)))
    }
}

/// A setting out of range, or a combination that cannot work.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
