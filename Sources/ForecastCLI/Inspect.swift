import ArgumentParser
import Foundation
import ForecastKit

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a model file holds.",
        discussion: """
        A panel's model is summarised (series count, lengths, frequencies, baseline periods, what forecasts \
        the series); --series shows one series in full.

        Examples:
          forecast inspect airline.fcm
          forecast inspect airline.fcm --format json
          forecast inspect stores.fcm --series store_7
        """)

    @Argument(help: "The model file.")
    var model: String

    @Option(help: "Show this series of a panel model: its training range, scaler, baseline period and what forecasts it.")
    var series: String?

    @OptionGroup var output: ReportFormatOption

    func run() throws {
        try reportingErrors {
            var h = try ModelFile.readHeader(model)
            if let id = series, let one = h.shortSeries?.first(where: { $0.id == id }) {
                try inspectShort(one, h)
                return
            }
            if let id = series {
                guard let one = h.series.first(where: { $0.id == id }) else {
                    let some = h.series.prefix(5).map { "'\($0.id ?? "")'" }.joined(separator: ", ")
                    throw ForecastError.configuration("--series: \(model) has no series '\(id)' (it has \(h.series.count): \(some)\(h.series.count > 5 ? ", ..." : ""))")
                }
                h.series = [one]
            }
            if output.resolved == .json {
                // The whole header, with the schema of this output beside its own fields.
                try sayJSON(h)
                return
            }
            let c = h.config, s = h.summary
            let first = h.series.first!
            let members = h.members ?? [ModelFile.Header.Member(lookback: c.lookback!, seed: c.seed, summary: s)]
            let lookbacks = Array(Set(members.map(\.lookback))).sorted()
            let scaled = members.filter { $0.scaled == true }.count
            var lines = [
                ("format version", "\(h.formatVersion) (written by forecast \(h.libraryVersion))"),
                ("cells", "\(c.encoder.rawValue) encoder -> \(c.decoder.rawValue) decoder, decoder starts from \(c.decoderStart == .encoderState ? "the encoder state" : "zeros")"),
                ("sizes", "hidden \(c.hiddenSize), layers \(c.layers), \(lookbacks.count == 1 ? "lookback" : "lookbacks") \(lookbacks.map(String.init).joined(separator: ", ")), horizon \(c.horizon), dropout \(c.dropout)"),
                ("parameters", members.count == 1 ? "\(h.parameterCount)"
                    : "\(h.parameterCount) (\(members.count) networks of \(h.parameterCount / members.count)\(scaled > 0 ? ", \(scaled) of them window-scaled" : ""))"),
                ("target", h.targetName),
                ("covariates", h.covariateNames.isEmpty ? "none" : h.covariateNames.joined(separator: ", ")),
                ("time column", "\(h.timeColumn), \(first.frequency.name), seasonal periods \(ForecasterConfig.describePeriods(c))"),
                ("known-future inputs", knownFuture(h)),
                ("range", range(h)),
                ("series", seriesLine(h)),
                ("training data", trainingData(h)),
                ("scaler", (h.series.count > 1 ? "\(c.scaler.rawValue), one per series"
                    : "\(c.scaler.rawValue) (offset \(String(format: "%.6g", first.targetScaler.offset)), scale \(String(format: "%.6g", first.targetScaler.scale)))")
                    + (c.windowScaling == true ? "; each window divided by its lookback's standard deviation" : "")),
                ("baseline", baseline(h)),
                ("training", training(s)),
                ("validation loss", s.bestValidationLoss.map { String(format: "%.6g (%@, scaled units)", $0, c.loss.rawValue) } ?? "n/a"),
                ("optimizer", "Adam lr \(c.learningRate), batch \(c.batchSize), seed \(c.seed), threads \(c.threads)"),
            ]
            lines.append(("ensemble", members.enumerated().map { k, m in
                "#\(k + 1)\(m.scaled == true ? " window-scaled" : "") lookback \(m.lookback) seed \(m.seed): \(m.summary.steps ?? 0) steps, best round \(m.summary.bestEpoch)"
            }.joined(separator: "; ")))
            if scaled > 0 {
                let n = h.series.filter { $0.scaleChanged == true }.count
                lines.append(("scale changed", "\(n) of \(h.series.count) series: their network forecast is the mean of the plain and the window-scaled networks' medians"))
            }
            let linear = h.series.filter { $0.linearForecast != nil }
            if !linear.isEmpty {
                let shares = linear.map { $0.linearWeight ?? 0.5 }
                let share = shares.reduce(0, +) / Double(shares.count)
                lines.append(("linear member", "\(linear.count) of \(h.series.count) series: their network forecast mixes the networks' and a linear autoregression fitted to the series (lookback \(LinearAutoregression.seasons) seasons), its share from the two's validation errors (\(shares.count == 1 ? String(format: "%.2f", share) : String(format: "mean %.2f, %.2f-%.2f", share, shares.min()!, shares.max()!)))"))
            }
            lines.append(("combination", combination(h)))
            if let short = h.shortSeries, !short.isEmpty {
                lines.append(("left out of training", "\(short.count) series shorter than lookback + horizon (\(short.prefix(5).map { "'\($0.id ?? "")'" }.joined(separator: ", "))\(short.count > 5 ? ", ..." : "")), kept whole; predict forecasts them from their own history"))
            }
            if h.series.count > 1 { lines.append(("series ids", h.series.prefix(10).map { $0.id ?? "" }.joined(separator: ", ") + (h.series.count > 10 ? ", ..." : ""))) }
            if output.resolved == .csv {
                try StandardOutput.write(csvText(["field", "value"], lines.map { [$0.0, $0.1] }))
                return
            }
            let w = lines.map { $0.0.count }.max()!
            for (k, v) in lines { try say("\(k.padding(toLength: w, withPad: " ", startingAt: 0))  \(v)") }
        }
    }
}

