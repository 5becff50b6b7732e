import ForecastData
import ForecastNN

/// Checks of a decoded header, field against field, before anything is allocated or indexed.
///
/// A CRC only proves that the bytes are the ones written; a header edited and re-checksummed (or
/// written by a buggy writer) passes it. So every field `predict`, `evaluate` and `inspect` use is
/// checked against the others here — sizes in range, counts that agree, scalers and timestamps that
/// cannot trap — and the first bad one is reported in one sentence that names it
/// (`series[0].targetScaler.scale`). After these checks the tensor list matches the networks the
/// header describes, so the networks built from it hold exactly the weights in the file.
extension ModelFile {
    /// Largest magnitude of a stored timestamp; with `maxStep` and `maxForecastSteps` it keeps every
    /// future time a forecast computes inside Int64 and the calendar's range.
    static let maxTimestamp: Int64 = 100_000_000_000_000          // about 3 million years in seconds
    /// The longest stored step: 100 years of seconds, 1,200 months, or 10¹² index units.
    static let maxStep = Frequency.largestStep
    /// The most steps a forecast may compute past a series' end (predict's horizon bound plus one
    /// trained horizon, rounded up to whole horizons).
    static let maxForecastSteps: Int64 = 110_000
    /// The longest series a header may describe.
    static let maxSeriesLength = 1_000_000_000

