import ForecastData
import ArgumentParser
import ForecastKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct ForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Train LSTM/GRU sequence-to-sequence forecasters on CSV time series and forecast with them.",
        discussion: """
        Examples:
          forecast fit datasets/airline_passengers.csv --target passengers --horizon 12 --model airline.fcm
          forecast predict --model airline.fcm --horizon 12 --intervals 80,95
          forecast inspect airline.fcm
          forecast fit datasets/airline_passengers.csv --target passengers --horizon 12 --holdout 12 --model heldout.fcm
          forecast evaluate datasets/airline_passengers.csv --model heldout.fcm --holdout 12

        Exit codes, the same for every command:
          0    success
          1    bad data or model file, or a file that cannot be written
          2    usage error: unknown option, value out of range, conflicting options
          130  interrupted (Ctrl-C, SIGTERM); fit still saves its best weights once
               training has begun; a second Ctrl-C or SIGTERM ends it at once, leaving
               no file half-written
        """,
        version: ModelFile.libraryVersion,
        subcommands: [Fit.self, Predict.self, Evaluate.self, BacktestCommand.self, Inspect.self, Bench.self])

    /// Runs the command; usage errors exit with 2 (the shell convention the docs promise, instead of
    /// the argument parser's 64), runtime failures with 1, interruptions with 130 (see `ExitStatus`).
    static func main() {
        unblockTerminationSignals()
        // No command, or help for one that does not exist: the help, on stderr, as a usage error
        // (the argument parser would print it on stdout and exit 0, as for a request).
        let args = Array(CommandLine.arguments.dropFirst())
        // Every subcommand names itself (`commandName`), so the list needs no derived names.
        let names = configuration.subcommands.map { $0.configuration.commandName ?? "\($0)".lowercased() } + ["help"]
        if args.isEmpty || (args.first == "help" && args.count > 1 && !names.contains(args[1])) {
            if !args.isEmpty { note("forecast: error: no command '\(ForecastError.truncated(args[1]))'; the commands are \(names.dropLast().joined(separator: ", "))") }
            note(helpMessage())
            Foundation.exit(ExitStatus.usage)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
            try reportingErrors { try StandardOutput.finish() }
        } catch let e as UsageError {
            note("forecast: error: \(e.message)")
            Foundation.exit(ExitStatus.usage)
        } catch {
            if exitCode(for: error) == .success {
                // Help and --version: their text is output too, and a failed write is an error.
                do {
                    try reportingErrors { try StandardOutput.write(fullMessage(for: error) + "\n"); try StandardOutput.finish() }
                } catch {
                    Foundation.exit(ExitStatus.failure)
                }
                Foundation.exit(0)
            }
            if exitCode(for: error) == .validationFailure {
                // The subcommand's own options, from its help (`--seed <seed>`, `--quiet`).
                let sub = configuration.subcommands.first { $0.configuration.commandName == args.first }
                let help = sub.map { helpMessage(for: $0, columns: 1000) } ?? ""
                let isOption = { (name: String) in
                    help.range(of: #"(^|[\s,])"# + NSRegularExpression.escapedPattern(for: name) + #"([\s,]|$)"#,
                               options: .regularExpression) != nil
                }
                note(missingValueHint(fullMessage(for: error), arguments: args, isOption: isOption))
                note("Run 'forecast help' for the commands and their options.")
                Foundation.exit(ExitStatus.usage)
            }
            exit(withError: error)
        }
    }
}

import Foundation