extension Inspect {
    /// `--series` for a series that fit left out of training: what the model keeps of it and how
    /// `predict` forecasts it.
    func inspectShort(_ s: ModelFile.Header.StoredSeries, _ h: ModelFile.Header) throws {
        let L = h.config.lookback!, H = h.config.horizon
        let how = !s.target.contains(where: \.isFinite) ? "nothing: it has no values (its forecast is missing)"
            : s.target.count >= L
            ? "the network, as a series it was not trained on (its \(s.target.count) points cover the lookback of \(L))"
            : "a baseline (seasonal naive with the primary period when the series holds a season, else naive)"
        let lines = [
            ("series", s.id ?? ""),
            ("points", s.target.contains(where: \.isFinite)
                ? "\(s.target.count), fewer than lookback + horizon = \(L + H): left out of training, kept whole in the model"
                : "no values: left out of training; the model keeps its last time"),
            ("range", s.times.isEmpty ? "none" : "\(s.timeFormat.format(s.times.first!)) to \(s.timeFormat.format(s.times.last!))"),
            ("forecast by", how),
        ]
        if output.resolved == .json {
            try sayJSON(s, adding: ["left_out_of_training": true, "forecast_by": how])
            return
        }
        if output.resolved == .csv {
            try StandardOutput.write(csvText(["field", "value"], lines.map { [$0.0, $0.1] }))
            return
        }
        let w = lines.map { $0.0.count }.max()!
        for (k, v) in lines { try say("\(k.padding(toLength: w, withPad: " ", startingAt: 0))  \(v)") }
    }
}

extension Inspect {
    /// Prints `value` as this command's JSON: its fields in snake_case, `schema` and `adding` beside them.
    func sayJSON(_ value: some Encodable, adding extra: [String: Any] = [:]) throws {
        let enc = JSONEncoder()
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var obj = snakeCased(try JSONSerialization.jsonObject(with: try enc.encode(value))) as! [String: Any]
        obj["schema"] = schema("inspect")
        obj.merge(extra) { _, new in new }
        try say(String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .prettyPrinted]), as: UTF8.self))
    }
}

/// `value` with every object key in snake_case, as in the other commands' JSON (`targetName` →
/// `target_name`); the model file's header keeps its own camelCase names (docs/model-format.md).
func snakeCased(_ value: Any) -> Any {
    if let d = value as? [String: Any] {
        return Dictionary(uniqueKeysWithValues: d.map { (snakeCase($0.key), snakeCased($0.value)) })
    }
    if let a = value as? [Any] { return a.map(snakeCased) }
    return value
}

/// `camelCase` → `camel_case`: an underscore before each upper-case letter that follows a
/// lower-case letter or a digit, then lower case (`tailTimes` → `tail_times`, `_0` stays).
func snakeCase(_ key: String) -> String {
    var out = ""
    var previous: Character? = nil
    for c in key {
        if c.isUppercase, let p = previous, p.isLowercase || p.isNumber { out.append("_") }
        out += c.lowercased()
        previous = c
    }
    return out
}