    static func validate(_ h: Header, path: String) throws {
        func bad(_ field: String, _ problem: String) -> ForecastError {
            ForecastError.modelFile(path: path, message: "the header field '\(field)' \(problem); the file was edited or damaged, fit the model again")
        }
        let c = h.config
        // The configuration's sizes.
        guard (1...10_000).contains(c.horizon) else { throw bad("config.horizon", "is \(c.horizon), outside 1...10000") }
        guard let L = c.lookback else { throw bad("config.lookback", "is missing") }
        guard (1...100_000).contains(L) else { throw bad("config.lookback", "is \(L), outside 1...100000") }
        if (ForecasterConfig.maxHiddenSize + 1...4096).contains(c.hiddenSize) {
            // Versions before the bound was lowered wrote such files: not damage, a limit.
            throw ForecastError.modelFile(path: path, message: "the model has \(c.hiddenSize) hidden units, more than the \(ForecasterConfig.maxHiddenSize) this version supports; fit it again with --hidden \(ForecasterConfig.maxHiddenSize) or fewer")
        }
        guard (1...ForecasterConfig.maxHiddenSize).contains(c.hiddenSize) else {
            throw bad("config.hiddenSize", "is \(c.hiddenSize), outside 1...\(ForecasterConfig.maxHiddenSize)")
        }
        guard (1...16).contains(c.layers) else { throw bad("config.layers", "is \(c.layers), outside 1...16") }
        guard c.dropout >= 0 && c.dropout < 1 else { throw bad("config.dropout", "is \(c.dropout), outside [0, 1)") }
        if let m = c.seasonalPeriod, !(1...100_000).contains(m) { throw bad("config.seasonalPeriod", "is \(m), outside 1...100000") }
        if let ps = c.seasonalPeriods, let p = ps.first(where: { !(2...100_000).contains($0) }) {
            throw bad("config.seasonalPeriods", "holds \(p), outside 2...100000")
        }
        if let n = c.ensembleSize, !(1...64).contains(n) { throw bad("config.ensembleSize", "is \(n), outside 1...64") }

        // Columns: the future covariates are the last covariates.
        let future = c.futureCovariates ?? []
        guard future.count <= h.covariateNames.count, Array(h.covariateNames.suffix(future.count)) == future else {
            throw bad("config.futureCovariates", "(\(future.joined(separator: ", "))) is not the end of covariateNames (\(h.covariateNames.joined(separator: ", ")))")
        }
        let past = h.covariateNames.count - future.count

        // Series.
        guard !h.series.isEmpty else { throw bad("series", "is empty") }
        guard h.series.count <= 10_000_000 else { throw bad("series", "lists \(h.series.count) series") }
        for (i, s) in h.series.enumerated() {
            let f = "series[\(i)]"
            try validateTime(s, field: f, bad)
            let n = s.tailTarget.count
            guard s.tailTimes.count == n else { throw bad("\(f).tailTimes", "has \(s.tailTimes.count) values but \(f).tailTarget has \(n)") }
            guard n >= L else { throw bad("config.lookback", "is \(L), beyond the stored tail of \(f) (\(n) points)") }
            guard s.count >= n && s.count <= maxSeriesLength else { throw bad("\(f).count", "is \(s.count), outside \(n)...\(maxSeriesLength)") }
            if let k = s.tailTarget.firstIndex(where: { !$0.isFinite }) { throw bad("\(f).tailTarget", "holds \(s.tailTarget[k]) at \(k)") }
            guard s.tailCovariates.count == h.covariateNames.count else {
                throw bad("\(f).tailCovariates", "has \(s.tailCovariates.count) columns for \(h.covariateNames.count) covariates")
            }
            if let k = s.tailCovariates.firstIndex(where: { $0.count != n }) {
                throw bad("\(f).tailCovariates[\(k)]", "has \(s.tailCovariates[k].count) values for a tail of \(n)")
            }
            guard s.covariateScalers.count == h.covariateNames.count else {
                throw bad("\(f).covariateScalers", "has \(s.covariateScalers.count) scalers for \(h.covariateNames.count) covariates")
            }
            let scaled = [("targetScaler", s.targetScaler, s.tailTarget)]
                + s.covariateScalers.enumerated().map { ("covariateScalers[\($0)]", $1, s.tailCovariates[$0]) }
            for (name, scaler, tail) in scaled {
                guard scaler.offset.isFinite else { throw bad("\(f).\(name).offset", "is \(scaler.offset)") }
                guard scaler.scale.isFinite && scaler.scale != 0 else { throw bad("\(f).\(name).scale", "is \(scaler.scale); it must be finite and non-zero") }
                // A scaler fitted to data read as Float spans at most twice Float's range, and the
                // values it scales must stay within Float's (a scale of 1e-300 turned the tail
                // into infinities and every forecast into null).
                guard abs(scaler.scale) <= 2 * Double(Float.greatestFiniteMagnitude),
                      tail.allSatisfy({ abs(scaler.transform($0)) <= Double(Float.greatestFiniteMagnitude) }) else {
                    throw bad("\(f).\(name).scale", "is \(scaler.scale), which takes the stored values beyond single precision")
                }
            }
            if let p = s.baselinePeriod, !(1...100_000).contains(p) { throw bad("\(f).baselinePeriod", "is \(p), outside 1...100000") }
            if s.baselinePeriod == nil && c.seasonalPeriod == nil { throw bad("config.seasonalPeriod", "is missing and \(f) has no baselinePeriod") }
            if let w = s.statWeight, !(w >= 0 && w <= 1) { throw bad("\(f).statWeight", "is \(w), outside [0, 1]") }
            if let v = s.statForecast, let k = v.firstIndex(where: { !$0.isFinite }) { throw bad("\(f).statForecast", "holds \(v[k]) at \(k)") }
            if let v = s.linearForecast {
                guard h.formatVersion >= 9 else { throw bad("\(f).linearForecast", "is set, which format \(h.formatVersion) does not know") }
                if let k = v.firstIndex(where: { !$0.isFinite }) { throw bad("\(f).linearForecast", "holds \(v[k]) at \(k)") }
            }
            if let w = s.linearWeight {
                guard h.formatVersion >= 10 else { throw bad("\(f).linearWeight", "is set, which format \(h.formatVersion) does not know") }
                guard w >= 0 && w <= 1 else { throw bad("\(f).linearWeight", "is \(w), outside [0, 1]") }
            }
            if let e = s.calibrationErrors, !isSortedNonNegative(e) { throw bad("\(f).calibrationErrors", "is not a sorted list of finite values >= 0") }
            if let e = s.networkCalibrationErrors, !isSortedNonNegative(e) { throw bad("\(f).networkCalibrationErrors", "is not a sorted list of finite values >= 0") }
            if let choice = s.choice, choice != "network", Baseline(rawValue: choice) == nil { throw bad("\(f).choice", "is '\(choice)', not a known model") }
        }

        // Short series (left out of training): whole, fewer than lookback + horizon points each.
        for (i, s) in (h.shortSeries ?? []).enumerated() {
            let f = "shortSeries[\(i)]", n = s.target.count
            guard (1..<(L + c.horizon)).contains(n) else { throw bad("\(f).target", "has \(n) values, outside 1..<\(L + c.horizon) (lookback + horizon)") }
            guard s.times.count == n else { throw bad("\(f).times", "has \(s.times.count) values but \(f).target has \(n)") }
            try validateTime(frequency: s.frequency, timeFormat: s.timeFormat, times: s.times, field: f, timesField: "times", bad)
            guard s.covariates.count == h.covariateNames.count else {
                throw bad("\(f).covariates", "has \(s.covariates.count) columns for \(h.covariateNames.count) covariates")
            }
            if let k = s.covariates.firstIndex(where: { $0.count != n }) { throw bad("\(f).covariates[\(k)]", "has \(s.covariates[k].count) values for \(n) points") }
        }

        // Calibration residuals: one sorted list per horizon step.
        guard h.residuals.count == c.horizon else { throw bad("residuals", "has \(h.residuals.count) lists for a horizon of \(c.horizon)") }
        if let k = h.residuals.firstIndex(where: { !isSortedNonNegative($0.map(Double.init)) }) {
            throw bad("residuals[\(k)]", "is not a sorted list of finite values >= 0")
        }

        // The network agrees with the configuration and the columns.
        let n = h.network
        let calendar = h.calendar
        let expected: [(String, String, String)] = [
            ("network.inputSize", "\(n.inputSize)", "\(1 + past)"), ("network.outputSize", "\(n.outputSize)", "1"),
            ("network.horizon", "\(n.horizon)", "\(c.horizon)"), ("network.hiddenSize", "\(n.hiddenSize)", "\(c.hiddenSize)"),
            ("network.layers", "\(n.layers)", "\(c.layers)"), ("network.encoder", n.encoder.rawValue, c.encoder.rawValue),
            ("network.decoder", n.decoder.rawValue, c.decoder.rawValue),
            ("network.decoderStart", n.decoderStart.rawValue, c.decoderStart.rawValue),
            ("network.futureSize", "\(n.futureSize)", "\(calendar.count + future.count)"),
        ]
        for (field, value, wanted) in expected where value != wanted {
            throw bad(field, "is \(value) but the configuration and columns give \(wanted)")
        }
        guard n.dropout >= 0 && n.dropout < 1 else { throw bad("network.dropout", "is \(n.dropout), outside [0, 1)") }

        // Members.
        let members = h.members ?? [Header.Member(lookback: L, seed: c.seed, summary: h.summary)]
        guard (1...128).contains(members.count) else { throw bad("members", "lists \(members.count) networks, outside 1...128") }
        // The window-scaled members (format 8 on) follow the plain ones, one per plain member.
        let plain = members.filter { $0.scaled != true }.count
        if members.contains(where: { $0.scaled == true }) {
            guard h.formatVersion >= 8 else { throw bad("members", "has window-scaled networks, which format \(h.formatVersion) does not know") }
            guard members.prefix(plain).allSatisfy({ $0.scaled != true }), members.count == 2 * plain else {
                throw bad("members", "lists \(members.count - plain) window-scaled networks after \(plain) plain ones; a model has none or one per plain network, after them")
            }
        }
        guard plain <= 64 else { throw bad("members", "lists \(plain) networks, outside 1...64") }
        if let e = c.ensembleSize, e != plain { throw bad("config.ensembleSize", "is \(e) but members lists \(plain) plain networks") }
        if let k = members.firstIndex(where: { !(1...L).contains($0.lookback) }) {
            throw bad("members[\(k)].lookback", "is \(members[k].lookback), outside 1...\(L) (config.lookback)")
        }

        // Tensors: exactly the networks' parameters, in order.
        let one = tensorShapes(n)
        let all = (0..<members.count).flatMap { k in one.map { (k == 0 ? $0.name : "member.\(k).\($0.name)", $0.shape) } }
        guard h.tensors.count == all.count else { throw bad("tensors", "lists \(h.tensors.count) tensors; the network needs \(all.count)") }
        for (k, (t, want)) in zip(h.tensors, all).enumerated() {
            guard t.name == want.0 else { throw bad("tensors[\(k)].name", "is '\(t.name)', expected '\(want.0)'") }
            guard t.shape == want.1 else { throw bad("tensors[\(k)].shape", "(\(t.name)) is \(t.shape), but the configuration gives \(want.1)") }
        }
        let total = all.reduce(0) { $0 + $1.1.reduce(1, *) }
        guard h.parameterCount == total else { throw bad("parameterCount", "is \(h.parameterCount) but the tensors hold \(total)") }
    }

