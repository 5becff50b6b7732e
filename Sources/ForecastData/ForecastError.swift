/// The one error type of the library: what went wrong, where, and what was expected.
///
/// Its `description` is one plain sentence that names the file and, where known, the line and
/// column, then says what was expected:
///
///     sales.csv, line 17, column 3 ('units'): expected a number, found "12,5x"
///
/// `kind` tells a pipeline what to do about it; the `forecast` command exits with status 1 for
/// every kind but `interrupted` (130):
///
///     do {
///         let model = try Forecaster.fit(series, config: config)
///     } catch let e as ForecastError where e.kind == .data {
///         print("fix the data: \(e)")
///     }
public struct ForecastError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of problem it is.
    public enum Kind: String, Sendable, CaseIterable {
        /// The data (a CSV file or in-memory series): unreadable, malformed, missing values, too short.
        case data
        /// A setting out of range, or settings the data cannot satisfy.
        case configuration
        /// Training diverged (the loss or a gradient became NaN or infinite).
        case training
        /// A model file that cannot be used (damaged, foreign, newer, edited).
        case modelFile
        /// An output file that could not be written.
        case output
        /// Work that was asked to stop (a `shouldStop` hook, or task cancellation) before it finished;
        /// nothing it would have produced is returned.
        case interrupted
    }

    /// What kind of problem it is.
    public var kind: Kind
    /// The file the problem is in, when there is one.
    public var file: String?
    /// The 1-based physical line, when known.
    public var line: Int?
    /// The 1-based field number, when the problem is a field.
    public var column: Int?
    /// The column's header name, when known.
    public var columnName: String?
    /// The 1-based byte offset within the line, for syntax errors.
    public var byteColumn: Int?
    /// What was wrong and what was expected.
    public var message: String

    /// An error of `kind`; leave out what is not known.
    public init(_ kind: Kind, message: String, file: String? = nil, line: Int? = nil, column: Int? = nil,
                columnName: String? = nil, byteColumn: Int? = nil) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.columnName = columnName
        self.byteColumn = byteColumn
        self.message = message
    }

    /// A problem in a data file, located as precisely as the reader knows.
    package init(file: String, line: Int? = nil, column: Int? = nil, columnName: String? = nil,
                 byteColumn: Int? = nil, message: String) {
        self.init(.data, message: message, file: file, line: line, column: column, columnName: columnName,
                  byteColumn: byteColumn)
    }

    /// A setting out of range, or a combination that cannot work.
    package static func configuration(_ message: String) -> ForecastError { ForecastError(.configuration, message: message) }
    /// A model file that cannot be used, and why.
    package static func modelFile(path: String, message: String) -> ForecastError {
        ForecastError(.modelFile, message: message, file: path)
    }
    /// An output file that could not be written.
    package static func output(path: String, message: String) -> ForecastError {
        ForecastError(.output, message: message, file: path)
    }
    /// `what` ("the forecast", "the backtest in fold 2") was stopped before it finished.
    package static func interrupted(_ what: String) -> ForecastError {
        ForecastError(.interrupted, message: "interrupted: \(what) was stopped before it finished")
    }

    public var description: String {
        guard var place = file else { return Self.escapingControls(message) }
        if let line { place += ", line \(line)" }
        if let column {
            place += ", column \(column)"
            if let columnName { place += " ('\(Self.truncated(columnName))')" }
        } else if let columnName {
            place += ", column '\(Self.truncated(columnName))'"
        }
        if let byteColumn { place += ", character \(byteColumn)" }
        return Self.escapingControls("\(place): \(message)")
    }
}