/// How many series, and for a panel their lengths and frequencies, in words.
func seriesLine(_ h: ModelFile.Header) -> String {
    let s = h.series
    guard let column = h.idColumn else { return "1" }
    if s.count == 1 { return "'\(s[0].id ?? "")' (id column \(column))" }
    let lengths = s.map(\.count).sorted()
    var frequencies: [String: Int] = [:]
    for x in s { frequencies[x.frequency.name, default: 0] += 1 }
    let kinds = frequencies.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    return "\(s.count) (id column \(column)); points min \(lengths.first!), median \(lengths[lengths.count / 2]), max \(lengths.last!); \(kinds)"
}

/// The training data's time range, in words (for a panel, the earliest start and the latest end).
func trainingData(_ h: ModelFile.Header) -> String {
    let s = h.series
    if s.count == 1 { return "\(s[0].firstTime) to \(s[0].lastTime), \(s[0].count) points" }
    // Formatted times compare as numbers (an index) or as text (zero-padded calendar formats).
    func before(_ a: String, _ b: String) -> Bool {
        if let x = Int64(a), let y = Int64(b) { return x < y }
        return a < b
    }
    let first = s.map(\.firstTime).min(by: before)!, last = s.map(\.lastTime).max(by: before)!
    return "\(first) to \(last) (earliest start, latest end), \(s.map(\.count).reduce(0, +)) points in all"
}

/// What training did, in words.
func training(_ s: TrainingSummary) -> String {
    let steps: String = s.steps.map { "\($0) of \(s.maxSteps ?? $0) steps, " } ?? ""
    let how: String = (s.stoppedEarly ? ", stopped early" : "") + (s.interrupted ? ", interrupted" : "")
        + (s.restarts.map { ", diverged \($0) time\($0 == 1 ? "" : "s") and went back to its best weights" } ?? "")
    // Model files store no timing (0: byte-identical files for the same data, seed and threads);
    // older files' seconds are still shown.
    let seconds = s.seconds > 0 ? String(format: ", %.1fs", s.seconds) : ""
    return "\(steps)\(s.epochsRun) rounds (best \(s.bestEpoch)\(how)), \(s.trainWindows) train / \(s.validationWindows) validation windows\(seconds)"
}

/// What the network corrects, in words.
func baseline(_ h: ModelFile.Header) -> String {
    let c = h.config
    guard c.baseline == .seasonal else { return "network corrects the naive forecast" }
    guard h.series.count > 1 else {
        return "network corrects the seasonal-naive forecast (period \(h.series[0].baselinePeriod ?? c.seasonalPeriod ?? 1))"
    }
    var counts: [Int: Int] = [:]
    for s in h.series { counts[s.baselinePeriod ?? c.seasonalPeriod ?? 1, default: 0] += 1 }
    let periods = counts.sorted { $0.key < $1.key }.map { "period \($0.key): \($0.value) series" }.joined(separator: ", ")
    return "network corrects the seasonal-naive forecast (\(periods))"
}

/// What forecasts each series, in words.
func combination(_ h: ModelFile.Header) -> String {
    "\(h.config.combine?.rawValue ?? "network"): " + Forecaster.describeChoices(h.series, unit: " series")
}

/// The decoder's known-future inputs, in words.
func knownFuture(_ h: ModelFile.Header) -> String {
    var parts: [String] = []
    var notes: [String] = []
    if let m = h.primaryPositionLeftOut {
        notes.append("no position in the \(m)-step season: the seasonal-naive baseline repeats it")
    }
    if h.weekdayLeftOut { notes.append("no day of week: the data show no weekly cycle") }
    if let calendar = h.calendarDescription {
        parts.append("calendar features (\(([calendar] + notes).joined(separator: "; ")))")
    } else if !notes.isEmpty {
        parts.append("no calendar features (\(notes.joined(separator: "; ")))")
    }
    parts += h.config.futureCovariates ?? []
    return parts.isEmpty ? "none" : parts.joined(separator: ", ")
}

/// Whether forecasts are clipped at zero, in words.
func range(_ h: ModelFile.Header) -> String {
    let clipped = h.series.filter { $0.nonNegative == true }.count
    guard clipped > 0 else { return "not clipped" }
    let which = h.series.count > 1 ? " in \(clipped) of \(h.series.count) series" : ""
    return "forecasts clipped at 0 (training values all >= 0\(which))"
}
