/// `Codable`, for pipelines that store series (timestamps as `Int64` seconds, or index values, as in
/// memory; a packed target is written as its values). Decoding checks only that the arrays fit
/// together; `validate()` (which `Forecaster.fit` runs) checks the rest.
extension TimeSeries: Codable {
    enum CodingKeys: String, CodingKey {
        case id, timeColumn, timeFormat, frequency, timestamps, targetName, target, covariateNames, covariates
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let target = try c.decode([Double].self, forKey: .target)
        let timestamps = try c.decode([Int64].self, forKey: .timestamps)
        let names = try c.decodeIfPresent([String].self, forKey: .covariateNames) ?? []
        let covariates = try c.decodeIfPresent([[Double]].self, forKey: .covariates) ?? []
        guard timestamps.count == target.count else {
            throw DecodingError.dataCorruptedError(forKey: .timestamps, in: c,
                                                   debugDescription: "\(timestamps.count) timestamps for \(target.count) target values")
        }
        guard names.count == covariates.count, covariates.allSatisfy({ $0.count == target.count }) else {
            throw DecodingError.dataCorruptedError(forKey: .covariates, in: c,
                                                   debugDescription: "covariates must be one column of \(target.count) values per name in covariateNames")
        }
        self.init(id: try c.decodeIfPresent(String.self, forKey: .id),
                  timeColumn: try c.decode(String.self, forKey: .timeColumn),
                  timeFormat: try c.decode(TimeFormat.self, forKey: .timeFormat),
                  frequency: try c.decode(Frequency.self, forKey: .frequency),
                  timestamps: timestamps,
                  targetName: try c.decode(String.self, forKey: .targetName),
                  target: target, covariateNames: names, covariates: covariates)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encode(timeColumn, forKey: .timeColumn)
        try c.encode(timeFormat, forKey: .timeFormat)
        try c.encode(frequency, forKey: .frequency)
        try c.encode(timestamps, forKey: .timestamps)
        try c.encode(targetName, forKey: .targetName)
        try c.encode(targetValues(0..<count), forKey: .target)
        try c.encode(covariateNames, forKey: .covariateNames)
        try c.encode(covariates, forKey: .covariates)
    }
}
