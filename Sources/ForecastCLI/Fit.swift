import ArgumentParser
import Foundation
import ForecastKit

struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Train a forecaster on a CSV file and save it as a model file.",
        discussion: """
        Progress (step, losses, time, ETA) goes to stderr: one line updated in place on a terminal, a line \
        per evaluation round otherwise; a summary follows; --quiet silences both. --format json also prints \
        the summary for programs on stdout (forecast.fit/1, with every series' choice). Ctrl-C stops after the \
        current batch, saves the best weights so far and exits with 130; before training has begun (while the \
        networks are built) it exits with 130 and writes nothing, and a second Ctrl-C exits with 130 at once. \
        The model file is written atomically.

        Examples:
          forecast fit datasets/airline_passengers.csv --target passengers --horizon 12 --model airline.fcm
          forecast fit datasets/seattle_weather_daily.csv --target temp_max_c --covariates temp_min_c,wind_ms --horizon 14 --cell gru --model weather.fcm
          forecast fit sales.csv --target units --id-column store --horizon 8 --encoder lstm --decoder gru --model m.fcm
        """)

    @Argument(help: "The CSV file to train on.")
    var data: String

    @OptionGroup var dataOptions: DataOptions

    @OptionGroup var modelOptions: ModelOptions

    @Option(parsing: .unconditional, help: "Leave out the last N rows of every series (to evaluate on them later).")
    var holdout: Int = 0

    @Option(name: .customLong("warm-start"), help: ArgumentHelp(
        "Start training from this model file's weights (a warm start, not a resume: Adam's moments, the step count and the learning-rate schedule start afresh). Its network and data layout are kept; options that would change them are an error, training options (--epochs, --max-steps, --learning-rate...) apply.",
        valueName: "model"))
    var warmStart: String?

    @Option(help: .hidden)
    var resume: String?

    @Flag(name: .customLong("fail-short-series"), help: "In a panel, fail on a series shorter than lookback + horizon, or without values, instead of skipping it.")
    var failShortSeries = false

    @Flag(help: "No progress output.")
    var quiet = false

    @OptionGroup var output: SummaryFormatOption

    @Option(help: "Where to write the model file.")
    var model: String

    func validate() throws {
        guard dataOptions.target != nil else { throw ValidationError("--target is required: name the column to forecast") }
        guard holdout >= 0 else { throw ValidationError("--holdout must be >= 0, got \(holdout)") }
        try dataOptions.checkColumns(future: modelOptions.futureCovariateList)
    }

    func run() throws {
        installStopHandlers()
        var interrupted = false
        try reportingErrors {
            try OutputSafety.check(outputs: [("--model", model)], inputs: [("the data", data), ("--warm-start", warmStart), ("--resume", resume)])
            var config = try modelOptions.config()
            var previous: Forecaster? = nil
            if resume != nil {
                note("note: --resume is deprecated and will be removed: it is a warm start (weights only), now spelled --warm-start")
                if warmStart != nil { throw UsageError("give --warm-start or its old name --resume, not both") }
            }
            if let path = warmStart ?? resume {
                let p = try ModelFile.read(path)
                config = try warmStartConfig(p, path: path)
                previous = p
                if !quiet { note("warm start from \(path): its weights after \(p.summary.epochsRun) rounds (best \(p.summary.bestEpoch)); the optimizer starts afresh") }
            }
            AtomicFile.removeStaleTemporaries(for: model)
            // A warm start reads the model's covariates unless --covariates names them (the same ones).
            let kept = previous.map { p in p.covariateNames.filter { !(p.config.futureCovariates ?? []).contains($0) } } ?? []
            // The loaded series are held by `series` alone, which `fit` consumes: each series' values
            // are freed once the combination is done with them (a large panel's peak memory).
            var loaderWarnings: [String] = []
            var (series, leftOut) = try { () throws -> ([TimeSeries], [TimeSeries]) in
                let loaded = try dataOptions.loadKeepingLeftOut(data, target: dataOptions.target!, extra: (dataOptions.covariates == nil ? kept : []) + (config.futureCovariates ?? []), quiet: quiet,
                                                                skipUnusable: !failShortSeries, packed: true)
                loaderWarnings = loaded.warnings
                return (loaded.series, loaded.leftOut)
            }()
            if holdout > 0 {
                if series.count == 1 && series[0].count <= holdout {
                    // Exit 1, not 2: the data, not the option, cannot satisfy it (usage errors come before any data is read).
                    throw ForecastError(.configuration, message: "--holdout \(holdout) leaves nothing to train on: the series has \(series[0].count) points",
                                        file: CSVInput.displayName(data))
                }
                series = series.map { s in
                    var cut = s.prefix(max(0, s.count - holdout))
                    cut.packTarget()
                    return cut
                }
            }
            // A panel's span: from its earliest first time to its latest last time.
            let span = series.timeSpan, points = series.map(\.count).reduce(0, +)
            if !quiet {
                note("data: \(series.count == 1 ? "\(series[0].count) points" : "\(series.count) series, \(points) points"), \(series[0].frequency.name), \(span.map { "\($0.first) to \($0.last)" } ?? "no points")\(holdout > 0 ? " (last \(holdout) held out)" : "")")
            }
            try checkStop("the fit")
            let progress = ProgressLine(enabled: !quiet)
            var warnings: [String] = []
            let f: Forecaster
            do {
                defer { progress.finish() }
                var hooks = progress.hooks
                hooks.onCombination = CombinationDump.observer()
                f = try heldOutNamed(holdout) { try concerning(data) {
                    // Moved out of `series` first: the closure captures that variable, and a
                    // `consume` of it here would leave the caller's copy holding every series' values
                    // until `fit` returned (37 MB more at the end of a 10,000-series fit).
                    var input: [TimeSeries] = []
                    swap(&input, &series)
                    return try Forecaster.fit(consume input, config: config, idColumn: dataOptions.idColumn, hooks: hooks,
                                              skipShortSeries: !failShortSeries, warmStart: previous, leftOut: leftOut, warnings: &warnings)
                } }
            }
            LoaderReport.printWarnings(warnings)
            // Stopped before a network finished its first round: it holds its initial weights,
            // which are not worth a file (nor replacing one).
            if f.summary.interrupted, f.members.contains(where: { $0.summary.bestEpoch == 0 }) {
                note("interrupted before training finished its first round: no model was written")
                throw ExitCode(ExitStatus.interrupted)
            }
            try OutputSafety.checkNode(model, flag: "--model")
            try writingOutput { try ModelFile.write(f, to: model) }
            let s = f.summary
            if s.interrupted {
                if f.members.contains(where: { $0.summary.interrupted }) {
                    note("interrupted: training stopped (the first network after \(s.epochsRun) rounds); each network's best weights were saved")
                } else {
                    note("interrupted during the cross-validation refits: the networks had finished and the model was saved")
                }
            }
            interrupted = s.interrupted
            if !quiet {
                let val = s.bestValidationLoss.map { String(format: "%.5f", $0) } ?? "n/a"
                note("seasonal periods: \(f.periodsDescription)")
                let plain = f.plainMembers
                note("ensemble: \(plain.count) network\(plain.count == 1 ? "" : "s") (lookbacks \(plain.map { String($0.lookback) }.joined(separator: ", ")), seeds \(plain.map { String($0.seed) }.joined(separator: ", ")))")
                if f.hasScaledMembers {
                    let n = f.series.filter { $0.scaleChanged == true }.count
                    note("window-scaled networks: \(f.members.count - plain.count), the same seeds and lookbacks, for the \(n == 1 ? "series" : "\(n) series") whose scale changed (mean of the two ensembles' forecasts)")
                }
                note("combination (\(f.config.combine?.rawValue ?? "network")): \(f.choiceSummary)")
                let n = f.members.count, networks = n == 1 ? "1 network" : "\(n) networks"
                note(String(format: "fitted %@ -> %@, %@ of %d parameters, horizon %d, hidden %d, in %.1fs; the first network (lookback %d): %d of at most %d steps (%d rounds, best %d, validation loss %@)",
                            f.config.encoder.rawValue, f.config.decoder.rawValue, networks, f.network.parameterCount, f.config.horizon,
                            f.config.hiddenSize, s.seconds, f.members[0].lookback, s.steps ?? 0, s.maxSteps ?? 0, s.epochsRun, s.bestEpoch, val))
                note("model written to \(model)")
            }
            if output.resolved == .json {
                try say(FitReport.json(f, model: model, points: points, span: span, warnings: loaderWarnings + warnings))
            }
        }
        if interrupted { throw ExitCode(ExitStatus.interrupted) }
    }

    /// The configuration of a warm start from `p`: its own, with the training options given here
    /// applied over it. Options that would change the network or the data layout are a usage
    /// error naming each with the stored value.
    func warmStartConfig(_ p: Forecaster, path: String) throws -> ForecasterConfig {
        var conflicts = try modelOptions.conflicts(with: p.config, memberLookbacks: p.plainMembers.map(\.lookback))
        if let t = dataOptions.target, t != p.targetName { conflicts.insert("--target \(t) (the model has \(p.targetName))", at: 0) }
        let covariates = dataOptions.covariateList, stored = p.covariateNames.filter { !(p.config.futureCovariates ?? []).contains($0) }
        if dataOptions.covariates != nil && covariates != stored {
            conflicts.append("--covariates \(covariates.joined(separator: ",")) (the model has \(stored.isEmpty ? "none" : stored.joined(separator: ",")))")
        }
        if let id = dataOptions.idColumn, id != p.idColumn {
            conflicts.append("--id-column \(id) (the model has \(p.idColumn ?? "none"))")
        }
        if !conflicts.isEmpty {
            throw UsageError("\(conflicts.joined(separator: ", ")) conflict\(conflicts.count == 1 ? "s" : "") with \(path), which a warm start keeps; drop \(conflicts.count == 1 ? "that option" : "those options") or fit a new model without --warm-start")
        }
        var c = p.config
        // Each network keeps its own lookback (the stored `lookback` is the longest of them).
        c.memberLookbacks = p.plainMembers.map(\.lookback)
        c.lookback = nil
        try modelOptions.applyTraining(to: &c)
        return c
    }
}

/// `body`, whose errors about a series too short for the lookback and horizon say that `holdout`
/// points were held out, when some were: the series they name is shorter than the file's.
private func heldOutNamed<T>(_ holdout: Int, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch var e as ForecastError where e.kind == .configuration && holdout > 0 && e.message.contains(", fewer than lookback + horizon") {
        e.message = "with the last \(holdout) points held out (--holdout), " + e.message
        throw e
    }
}