/// The argument parser's message for a numeric option whose value is missing: the option takes
/// the next argument as its value (numeric options parse `--horizon -1` as a value, see
/// `parsing: .unconditional`), so `--horizon --seed 3` reads "The value '--seed' is invalid for
/// '--horizon <horizon>'". When that value is the next argument (not `--horizon=--seed`) and one of
/// the command's options (`isOption`), the message says a value is missing instead.
func missingValueHint(_ message: String, arguments: [String], isOption: (String) -> Bool) -> String {
    guard let r = message.range(of: #"The value '(--[A-Za-z][A-Za-z0-9-]*)' is invalid for '(--[A-Za-z0-9-]+) <[^>]+>'"#,
                                options: .regularExpression) else { return message }
    let quoted = message[r].split(separator: "'", omittingEmptySubsequences: false).map(String.init)
    // ["The value ", value, " is invalid for ", "--option <name>", ""]
    guard quoted.count >= 4, let option = quoted[3].split(separator: " ").first.map(String.init) else { return message }
    let value = quoted[1]
    let separate = zip(arguments, arguments.dropFirst()).contains { $0 == option && $1 == value }
    guard separate && isOption(value) else { return message }
    return message.replacingCharacters(in: r, with: "Missing value for '\(quoted[3])' (the next argument, '\(value)', is an option)")
}

/// Prints a line to standard error, control characters escaped (a CSV header or series id must
/// not reach the terminal as an escape sequence).
func note(_ s: String) {
    var line = ForecastError.escapingControls(s, keepNewlines: true) + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// The exit statuses of every command, as `forecast help` documents them.
enum ExitStatus {
    static let success: Int32 = 0
    /// Bad data or model file, a setting the data cannot satisfy, a file that cannot be written.
    static let failure: Int32 = 1
    /// An unknown or malformed option, a value out of range, conflicting options.
    static let usage: Int32 = 2
    /// Stopped by SIGINT or SIGTERM (128 + SIGINT, the shell's convention).
    static let interrupted: Int32 = 130
}

/// A usage error found while running (options that conflict with a model file): exit code 2,
/// one sentence on stderr, without the usage text `ValidationError` prints.
struct UsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Runs a command body, turning the library's errors into one sentence on stderr and exit code 1
/// (130 when it was interrupted). Names of Swift settings in the library's messages (`learningRate`)
/// are given as this tool's options (--learning-rate).
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ForecastError where e.kind == .interrupted {
        note("forecast: \(e); nothing was written"); throw ExitCode(ExitStatus.interrupted)
    } catch let e as ForecastError {
        note("forecast: error: \(OptionNames.commandLine(e.description))"); throw ExitCode(ExitStatus.failure)
    } catch let e as DestinationError {
        note("forecast: error: \(e)"); throw ExitCode(ExitStatus.failure)
    }
}

/// Runs `body`, whose settings errors concern the data in `file` (too few points for the lookback
/// and horizon, say): such an error without a file names it (`data.csv: the series has 2 points, ...`).
func concerning<T>(_ file: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch var e as ForecastError where e.kind == .configuration && e.file == nil {
        e.file = CSVInput.displayName(file)
        throw e
    }
}

/// Throws an `interrupted` error when SIGINT or SIGTERM arrived: commands call it between their phases
/// (after loading, between series, before printing) so that nothing is printed once stopped.
func checkStop(_ what: String) throws {
    if stopRequested != 0 { throw ForecastError.interrupted(what) }
}

/// Set by the first SIGINT/SIGTERM; training polls it after every batch, predict after every horizon.
nonisolated(unsafe) var stopRequested: sig_atomic_t = 0

/// A launcher may start us with SIGINT, SIGTERM or SIGPIPE blocked (the mask survives exec): then
/// Ctrl-C or `timeout` could not end a read from a FIFO that never gets a writer. Unblock them.
func unblockTerminationSignals() {
    var set = sigset_t()
    sigemptyset(&set)
    for s in [SIGINT, SIGTERM, SIGPIPE] { sigaddset(&set, s) }
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
}

/// Installs handlers so that the first Ctrl-C or SIGTERM asks the command to stop at its next
/// checkpoint (training after the current batch, predict after the current step); a second one,
/// while the first is still pending (building a large network, say), ends the process at once
/// with 130 (see `stopSignalArrived`).
func installStopHandlers() {
    // A launcher may start us with these signals blocked (the mask survives exec): unblock them.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    stderrIsTerminal = isatty(2) == 1 ? 1 : 0
    signal(SIGINT) { _ in stopSignalArrived() }
    signal(SIGTERM) { _ in stopSignalArrived() }
}

