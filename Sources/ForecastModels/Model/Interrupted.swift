/// Work that was asked to stop (through a `shouldStop` hook: Ctrl-C or SIGTERM in the CLI) before
/// it finished. Nothing it would have produced is returned: a caller never sees a partial forecast,
/// or a backtest scored with networks whose training was cut short.
public struct Interrupted: Error, CustomStringConvertible, Sendable {
    /// What was stopped ("the forecast", "the backtest in fold 2").
    public var what: String
    public init(_ what: String) { self.what = what }
    public var description: String { "interrupted: \(what) was stopped before it finished" }
}
