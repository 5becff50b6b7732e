import ArgumentParser
import Foundation
import ForecastKit

/// The defaults the option help shows: read from `ForecasterConfig`, the one place that holds them
/// (a test fails when a literal default appears in this module's help text).
private let defaults = ForecasterConfig(horizon: 1)

/// The model and training options shared by `fit` and `backtest`.
struct ModelOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Steps to forecast directly (H).")
    var horizon: Int

    @Option(help: "Input steps of every network, or one per network, cycled (24,36) (default: L and 1.5 L alternately, L being two seasons and twice the horizon, bounded by the data; fit reports them).")
    var lookback: String?

    @Option(help: "Cell for both encoder and decoder: lstm or gru (default: \(defaults.encoder.rawValue)).")
    var cell: CellKind?

    @Option(help: "Encoder cell (overrides --cell).")
    var encoder: CellKind?

    @Option(help: "Decoder cell (overrides --cell).")
    var decoder: CellKind?

    @Option(name: .customLong("decoder-start"), help: "Decoder initial state: encoder (its final state) or zeros (default: \(defaults.decoderStart.rawValue)).")
    var decoderStart: DecoderStart?

    @Option(parsing: .unconditional, help: "Hidden units per recurrent layer, at most \(ForecasterConfig.maxHiddenSize) (default: \(defaults.hiddenSize)).")
    var hidden: Int?

    @Option(parsing: .unconditional, help: "Recurrent layers in encoder and decoder (default: \(defaults.layers)).")
    var layers: Int?

    @Option(parsing: .unconditional, help: "Dropout between stacked layers (so only with --layers 2 or more), in [0, 1) (default: \(defaults.dropout.helpText)).")
    var dropout: Double?

    @Option(parsing: .unconditional, help: "Maximum epochs (passes over the training windows); prefer --max-steps.")
    var epochs: Int?

    @Option(name: .customLong("max-steps"), parsing: .unconditional, help: "Training budget in optimizer steps (default: \(ForecasterConfig.passesOnSmallData) passes over small data, at most \(ForecasterConfig.stepCap) steps; early stopping usually ends sooner).")
    var maxSteps: Int?

    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Windows per mini-batch (default: \(defaults.batchSize)).")
    var batchSize: Int?

    @Option(name: .customLong("learning-rate"), parsing: .unconditional, help: "Adam's learning rate (default: \(defaults.learningRate.helpText)).")
    var learningRate: Double?

    @Option(name: .customLong("weight-decay"), parsing: .unconditional, help: "Decoupled weight decay (AdamW) (default: \(defaults.weightDecay.helpText)).")
    var weightDecay: Double?

    @Option(parsing: .unconditional, help: "Evaluation rounds without validation improvement before stopping (default: \(defaults.patience)).")
    var patience: Int?

    @Option(name: .customLong("validation-fraction"), parsing: .unconditional, help: "Share of each series held out (chronologically) for validation (default: \(defaults.validationFraction.helpText)).")
    var validationFraction: Double?

    @Option(help: "Training loss: mse, mae or huber (default: \(defaults.loss.rawValue)).")
    var loss: Loss?

    @Option(help: "Scaler fitted on the training part: standard, minmax or none (default: \(defaults.scaler.rawValue)).")
    var scaler: ScalerKind?

    @Option(help: "What the network corrects: seasonal (seasonal-naive forecast) or naive (last value) (default: \(defaults.baseline.rawValue)).")
    var baseline: BaselineKind?

    @Option(name: .customLong("seasonal-period"), help: "Seasonal periods, primary first (24,168), or none (default: detected from the training data among the calendar's candidates).")
    var seasonalPeriod: String?

    @Option(name: .customLong("future-covariates"), help: "Comma-separated columns known in advance (holidays, planned prices), fed to the decoder for each forecast step; predict then needs their future rows.")
    var futureCovariates: String?

    @Flag(name: .customLong("no-calendar-features"), help: "Do not feed the decoder the position within each season, the weekday and the month of each forecast step.")
    var noCalendarFeatures = false

    @Flag(name: .customLong("window-scaling"), help: "Divide each window by the standard deviation of its lookback before the network sees it, and scale the output back (instance normalisation; off by default, see the README's accuracy section).")
    var windowScaling = false

    @Flag(name: .customLong("no-scaled-members"), help: "Do not add window-scaled networks for the series whose scale changed over the data (by default their network forecast is the mean of the ensemble's and that of as many window-scaled networks, trained on those series).")
    var noScaledMembers = false
    @Flag(name: .customLong("no-linear-member"), help: "Do not mix the network's forecast with a per-series linear autoregression (by default each series' network forecast mixes the networks' and a linear autoregression fitted to its history, each weighted by the inverse of its validation error).")
    var noLinearMember = false

    @Option(parsing: .unconditional, help: "Networks in the ensemble, differing in seed and lookback; the forecast is their median (1: a single network; default: \(ForecasterConfig.defaultEnsembleSize)).")
    var ensemble: Int?

    @Option(help: "Per series: auto (the network, the best statistical model, or a blend of the two weighted by validation error), best (the single candidate with the smallest validation error: the network, seasonal naive, Theta, damped ETS, Holt-Winters, AutoETS, seasonal median), weights (the network and the best statistical model, weighted by inverse validation error) or network (always the ensemble) (default: \(ForecasterConfig.defaultCombine.rawValue)).")
    var combine: CombineMode?

    @Flag(name: .customLong("allow-negative"), help: "Do not clip forecasts at 0 for series whose training values are all >= 0.")
    var allowNegative = false

    @Option(parsing: .unconditional, help: "Random seed for weights, shuffling and dropout (default: \(defaults.seed)).")
    var seed: UInt64?

    @Option(parsing: .unconditional, help: "Threads: ensemble members train in parallel, or a single network splits each batch across them (same count, same model; default: the machine's cores).")
    var threads: Int?


    /// Values out of range are usage errors (exit 2) whichever check finds them: the settings'
    /// own ranges are checked here, before any data is read, by `ForecasterConfig.validate()`.
    func validate() throws {
        guard horizon >= 1 else { throw ValidationError("--horizon must be at least 1, got \(horizon)") }
        _ = try periods()
        do {
            _ = try config()
        } catch let e as ForecastError where e.kind == .configuration {
            throw ValidationError(OptionNames.commandLine(e.message))
        }
    }

    /// The periods `--seasonal-period` gives: `nil` (detect), `[]` (none) or a list.
    func periods() throws -> [Int]? {
        guard let text = seasonalPeriod?.trimmingCharacters(in: .whitespaces) else { return nil }
        if text.lowercased() == "none" { return [] }
        guard let ps = Self.wholeNumbers(text), ps.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--seasonal-period takes whole numbers >= 1 separated by commas (24,168) or none, got '\(text)'")
        }
        return ps.filter { $0 > 1 }
    }

    /// The numbers of a comma-separated list ("24, 168"); nil when a part is not a whole number.
    static func wholeNumbers(_ text: String) -> [Int]? {
        var out: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let n = Int(part.trimmingCharacters(in: .whitespaces)) else { return nil }
            out.append(n)
        }
        return out
    }

    /// The lookbacks `--lookback` gives: `nil` (the default), one for every network, or one per network.
    func lookbacks() throws -> [Int]? {
        guard let text = lookback?.trimmingCharacters(in: .whitespaces) else { return nil }
        guard let ls = Self.wholeNumbers(text) else {   // the range is the configuration's to check
            throw ValidationError("--lookback takes whole numbers, one for every network (48) or one per network separated by commas (24,36), got '\(text)'")
        }
        return ls
    }

    /// The `--future-covariates` columns.
    var futureCovariateList: [String] {
        (futureCovariates ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The configuration these options describe, checked; options not given take
    /// `ForecasterConfig`'s defaults (threads: the machine's cores).
    func config() throws -> ForecasterConfig {
        var config = ForecasterConfig(horizon: horizon)
        if let ls = try lookbacks() {
            if ls.count == 1 { config.lookback = ls[0] } else { config.memberLookbacks = ls }
        }
        config.encoder = encoder ?? cell ?? config.encoder
        config.decoder = decoder ?? cell ?? config.decoder
        config.seasonalPeriods = try periods()
        let future = futureCovariateList
        config.futureCovariates = future.isEmpty ? nil : future
        config.calendarFeatures = !noCalendarFeatures
        if windowScaling { config.windowScaling = true }
        if noScaledMembers { config.scaledMembers = false }
        if noLinearMember { config.linearMember = false }
        config.ensembleSize = ensemble
        if let v = decoderStart { config.decoderStart = v }
        if let v = hidden { config.hiddenSize = v }
        if let v = layers { config.layers = v }
        if let v = scaler { config.scaler = v }
        if let v = baseline { config.baseline = v }
        config.threads = Forecaster.defaultThreads
        try applyTraining(to: &config)
        return config
    }

    /// Sets the options that only steer training (budget, optimizer, loss, dropout, seed, threads,
    /// what follows training) when given; a warm start applies them over the stored configuration.
    func applyTraining(to config: inout ForecasterConfig) throws {
        if let e = epochs { config.epochs = e; config.maxSteps = nil }
        if let s = maxSteps { config.maxSteps = s }
        if let v = dropout { config.dropout = v }
        if let v = batchSize { config.batchSize = v }
        if let v = learningRate { config.learningRate = v }
        if let v = weightDecay { config.weightDecay = v }
        if let v = patience { config.patience = v }
        if let v = validationFraction { config.validationFraction = v }
        if let v = loss { config.loss = v }
        if let v = seed { config.seed = v }
        if let v = threads { config.threads = v }
        config.combine = combine ?? config.combine ?? ForecasterConfig.defaultCombine
        if allowNegative { config.allowNegative = true } else if config.allowNegative == nil { config.allowNegative = false }
        try config.validate()
    }

    /// The options that would build a different network or data layout than `stored` (a model's
    /// configuration): each given option whose value differs, with the stored value, as
    /// "--hidden 64 (the model has 32)".
    func conflicts(with stored: ForecasterConfig, memberLookbacks: [Int]) throws -> [String] {
        var out: [String] = []
        func check<T: Equatable>(_ flag: String, _ given: T?, _ have: T, _ show: (T) -> String) {
            if let given, given != have { out.append("\(flag) \(show(given)) (the model has \(show(have)))") }
        }
        check("--horizon", horizon, stored.horizon) { "\($0)" }
        if let given = try lookbacks(), given.count > memberLookbacks.count || memberLookbacks.indices.map({ given[$0 % given.count] }) != memberLookbacks {
            out.append("--lookback \(given.map(String.init).joined(separator: ",")) (the model's networks have \(memberLookbacks.map(String.init).joined(separator: ",")))")
        }
        check(encoder != nil ? "--encoder" : "--cell", encoder ?? cell, stored.encoder) { $0.rawValue }
        if !out.contains(where: { $0.hasPrefix("--cell") }) {
            check(decoder != nil ? "--decoder" : "--cell", decoder ?? cell, stored.decoder) { $0.rawValue }
        }
        check("--decoder-start", decoderStart, stored.decoderStart) { $0.rawValue }
        check("--hidden", hidden, stored.hiddenSize) { "\($0)" }
        check("--layers", layers, stored.layers) { "\($0)" }
        check("--scaler", scaler, stored.scaler) { $0.rawValue }
        check("--baseline", baseline, stored.baseline) { $0.rawValue }
        let storedPeriods = stored.seasonalPeriods ?? ((stored.seasonalPeriod ?? 1) > 1 ? [stored.seasonalPeriod!] : [])
        check("--seasonal-period", try periods(), storedPeriods) { $0.isEmpty ? "none" : $0.map(String.init).joined(separator: ",") }
        check("--future-covariates", futureCovariates == nil ? nil : futureCovariateList, stored.futureCovariates ?? []) {
            $0.isEmpty ? "none" : $0.joined(separator: ",")
        }
        if noCalendarFeatures && stored.calendarFeatures == true { out.append("--no-calendar-features (the model uses calendar features)") }
        if windowScaling && stored.windowScaling != true { out.append("--window-scaling (the model does not scale windows)") }
        if noScaledMembers && stored.scaledMembers != false { out.append("--no-scaled-members (the model may have window-scaled networks)") }
        check("--ensemble", ensemble, stored.ensembleSize ?? 1) { "\($0)" }
        return out
    }
}

private extension Double {
    /// 0.003, 0.1, 0: the shortest decimal that reads back as the value.
    var helpText: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : "\(self)" }
}
