// A forecasting pipeline in a few lines of Swift: read, fill, fit, forecast, score.
//
//     swift run -c release PipelineExample datasets/airline_passengers.csv passengers 12
import ForecastKit
import Foundation

let args = CommandLine.arguments
let file = args.count > 1 ? args[1] : "datasets/airline_passengers.csv"
let target = args.count > 2 ? args[2] : "passengers"
let horizon = args.count > 3 ? Int(args[3]) ?? 12 : 12

do {
    // 1. Read the CSV through libcsv; the time column and frequency are detected.
    let loaded = try SeriesLoader.load(URL(fileURLWithPath: file), options: .init(target: target, fill: .interpolate))
    let series = loaded.series[0]
    print("read \(series.count) \(series.frequency.name) points of '\(target)'")

    // 2. Hold out the last horizon; train on the rest an LSTM encoder with a GRU decoder.
    let train = series.prefix(series.count - horizon)
    var config = ForecasterConfig(horizon: horizon)
    config.encoder = .lstm
    config.decoder = .gru          // mixed cells go through the LSTM-to-GRU bridge
    let model = try Forecaster.fit([train], config: config)
    for note in model.warnings { print("note: \(note)") }
    print("trained \(model.summary.epochsRun) rounds, best \(model.summary.bestEpoch); forecast by \(model.choiceSummary)")

    // 3. Forecast with 80% intervals and score against the held-out points.
    let forecast = try model.predict(horizon: horizon, intervals: [0.8])[0]
    let actual = Array(series.target.suffix(horizon))
    let m = model.config.seasonalPeriod ?? 1
    let snaive = Baseline.seasonalNaive.forecast(train.target, horizon: horizon, period: m)
    let mase = Metrics.mase(actual: actual, predicted: forecast.values, insample: train.target, period: m)!
    let base = Metrics.mase(actual: actual, predicted: snaive, insample: train.target, period: m)!
    print("MASE forecast \(String(format: "%.3f", mase)), seasonal naive \(String(format: "%.3f", base))")
    for i in 0..<min(3, horizon) {
        let band = forecast.interval(level: 0.8)!
        print("\(forecast.timeFormat.format(forecast.timestamps[i]))  \(String(format: "%.1f", forecast.values[i]))  [\(String(format: "%.1f", band.lower[i])), \(String(format: "%.1f", band.upper[i]))]")
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
