import ForecastKit

/// What a saved model needs from `--data`: the columns it was trained on, at its frequency.
extension Forecaster {
    /// Options that read a CSV file with the columns this model was trained on; a file without
    /// one of them is refused with what the model expects.
    func loaderOptions(fill: MissingPolicy) -> SeriesLoader.Options {
        var o = SeriesLoader.Options(target: targetName, timeColumn: timeColumn == "index" ? nil : timeColumn,
                                     idColumn: idColumn, covariates: covariateNames, fill: fill)
        o.expectation = "the model expects \(expectedColumns)"
        return o
    }

    /// The columns in words: "'date' (monthly), 'passengers' (target)".
    var expectedColumns: String {
        var parts: [String] = []
        if timeColumn != "index" { parts.append("'\(timeColumn)' (\(series[0].frequency.name))") }
        if let idColumn { parts.append("'\(idColumn)' (series id)") }
        parts.append("'\(targetName)' (target)")
        parts += covariateNames.map { "'\($0)'" }
        return parts.joined(separator: ", ")
    }

    /// Refuses series whose frequency is not the one this model was trained on (a daily file
    /// for a monthly model would be forecast as if each row were a month).
    func checkFrequency(of loaded: [TimeSeries], file: String) throws {
        for s in loaded {
            let trained = (series.first { $0.id == s.id } ?? series[0]).frequency
            guard s.frequency.name == trained.name else {
                let which = s.id.map { "series '\(ForecastError.truncated($0))' is" } ?? "the rows are"
                throw ForecastError(file: CSVInput.displayName(file), columnName: s.timeColumn,
                                message: "\(which) \(s.frequency.name) but the model was trained on \(trained.name) data; the model expects \(expectedColumns)")
            }
        }
    }
}