    /// The frequency, time format and tail timestamps of a series: steps in range, strictly
    /// increasing times whose forecast steps stay inside Int64 and the calendar.
    static func validateTime(_ s: SeriesState, field f: String, _ bad: (String, String) -> ForecastError) throws {
        try validateTime(frequency: s.frequency, timeFormat: s.timeFormat, times: Array(s.tailTimes), field: f, timesField: "tailTimes", bad)
    }

    /// `validateTime` of a frequency, a time format and the times `\(f).\(timesField)`.
    static func validateTime(frequency: Frequency, timeFormat: TimeFormat, times: [Int64], field f: String, timesField: String,
                             _ bad: (String, String) -> ForecastError) throws {
        let s = (frequency: frequency, timeFormat: timeFormat, tailTimes: times)
        switch s.frequency {
        case .seconds(let v): guard (1...maxStep.seconds).contains(v) else { throw bad("\(f).frequency", "steps \(v) seconds, outside 1...\(maxStep.seconds)") }
        case .steps(let v): guard (1...maxStep.steps).contains(v) else { throw bad("\(f).frequency", "steps \(v) index units, outside 1...\(maxStep.steps)") }
        case .months(let v, _): guard (1...maxStep.months).contains(v) else { throw bad("\(f).frequency", "steps \(v) months, outside 1...\(maxStep.months)") }
        }
        if case .dateTime(_, _, let zone?) = s.timeFormat, abs(zone) > 86_400 {
            throw bad("\(f).timeFormat", "has a zone offset of \(zone) seconds")
        }
        // Index steps may be large (10¹² units), so their times get more room than calendar times.
        let limit: Int64
        if case .steps(let v) = s.frequency { limit = Int64.max / 2 - v * maxForecastSteps } else { limit = maxTimestamp }
        guard let k = s.tailTimes.firstIndex(where: { $0 > limit || $0 < -limit }) else {
            for i in s.tailTimes.indices.dropFirst() where s.tailTimes[i] <= s.tailTimes[i - 1] {
                throw bad("\(f).\(timesField)", "is not increasing at \(i)")
            }
            return
        }
        throw bad("\(f).\(timesField)", "holds \(s.tailTimes[k]), outside ±\(limit)")
    }

