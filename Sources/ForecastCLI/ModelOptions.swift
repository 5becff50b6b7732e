import ArgumentParser
import ForecastKit

/// The model and training options shared by `fit` and `backtest`.
struct ModelOptions: ParsableArguments {
    @Option(help: "Steps to forecast directly (H).")
    var horizon: Int

    @Option(help: "Input steps (L); default: two seasons and twice the horizon, bounded by the data.")
    var lookback: Int?

    @Option(help: "Cell for both encoder and decoder: lstm or gru.")
    var cell: CellKind?

    @Option(help: "Encoder cell (overrides --cell).")
    var encoder: CellKind?

    @Option(help: "Decoder cell (overrides --cell).")
    var decoder: CellKind?

    @Option(name: .customLong("decoder-start"), help: "Decoder initial state: encoder (its final state) or zeros.")
    var decoderStart: DecoderStart = .encoderState

    @Option(help: "Hidden units per recurrent layer.")
    var hidden: Int = 32

    @Option(help: "Recurrent layers in encoder and decoder.")
    var layers: Int = 1

    @Option(help: "Dropout between stacked layers, in [0, 1).")
    var dropout: Double = 0

    @Option(help: "Maximum epochs (default: bounded by the data size; early stopping usually ends sooner).")
    var epochs: Int?

    @Option(name: .customLong("batch-size"), help: "Windows per mini-batch.")
    var batchSize: Int = 32

    @Option(name: .customLong("learning-rate"), help: "Adam's learning rate.")
    var learningRate: Double = 3e-3

    @Option(name: .customLong("weight-decay"), help: "Decoupled weight decay (AdamW).")
    var weightDecay: Double = 0

    @Option(help: "Epochs without validation improvement before stopping.")
    var patience: Int = 25

    @Option(name: .customLong("validation-fraction"), help: "Share of each series held out (chronologically) for validation.")
    var validationFraction: Double = 0.1

    @Option(help: "Training loss: mse, mae or huber.")
    var loss: Loss = .mse

    @Option(help: "Scaler fitted on the training part: standard, minmax or none.")
    var scaler: ScalerKind = .standard

    @Option(help: "What the network corrects: seasonal (seasonal-naive forecast) or naive (last value).")
    var baseline: BaselineKind = .seasonal

    @Option(name: .customLong("seasonal-period"), help: "Seasonal period (default: from the frequency).")
    var seasonalPeriod: Int?

    @Option(help: "Random seed for weights, shuffling and dropout.")
    var seed: UInt64 = 42

    @Option(help: "Threads to split each batch across (same count, same model).")
    var threads: Int = 1


    func validate() throws {
        guard horizon >= 1 else { throw ValidationError("--horizon must be at least 1, got \(horizon)") }
    }

    /// The configuration these options describe, checked.
    func config() throws -> ForecasterConfig {
        var config = ForecasterConfig(horizon: horizon)
        config.lookback = lookback
        config.encoder = encoder ?? cell ?? .lstm
        config.decoder = decoder ?? cell ?? .lstm
        config.decoderStart = decoderStart
        config.hiddenSize = hidden
        config.layers = layers
        config.dropout = dropout
        config.epochs = epochs
        config.batchSize = batchSize
        config.learningRate = learningRate
        config.weightDecay = weightDecay
        config.patience = patience
        config.validationFraction = validationFraction
        config.loss = loss
        config.scaler = scaler
        config.baseline = baseline
        config.seasonalPeriod = seasonalPeriod
        config.seed = seed
        config.threads = threads
        try config.validate()
        return config
    }
}
