import Foundation
import ForecastKit

/// `fit --format json`: what was fitted, for programs (`forecast.fit/1`, docs/output.md).
enum FitReport {
    /// The JSON text of `f`'s fit, written to `model` from `points` observations spanning `span`
    /// (after any holdout), with the warnings the fit gave.
    static func json(_ f: Forecaster, model: String, points: Int, span: (first: String, last: String)?,
                     warnings: [String]) -> String {
        let s = f.summary, c = f.config
        func number(_ v: Double?) -> Any { v.flatMap { $0.isFinite ? $0 : nil } ?? NSNull() }
        var counts: [String: Int] = [:]
        for state in f.series { counts[state.chosenName, default: 0] += 1 }
        let choices: [[String: Any]] = f.series.map { state in
            var r: [String: Any] = ["id": state.id ?? NSNull(), "choice": state.chosenName, "points": state.count]
            if let e = state.validationErrors { r["validation_mae"] = e.mapValues { number($0) } }
            if let w = state.statWeight { r["statistical_share"] = number(w) }
            if state.linearForecast != nil { r["linear_share"] = number(state.linearWeight ?? 0.5) }
            r["scale_changed"] = state.scaleChanged == true
            return r
        }
        let obj: [String: Any] = [
            "schema": schema("fit"),
            "model": model,
            "target": f.targetName, "time_column": f.timeColumn, "id_column": f.idColumn ?? NSNull(),
            "covariates": f.covariateNames, "future_covariates": c.futureCovariates ?? [],
            "series": f.series.count, "points": points,
            "frequency": f.series.first?.frequency.name ?? "",
            "first_time": span?.first ?? NSNull(), "last_time": span?.last ?? NSNull(),
            "seasonal_periods": c.seasonalPeriods ?? [], "periods_detected": c.periodsDetected ?? false,
            "encoder": c.encoder.rawValue, "decoder": c.decoder.rawValue, "hidden_size": c.hiddenSize,
            "layers": c.layers, "lookback": c.lookback ?? 0, "horizon": c.horizon,
            "parameters": f.members.reduce(0) { $0 + $1.network.parameterCount },
            "ensemble": f.members.map { m -> [String: Any] in
                ["lookback": m.lookback, "seed": m.seed, "window_scaled": m.scaled, "steps": m.summary.steps ?? 0, "rounds": m.summary.epochsRun,
                 "best_round": m.summary.bestEpoch, "validation_loss": number(m.summary.bestValidationLoss)]
            },
            "steps": s.steps ?? 0, "max_steps": s.maxSteps ?? 0, "rounds": s.epochsRun, "best_round": s.bestEpoch,
            "validation_loss": number(s.bestValidationLoss), "seconds": s.seconds, "interrupted": s.interrupted,
            "combine": c.combine?.rawValue ?? "network", "choice_counts": counts, "choices": choices,
            "left_out": f.shortSeries.map { ["id": $0.id ?? NSNull(), "points": $0.count] as [String: Any] },
            "warnings": warnings,
            "format_version": Int(ModelFile.formatVersion), "library_version": ModelFile.libraryVersion,
        ]
        let data = try! JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .prettyPrinted])
        return String(decoding: data, as: UTF8.self)
    }
}

extension Array where Element == TimeSeries {
    /// The formatted first and last times of a panel: its earliest first time and its latest last
    /// time (nil when no series has a point).
    var timeSpan: (first: String, last: String)? {
        let nonEmpty = filter { $0.count > 0 }
        guard let first = nonEmpty.min(by: { $0.times[0] < $1.times[0] }),
              let last = nonEmpty.max(by: { $0.times.last! < $1.times.last! }) else { return nil }
        return (first.formattedTime(0), last.formattedTime(last.count - 1))
    }
}