    /// The shapes of one network's tensors, named as in the file (Keras' names and order), computed
    /// from its configuration without building it.
    static func tensorShapes(_ n: NetworkConfig) -> [(name: String, shape: [Int])] {
        let H = n.hiddenSize
        func cell(_ kind: CellKind, _ prefix: String, input: Int) -> [(name: String, shape: [Int])] {
            let gates = kind == .lstm ? 4 * H : 3 * H
            return [("\(prefix).kernel", [input, gates]), ("\(prefix).recurrent_kernel", [H, gates]),
                    ("\(prefix).bias", kind == .lstm ? [gates] : [2, gates])]
        }
        var out: [(name: String, shape: [Int])] = []
        for k in 0..<n.layers { out += cell(n.encoder, "encoder.\(k)", input: k == 0 ? n.inputSize : H) }
        for k in 0..<n.layers { out += cell(n.decoder, "decoder.\(k)", input: k == 0 ? H + n.futureSize : H) }
        out += [("dense.kernel", [H, n.outputSize]), ("dense.bias", [n.outputSize])]
        return out
    }

    static func isSortedNonNegative(_ v: [Double]) -> Bool {
        guard v.allSatisfy({ $0.isFinite && $0 >= 0 }) else { return false }
        return zip(v, v.dropFirst()).allSatisfy { $0 <= $1 }
    }
}

extension ModelFile.Header {
    /// The calendar inputs the networks were trained with, rebuilt from the configuration and
    /// the series (as `Forecaster.calendar`).
    var calendar: CalendarFeatures {
        CalendarFeatures(config: config, frequency: series[0].frequency, length: series.map(\.count).max()!)
    }

    /// Whether the day-of-week inputs were left out because the data show no weekly cycle
    /// (`ForecasterConfig.weeklyCycle`), where the data's length alone would have given them.
    package var weekdayLeftOut: Bool {
        guard !series.isEmpty, config.weeklyCycle == false else { return false }
        var byLength = config
        byLength.weeklyCycle = nil
        return CalendarFeatures(config: byLength, frequency: series[0].frequency, length: series.map(\.count).max()!).dayOfWeek
            && !calendar.dayOfWeek
    }

    /// The primary seasonal period whose position input was left out
    /// (`ForecasterConfig.primaryPeriodPosition`), or nil when it is read or there is none.
    package var primaryPositionLeftOut: Int? {
        guard !series.isEmpty, config.primaryPeriodPosition == false, config.calendarFeatures ?? true,
              let primary = config.seasonalPeriods?.first else { return nil }
        return calendar.periods.first == primary ? nil : primary
    }

    /// The decoder's calendar inputs in words ("position in the 24-step season, day of week"),
    /// or nil when there are none.
    package var calendarDescription: String? {
        guard !series.isEmpty else { return nil }
        let names = calendar.names
        return names.isEmpty ? nil : names.joined(separator: ", ")
    }
}
