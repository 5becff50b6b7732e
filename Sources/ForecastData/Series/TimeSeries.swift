/// One regularly spaced series: a target column, optional covariate columns, and their timestamps.
///
/// A `TimeSeries` from `SeriesLoader` is on its frequency's grid with no gaps: the loader inserts
/// missing timestamps and fills or rejects missing values by policy before one is made. One built
/// from values in memory is checked by `validate()`. Values are `Double`
/// as read; models convert to `Float` after scaling. `Codable`, to store series as JSON.
public struct TimeSeries: Sendable, Equatable {
    /// The series identifier in a long-format panel, or `nil` for a single series.
    public var id: String?
    /// The name of the time column ("index" when the file had none).
    public var timeColumn: String
    /// How timestamps are written in the source, and so in forecasts.
    public var timeFormat: TimeFormat
    /// The step between observations.
    public var frequency: Frequency
    /// Seconds since the epoch (or index values), one per observation, strictly increasing.
    /// Built on each read, since times on the frequency's grid are computed rather than stored:
    /// read it once rather than once per element.
    public var timestamps: [Int64] {
        get { Array(times) }
        set { times = TimeGrid(newValue, frequency: frequency) }
    }
    /// The times, computed from the first when they lie on the frequency's grid (see `TimeGrid`).
    package var times: TimeGrid
    /// The name of the target column.
    public var targetName: String
    /// The target values.
    public var target: [Double]
    /// The target values packed (see `packTarget`), when `target` is empty for them.
    package private(set) var packedTarget: PackedValues?
    /// Names of the covariate columns, in order.
    public var covariateNames: [String]
    /// Covariate values, one array per covariate, each as long as `target`.
    public var covariates: [[Double]]

    /// Creates a series. Without `timestamps` the times count in steps from 0 (for `.steps`
    /// frequencies). Nothing is checked here: `validate()` says what is inconsistent (arrays of
    /// different lengths, timestamps off the frequency's grid, values that are not finite).
    /// `Forecaster.fit`, `predict(history:)` and `Backtest.run` run its checks (the values of the
    /// series the network trains on or forecasts), so bad data is a `ForecastError`, not a crash.
    public init(id: String? = nil, timeColumn: String = "index", timeFormat: TimeFormat = .index,
                frequency: Frequency = .steps(1), timestamps: [Int64]? = nil,
                targetName: String = "value", target: [Double],
                covariateNames: [String] = [], covariates: [[Double]] = []) {
        self.id = id
        self.timeColumn = timeColumn
        self.timeFormat = timeFormat
        self.frequency = frequency
        self.times = timestamps.map { TimeGrid($0, frequency: frequency) }
            ?? TimeGrid(anchor: 0, count: target.count, frequency: frequency.isSteps ? frequency : .steps(1))
        self.targetName = targetName
        self.target = target
        self.covariateNames = covariateNames
        self.covariates = covariates
    }

    /// A series whose times are `times` (the loader's: on the frequency's grid, not stored).
    package init(id: String?, timeColumn: String, timeFormat: TimeFormat, frequency: Frequency, times: TimeGrid,
                 targetName: String, target: [Double], covariateNames: [String], covariates: [[Double]]) {
        precondition(times.count == target.count, "timestamps and target differ in length")
        precondition(covariateNames.count == covariates.count, "covariate names and columns differ in number")
        precondition(covariates.allSatisfy { $0.count == target.count }, "covariates must be as long as the target")
        self.id = id
        self.timeColumn = timeColumn
        self.timeFormat = timeFormat
        self.frequency = frequency
        self.times = times
        self.targetName = targetName
        self.target = target
        self.covariateNames = covariateNames
        self.covariates = covariates
    }

    /// The number of observations.
    public var count: Int { packedTarget?.count ?? target.count }

    /// Moves the target values into `packedTarget`, in about half the memory (`PackedValues`),
    /// leaving `target` empty until `unpackTarget`. For a model's training set, whose values it
    /// reads through `packedTarget` or `targetValues(_:)`.
    package mutating func packTarget() {
        guard packedTarget == nil else { return }
        packedTarget = PackedValues(target)
        target = []
    }

    /// Moves packed target values back into `target`.
    package mutating func unpackTarget() {
        guard let p = packedTarget else { return }
        target = p.doubles
        packedTarget = nil
    }

    /// The target values of `range`, packed or not.
    package func targetValues(_ range: Range<Int>) -> [Double] {
        packedTarget?.values(range) ?? Array(target[range])
    }

    /// Drops the target values, packed or not (a series whose values are no longer needed).
    package mutating func emptyTarget() {
        target = []
        packedTarget = nil
    }

    /// The target values, packed or not, as `PackedValues` (unpacked ones share their storage).
    package var targetStorage: PackedValues { packedTarget ?? PackedValues(unpacked: target) }

    /// The seasonal period implied by the frequency (12 for monthly data...).
    public var seasonalPeriod: Int { frequency.seasonalPeriod }

    /// The first `n` observations.
    public func prefix(_ n: Int) -> TimeSeries { slice(0..<min(n, count)) }

    /// The last `n` observations.
    public func suffix(_ n: Int) -> TimeSeries { slice(max(0, count - n)..<count) }

    /// The observations in `range`.
    public func slice(_ range: Range<Int>) -> TimeSeries {
        var s = self
        s.times = times.slice(range)
        s.target = targetValues(range)
        s.packedTarget = nil
        s.covariates = covariates.map { Array($0[range]) }
        return s
    }

    /// The `n` timestamps that follow the last observation.
    public func futureTimestamps(_ n: Int) -> [Int64] {
        guard let last = times.last else { return [] }
        return (1...max(1, n)).prefix(n).map { frequency.advance(last, by: $0) }
    }

    /// The timestamp of observation `i`, formatted as the source writes it.
    public func formattedTime(_ i: Int) -> String { timeFormat.format(times[i]) }
}
