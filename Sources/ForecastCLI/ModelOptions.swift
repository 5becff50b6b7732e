import ArgumentParser
import Foundation
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

    @Option(help: "Maximum epochs (passes over the training windows); prefer --max-steps.")
    var epochs: Int?

    @Option(name: .customLong("max-steps"), help: "Training budget in optimizer steps (default: 200 passes over small data, at most \(ForecasterConfig.stepCap) steps; early stopping usually ends sooner).")
    var maxSteps: Int?

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

    @Option(name: .customLong("seasonal-period"), help: "Seasonal periods, primary first (24,168), or none (default: detected from the training data among the calendar's candidates).")
    var seasonalPeriod: String?

    @Option(name: .customLong("future-covariates"), help: "Comma-separated columns known in advance (holidays, planned prices), fed to the decoder for each forecast step; predict then needs their future rows.")
    var futureCovariates: String?

    @Flag(name: .customLong("no-calendar-features"), help: "Do not feed the decoder the position within each season, the weekday and the month of each forecast step.")
    var noCalendarFeatures = false

    @Option(help: "Networks in the ensemble, differing in seed and lookback; the forecast is their median (1: a single network; default: \(ForecasterConfig.defaultEnsembleSize)).")
    var ensemble: Int?

    @Option(help: "Per series: network (always the ensemble), best (the candidate with the smallest validation error among the network, seasonal naive, Theta and damped ETS), or auto (best).")
    var combine: CombineMode = .auto

    @Flag(name: .customLong("allow-negative"), help: "Do not clip forecasts at 0 for series whose training values are all >= 0.")
    var allowNegative = false

    @Option(help: "Random seed for weights, shuffling and dropout.")
    var seed: UInt64 = 42

    @Option(help: "Threads: ensemble members train in parallel, or a single network splits each batch across them (same count, same model; default: the machine's cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount


    func validate() throws {
        guard horizon >= 1 else { throw ValidationError("--horizon must be at least 1, got \(horizon)") }
        _ = try periods()
    }

    /// The periods `--seasonal-period` gives: `nil` (detect), `[]` (none) or a list.
    func periods() throws -> [Int]? {
        guard let text = seasonalPeriod?.trimmingCharacters(in: .whitespaces) else { return nil }
        if text.lowercased() == "none" { return [] }
        var out: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let t = part.trimmingCharacters(in: .whitespaces)
            guard let p = Int(t), p >= 1 else {
                throw ValidationError("--seasonal-period takes whole numbers >= 1 separated by commas (24,168) or none, got '\(text)'")
            }
            if p > 1 { out.append(p) }
        }
        return out
    }

    /// The `--future-covariates` columns.
    var futureCovariateList: [String] {
        (futureCovariates ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
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
        config.maxSteps = maxSteps
        config.batchSize = batchSize
        config.learningRate = learningRate
        config.weightDecay = weightDecay
        config.patience = patience
        config.validationFraction = validationFraction
        config.loss = loss
        config.scaler = scaler
        config.baseline = baseline
        config.seasonalPeriods = try periods()
        let future = futureCovariateList
        config.futureCovariates = future.isEmpty ? nil : future
        config.calendarFeatures = !noCalendarFeatures
        config.allowNegative = allowNegative
        config.ensembleSize = ensemble
        config.combine = combine
        config.seed = seed
        config.threads = threads
        try config.validate()
        return config
    }
}