/// Whether standard error is a terminal, where a progress line may be open (no newline yet): the
/// first signal's acknowledgement then starts on a line of its own. Read by the signal handler.
nonisolated(unsafe) var stderrIsTerminal: sig_atomic_t = 0

/// The handlers' body, so async-signal-safe: no allocation, no locks, only `write` and `_exit`.
/// The first signal sets `stopRequested` and says so at once (building a large network, the next
/// point where the command looks can be seconds away, which read as an ignored Ctrl-C). A second one ends the process with 130 at once: outputs
/// are only ever written whole (a temporary file renamed over the destination at the very end),
/// so nothing is left half-written and an existing model or forecast file is untouched. While an
/// output is being written (`writingOutput`) the exit waits for the write to finish.
func stopSignalArrived() {
    guard stopRequested != 0 else {
        stopRequested = 1
        let ack: StaticString = "forecast: stopping... (press Ctrl-C again to stop at once)\n"
        if stderrIsTerminal != 0 { _ = write(2, "\n", 1) }
        _ = write(2, ack.utf8Start, ack.utf8CodeUnitCount)
        return
    }
    if outputsBeingWritten != 0 { forcedExitPending = 1; return }
    let message: StaticString = "forecast: interrupted again: stopped at once (no file was left half-written)\n"
    _ = write(2, message.utf8Start, message.utf8CodeUnitCount)
    _exit(ExitStatus.interrupted)
}

/// Outputs being written now (`writingOutput`); read by the signal handler.
nonisolated(unsafe) var outputsBeingWritten: sig_atomic_t = 0

/// Set by a second stop signal that arrived while an output was being written.
nonisolated(unsafe) var forcedExitPending: sig_atomic_t = 0

/// Runs `write`, which writes an output file (a model, forecast or plot), with a forced exit
/// (`stopSignalArrived`) held off until it returns; one that arrived meanwhile then ends the
/// process, the file complete. Standard output is not held: a reader that stops reading could
/// then block the exit for good, and a stream cut short is what ending a process means.
func writingOutput<T>(_ write: () throws -> T) rethrows -> T {
    outputsBeingWritten += 1
    defer {
        outputsBeingWritten -= 1
        if outputsBeingWritten == 0 && forcedExitPending != 0 {
            note("forecast: interrupted again: stopped once the output being written was complete")
            _exit(ExitStatus.interrupted)
        }
    }
    return try write()
}

/// The library names its settings as Swift properties in backticks (`timeFormat`, or with a value:
/// `fill = .interpolate`); the command line says them as options (--time-format, --fill interpolate).
enum OptionNames {
    /// Swift setting → option, for every setting a library message names.
    static let flags: [String: String] = [
        "timeFormat": "--time-format", "timeColumn": "--time-column", "fill": "--fill",
        "learningRate": "--learning-rate", "lookback": "--lookback", "memberLookbacks": "--lookback", "horizon": "--horizon",
        "seasonalPeriods": "--seasonal-period", "seasonalPeriod": "--seasonal-period",
        "futureCovariates": "--future-covariates", "hiddenSize": "--hidden", "layers": "--layers",
        "dropout": "--dropout", "epochs": "--epochs", "batchSize": "--batch-size",
        "weightDecay": "--weight-decay", "patience": "--patience", "validationFraction": "--validation-fraction",
        "ensembleSize": "--ensemble", "maxSteps": "--max-steps", "threads": "--threads",
    ]

    /// `message` with each backticked setting replaced by its option (unknown names lose the backticks).
    static func commandLine(_ message: String) -> String {
        guard message.contains("`") else { return message }
        var out = "", name = "", inName = false
        for ch in message {
            if ch == "`" {
                if inName {
                    // `name = .value` → --name value
                    let parts = name.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    let flag = flags[parts[0]] ?? parts[0]
                    out += parts.count == 2 ? "\(flag) \(parts[1].hasPrefix(".") ? String(parts[1].dropFirst()) : parts[1])" : flag
                    name = ""
                }
                inName.toggle()
            } else if inName {
                name.append(ch)
            } else {
                out.append(ch)
            }
        }
        return inName ? out + "`" + name : out
    }
}
