/// Checks of series built in memory, which do not pass through the CSV loader's: `Forecaster.fit`
/// (the values of the series it trains on), `Forecaster.predict(history:)` (of the series the
/// network forecasts) and `Backtest.run` run them, so bad data is a `ForecastError` of kind `data`
/// naming the series and the point, never a crash or a silent NaN forecast.
extension TimeSeries {
    /// Throws a `ForecastError` of kind `data` unless the series is consistent: timestamps, target
    /// and every covariate of the same length, one name per covariate column, finite values,
    /// timestamps strictly increasing one `frequency` step apart, and timestamps given for a
    /// calendar frequency (a series built without them counts in steps).
    ///
    ///     let s = TimeSeries(target: [1, 2, .nan])
    ///     try s.validate()   // ForecastError: the series, target at index 2: ... not a finite number
    public func validate() throws {
        try validateLayout()
        try validateValues()
    }

    private func invalid(_ message: String) -> ForecastError {
        ForecastError(.data, message: "\(id.map { "series '\($0)'" } ?? "the series"): \(message)")
    }

    /// `validate()` without the values: lengths, covariate names, time format and timestamps.
    package func validateLayout() throws {
        try validateLengths()
        let bad = invalid
        let n = count
        if !frequency.isSteps, timeFormat.isIndex || times.gridFrequency?.isSteps == true {
            throw bad("the frequency is \(frequency.name) but no timestamps were given (the times count in steps); give `timestamps` and a `timeFormat` such as `.date`")
        }
        // Times computed on the frequency's grid are on it by construction; given ones are checked.
        if times.isStored {
            for i in 1..<max(1, n) where frequency.advance(times[i - 1], by: 1) != times[i] {
                let was = timeFormat.format(times[i - 1]), now = timeFormat.format(times[i])
                throw bad(times[i] <= times[i - 1]
                    ? "timestamps must increase: \(now) (index \(i)) follows \(was)"
                    : "timestamps must be one \(frequency.name) step apart with no gaps: \(now) (index \(i)) follows \(was); fill the gaps (a CSV read by SeriesLoader is filled by its `fill` policy)")
            }
        }
    }

    /// The lengths alone: as many timestamps and values of each covariate as target values, and
    /// one name per covariate column (what `predict` checks of its `future` series, whose gaps
    /// and missing values it reports per forecast step).
    package func validateLengths() throws {
        let bad = invalid
        let n = count
        guard times.count == n else { throw bad("\(times.count) timestamps for \(n) target values; give one per value") }
        guard covariateNames.count == covariates.count else {
            throw bad("\(covariateNames.count) covariate names for \(covariates.count) covariate columns; give one name per column")
        }
        for (k, column) in covariates.enumerated() where column.count != n {
            throw bad("covariate '\(covariateNames[k])' has \(column.count) values for \(n) target values")
        }
    }

    /// `validate()`'s check of the values: finite target (unless packed: the loader that packed it
    /// checked it) and covariates. A panel's series too short to train on, or to forecast with the
    /// network, may hold missing values: fallbacks forecast them.
    package func validateValues() throws {
        let bad = invalid
        if packedTarget == nil, let i = target.firstIndex(where: { !$0.isFinite }) {
            throw bad("target at index \(i) (\(formattedTime(i))) is \(target[i]), not a finite number; fill or drop missing values first")
        }
        for (k, column) in covariates.enumerated() {
            if let i = column.firstIndex(where: { !$0.isFinite }) {
                throw bad("covariate '\(covariateNames[k])' at index \(i) (\(formattedTime(i))) is \(column[i]), not a finite number")
            }
        }
    }

    /// `validateLayout()` for every series, and for more than one, what a panel needs: distinct
    /// non-nil ids and the same covariate columns. (One frequency is `fit`'s to check, among the
    /// series it trains on: the loader infers each series' own, and a short or sparse one may
    /// differ.)
    package static func validatePanel(_ series: [TimeSeries]) throws {
        for s in series { try s.validateLayout() }
        guard series.count > 1 else { return }
        var seen = Set<String>()
        for s in series {
            guard let id = s.id else {
                throw ForecastError(.data, message: "a panel of \(series.count) series needs an `id` for each; one has none")
            }
            guard seen.insert(id).inserted else {
                throw ForecastError(.data, message: "two series of the panel have the id '\(id)'; ids must be distinct")
            }
        }
        let first = series[0]
        for s in series.dropFirst() {
            guard s.covariateNames == first.covariateNames else {
                throw ForecastError(.data, message: "series '\(s.id!)' has the covariates \(describe(s.covariateNames)) and series '\(first.id!)' \(describe(first.covariateNames)); a panel's series have the same columns")
            }
        }
    }

    private static func describe(_ names: [String]) -> String {
        names.isEmpty ? "none" : names.map { "'\($0)'" }.joined(separator: ", ")
    }
}
