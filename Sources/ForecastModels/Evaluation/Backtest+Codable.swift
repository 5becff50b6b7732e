import Foundation
import ForecastMetrics

/// Stored as its `name`: "combination", "network" or a statistical model's ("theta").
extension ForecastSource: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let name = try c.decode(String.self)
        guard let source = ForecastSource(name: name) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown forecast source '\(name)'")
        }
        self = source
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(name)
    }
}

// Backtest results are `Codable`, for pipelines that store them (as JSON, say). Scores are keyed by
// model and metric name (`{"network": {"mase": 0.61, ...}}`), as in `forecast backtest --format
// json`; coverage and Winkler scores by level as a fraction (`{"0.8": 0.83}`), as
// `PredictionInterval.level` holds it, where the command line writes percent ("80"). A metric that
// is undefined in a fold is absent, as in memory (the command line writes null).

extension Backtest.Fold: Codable {
    enum CodingKeys: String, CodingKey { case trainCount, origin, originLabel, scores, coverage, winkler, forecast, bands }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(trainCount: try c.decode(Int.self, forKey: .trainCount),
                  origin: try c.decodeIfPresent(Date.self, forKey: .origin),
                  originLabel: try c.decode(String.self, forKey: .originLabel),
                  scores: try BacktestCoding.scores(c, .scores),
                  coverage: try BacktestCoding.byLevel(c, .coverage),
                  winkler: try BacktestCoding.byLevel(c, .winkler),
                  forecast: try c.decode([Double].self, forKey: .forecast),
                  bands: try c.decode([PredictionInterval].self, forKey: .bands))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(trainCount, forKey: .trainCount)
        try c.encodeIfPresent(origin, forKey: .origin)
        try c.encode(originLabel, forKey: .originLabel)
        try c.encode(BacktestCoding.named(scores), forKey: .scores)
        try c.encode(BacktestCoding.named(coverage), forKey: .coverage)
        try c.encode(BacktestCoding.named(winkler), forKey: .winkler)
        try c.encode(forecast, forKey: .forecast)
        try c.encode(bands, forKey: .bands)
    }
}

extension Backtest.Result: Codable {
    enum CodingKeys: String, CodingKey { case folds, models, overall, coverage, seasonalPeriod, warnings }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(folds: try c.decode([Backtest.Fold].self, forKey: .folds),
                  models: try c.decode([ForecastSource].self, forKey: .models),
                  overall: try BacktestCoding.scores(c, .overall),
                  coverage: try BacktestCoding.byLevel(c, .coverage),
                  seasonalPeriod: try c.decode(Int.self, forKey: .seasonalPeriod),
                  warnings: try c.decodeIfPresent([String].self, forKey: .warnings) ?? [])
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(folds, forKey: .folds)
        try c.encode(models, forKey: .models)
        try c.encode(BacktestCoding.named(overall), forKey: .overall)
        try c.encode(BacktestCoding.named(coverage), forKey: .coverage)
        try c.encode(seasonalPeriod, forKey: .seasonalPeriod)
        try c.encode(warnings, forKey: .warnings)
    }
}

/// The string-keyed forms of a backtest's dictionaries, and back (with an error naming the key
/// that is not a model, a metric or a level).
enum BacktestCoding {
    static func named(_ d: [ForecastSource: [Metric: Double]]) -> [String: [String: Double]] {
        Dictionary(uniqueKeysWithValues: d.map { source, values in
            (source.name, Dictionary(uniqueKeysWithValues: values.map { ($0.key.rawValue, $0.value) }))
        })
    }

    /// A level's key: its shortest exact decimal form ("0.8", "0.95").
    static func named(_ d: [Double: Double]) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: d.map { ("\($0.key)", $0.value) })
    }

    static func scores<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) throws -> [ForecastSource: [Metric: Double]] {
        var out: [ForecastSource: [Metric: Double]] = [:]
        for (name, values) in try c.decode([String: [String: Double]].self, forKey: key) {
            guard let source = ForecastSource(name: name) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "unknown model '\(name)'")
            }
            var row: [Metric: Double] = [:]
            for (metric, value) in values {
                guard let m = Metric(rawValue: metric) else {
                    throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "unknown metric '\(metric)' for \(name)")
                }
                row[m] = value
            }
            out[source] = row
        }
        return out
    }

    static func byLevel<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) throws -> [Double: Double] {
        var out: [Double: Double] = [:]
        for (text, value) in try c.decode([String: Double].self, forKey: key) {
            guard let level = Double(text), level > 0, level < 1 else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "'\(text)' is not a level between 0 and 1")
            }
            out[level] = value
        }
        return out
    }
}
