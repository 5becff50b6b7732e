import ForecastData

extension Forecaster {
    /// What forecasts the series, counted: "network 300, theta 80, seasonal_naive 34"; for one
    /// series, the choice with each candidate's validation error.
    public var choiceSummary: String { Self.describeChoices(series) }

    /// What forecasts `series` (see `choiceSummary`); `unit` follows each count.
    public static func describeChoices(_ series: [SeriesState], unit: String = "") -> String {
        if series.count == 1, let e = series[0].validationErrors {
            let scores = e.sorted { $0.value < $1.value }.map { "\($0.key) \(String(format: "%.4g", $0.value))" }
            return "\(series[0].choice ?? "network") (validation MAE: \(scores.joined(separator: ", ")))"
        }
        var counts: [String: Int] = [:]
        for s in series { counts[s.choice ?? "network", default: 0] += 1 }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.key) \($0.value)\(unit)" }.joined(separator: ", ")
    }

    /// The statistical candidates the combination weighs against the network.
    static let statisticalCandidates: [Baseline] = [.seasonalNaive, .theta, .dampedETS, .holtWinters]

    /// `model`'s forecast of `horizon` steps after `history` for the series of `state`. Seasonal
    /// naive repeats the series' baseline period; the other models use the primary seasonal period
    /// (taken as established when the forecaster detected or was given it, see
    /// `Baseline.forecast(_:horizon:knownPeriod:)`).
    func statisticalForecast(_ model: Baseline, history: [Double], horizon: Int, state: SeriesState) -> [Double] {
        if model == .seasonalNaive {
            return model.forecast(history, horizon: horizon, period: state.baselinePeriod ?? config.seasonalPeriod ?? 1)
        }
        let m = config.seasonalPeriod ?? 1
        return config.seasonalPeriods == nil ? model.forecast(history, horizon: horizon, period: m)
            : model.forecast(history, horizon: horizon, knownPeriod: m)
    }
    /// Validation origins scored per series at most.
    static let combinationOrigins = 3

    /// Per series: the candidate (the network, seasonal naive, Theta, damped ETS, Holt-Winters) with the smallest
    /// mean absolute error over the last validation origins of its training part (non-overlapping
    /// blocks of one horizon that end at the end of the data given to `fit`, all inside the part
    /// held out from gradient steps), and, for a statistical choice, its forecast after the data.
    /// With `CombineMode.network`, or without a validation part, every series keeps the network;
    /// so does `auto` for a model with future covariates.
    func combination(_ kept: [TimeSeries], trainCounts: [Int]) throws -> [SeriesState] {
        let H = config.horizon
        var states = series
        // Only the network reads future covariates: `auto` keeps it for models that have them.
        guard config.combine != .network, !(config.combine == .auto && !(config.futureCovariates ?? []).isEmpty) else {
            return states
        }
        // Origins per series, newest first.
        let origins: [[Int]] = zip(kept, trainCounts).map { s, n in
            let blocks = min(Self.combinationOrigins, (s.count - n) / H)
            return (0..<blocks).map { s.count - ($0 + 1) * H }
        }
        // The network's validation forecasts, batched per origin index across series.
        var network = [[[Double]]](repeating: [], count: kept.count)
        for j in 0..<Self.combinationOrigins {
            let which = kept.indices.filter { origins[$0].count > j }
            guard !which.isEmpty else { break }
            let fcs = try predict(horizon: H, history: which.map { kept[$0].prefix(origins[$0][j]) },
                                  future: which.map { kept[$0] })
            for (i, fc) in zip(which, fcs) { network[i].append(fc.values) }
        }
        for i in kept.indices where !origins[i].isEmpty {
            let s = kept[i]
            var errors: [String: Double] = [:]
            func score(_ forecasts: [[Double]]) -> Double {
                var e = 0.0
                for (o, f) in zip(origins[i], forecasts) { for h in 0..<H { e += abs(s.target[o + h] - f[h]) } }
                return e / Double(origins[i].count * H)
            }
            errors["network"] = score(network[i])
            for model in Self.statisticalCandidates {
                errors[model.rawValue] = score(origins[i].map { statisticalForecast(model, history: Array(s.target[..<$0]), horizon: H, state: states[i]) })
            }
            states[i].validationErrors = errors
            // Ties go to the network; the statistical models in their listed order.
            var best = "network", bestStat = Self.statisticalCandidates[0].rawValue
            for model in Self.statisticalCandidates {
                if errors[model.rawValue]! < errors[best]! * (1 - 1e-9) { best = model.rawValue }
                if errors[model.rawValue]! < errors[bestStat]! * (1 - 1e-9) { bestStat = model.rawValue }
            }
            let blend = config.combine == .weights && errors["network"]! <= errors[Baseline.seasonalNaive.rawValue]!
            let chosen = blend ? bestStat : best
            states[i].choice = chosen
            if let model = Baseline(rawValue: chosen) {
                states[i].statForecast = statisticalForecast(model, history: s.target, horizon: 4 * H, state: states[i])
                if blend {
                    // Inverse-error weights; an exact validation hit takes all the weight.
                    let a = errors["network"]!, b = errors[chosen]!
                    states[i].statWeight = a + b > 0 ? a / (a + b) : 0.5
                }
            }
        }
        return states
    }
}
