import ArgumentParser

/// How a command prints its result: a table for people, or CSV or JSON for programs.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

/// `--format table|csv|json`, with `--json` kept as an alias of `--format json`.
struct ReportFormatOption: ParsableArguments {
    @Option(help: "Output: table (for people), csv or json (for programs: stable keys and a schema version, see docs/output.md).")
    var format: ReportFormat = .table

    @Flag(help: "The same as --format json.")
    var json = false

    /// The format asked for.
    var resolved: ReportFormat { json ? .json : format }

    func validate() throws {
        if json && format != .table && format != .json {
            throw ValidationError("--json and --format \(format.rawValue) ask for different formats; give one")
        }
    }
}

/// `fit`'s `--format table|json` (its summary has no CSV form), with `--json` as an alias.
struct SummaryFormatOption: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @Option(help: "Output: table (on stderr, for people) or json (on stdout, for programs: stable keys and a schema version, see docs/output.md) (default: table).")
    var format: Format?

    @Flag(help: "The same as --format json.")
    var json = false

    /// The format asked for.
    var resolved: ReportFormat { json || format == .json ? .json : .table }

    func validate() throws {
        if json && format == .table { throw ValidationError("--json and --format table ask for different formats; give one") }
    }
}

/// The name and version of a command's machine-readable output ("forecast.evaluate/1"), the
/// `schema` key of every JSON object the command line prints; documented in docs/output.md.
func schema(_ command: String) -> String { "forecast.\(command)/\(schemaVersions[command] ?? 1)" }

/// Outputs whose keys or meaning changed since version 1 (see docs/output.md).
private let schemaVersions = ["backtest": 2, "evaluate": 2, "inspect": 2]

/// CSV text: a header and rows, fields quoted when they hold a comma, a quote or a line break.
func csvText(_ header: [String], _ rows: [[String]]) -> String {
    ([header] + rows).map { $0.map(ForecastOutput.csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
}

/// A number for CSV output (shortest round-trip text), empty when undefined.
func csvNumber(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
