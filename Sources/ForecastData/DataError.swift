/// An error in user data or a user file, located as precisely as the reader knows.
///
/// Its `description` is one plain sentence that names the file and, where known, the line and
/// column, then says what was expected:
///
///     sales.csv, line 17, column 3 ('units'): expected a number, found "12,5x"
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file the problem is in.
    public var file: String
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

    /// Creates an error; leave out what is not known.
    public init(file: String, line: Int? = nil, column: Int? = nil, columnName: String? = nil,
                byteColumn: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.columnName = columnName
        self.byteColumn = byteColumn
        self.message = message
    }

    public var description: String {
        var place = file
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
