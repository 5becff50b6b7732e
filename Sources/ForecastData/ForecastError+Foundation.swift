import Foundation

/// `localizedDescription` (what logging code reads from any `Error`) is the error's own sentence,
/// not Foundation's generic "The operation could not be completed".
extension ForecastError: LocalizedError {
    public var errorDescription: String? { description }
}
