import Dispatch
import ForecastData
import ForecastNN

/// What training leaves for the rest of `fit`: the members, their calibration residuals, and per
/// series its state (scalers, tail, baseline period), its training length and the window count.
struct TrainedMembers {
    let members: [EnsembleMember]
    let residuals: [[Float]]
    let summaries: [TrainingSummary]
    let states: [SeriesState]
    let trainCounts: [Int]
    let trainWindowCount: Int
}

extension Forecaster {
    /// Prepares `kept` for the network (scalers, calendar features, training, validation and
    /// calibration windows) and trains the ensemble `config` asks for, and as many window-scaled
    /// members after it when `scaled` (see `ForecasterConfig.scaledMembers`; `scaleChanged`: per
    /// series, whether its scale changed); sets the settings it resolves on the way (lookback,
    /// steps) in `config`. Everything it prepares is released when it returns, before the
    /// combination allocates its own working set.
    static func trainMembers(_ kept: [TimeSeries], first: TimeSeries, periods: [Int], lookback L: Int,
                             futureNames: [String], given: ForecasterConfig, config: inout ForecasterConfig,
                             scaled withScaled: Bool, scaleChanged: [Bool],
                             warmStart: Forecaster?, hooks: TrainingHooks,
                             warnings: inout [String]) throws -> TrainedMembers {
        let H = config.horizon
        let calendar = CalendarFeatures(config: config, frequency: first.frequency, length: kept.map(\.count).max()!)

        // One table of calendar features for the series on the panel's grid (see CalendarTable).
        let table = futureNames.isEmpty ? CalendarTable(kept, calendar: calendar, frequency: first.frequency) : nil
        let plainCount = config.ensembleSize!   // resolved by `fit`
        // The window-scaled members repeat the plain ones' seeds and lookbacks (member k + n is
        // member k with scaled windows).
        let members = withScaled ? 2 * plainCount : plainCount
        let isScaled = (0..<members).map { $0 >= plainCount }
        // Given lookbacks cycle over the members (`memberLookbacks`), else L and 1.5 L alternate.
        let cycled = given.memberLookbacks(cycledOver: plainCount)
        let longest = cycled?.max() ?? L
        var features: [SeriesFeatures] = []
        var trainCounts: [Int] = []
        for (i, s) in kept.enumerated() {
            var v = validationCount(s.count, config: config)
            if s.count - v < longest + H { v = 0 }   // too short to hold out: train on all of it
            let trainCount = s.count - v
            let period = config.baseline == .seasonal
                ? bestBaselinePeriod(s.targetValues(0..<trainCount), candidates: periods.filter { $0 <= L }, horizon: H)
                : 1
            features.append(SeriesFeatures(s, fitOn: trainCount, kind: config.scaler, period: period, calendar: calendar,
                                           futureColumns: futureNames.count,
                                           shared: table.flatMap { t in t.offsets[i].map { (t.rows, $0) } }))
            trainCounts.append(trainCount)
        }
        // Validation windows: those whose targets end inside the held-out part. With at least two
        // horizons held out, early stopping watches the earlier ones and the intervals are
        // calibrated on the last horizon's windows, which early stopping never selected on.
        let validationRanges = zip(kept, trainCounts).map { s, n in (n + 1)..<(s.count + 1) }   // empty without a split
        let split = zip(kept, trainCounts).map { s, n in s.count - n >= 2 * H }
        let stoppingRanges = zip(validationRanges, split).map { r, apart in apart ? r.lowerBound..<(r.upperBound - H) : r }
        let calibrationRanges = zip(validationRanges, split).map { r, apart in apart ? (r.upperBound - H)..<r.upperBound : r }

        // The members: seeds seed, seed+1, ...; lookbacks as given (`memberLookbacks`, cycled),
        // else alternating between L and 1.5 L (when the lookback was not given and every series
        // is long enough).
        let room = zip(kept, trainCounts).map { s, n in n == s.count ? s.count - H : n - H }.min()!
        let longer = given.lookback == nil ? min(L * 3 / 2, max(L, room)) : L
        let plainLookbacks = cycled ?? (0..<plainCount).map { $0 % 2 == 0 ? L : longer }
        let lookbacks = (0..<members).map { plainLookbacks[$0 % plainCount] }
        config.lookback = lookbacks.max()!
        // The window-scaled members train and stop on the series whose scale changed alone (in a
        // panel, a share of the series: their cost follows it); on every series when none did (a
        // warm start from a model that has them, on data that no longer calls for them).
        let scaledOn = scaleChanged.contains(true) ? scaleChanged : scaleChanged.map { _ in true }
        func own(_ ranges: [Range<Int>], _ k: Int) -> [Range<Int>] {
            guard isScaled[k] else { return ranges }
            return ranges.indices.map { scaledOn[$0] ? ranges[$0] : ranges[$0].lowerBound..<ranges[$0].lowerBound }
        }
        // Computed when read, not stored: a panel of 10,000 hourly series has seven million
        // training windows per member.
        let trainWindows = lookbacks.indices.map { k in
            Windows(spec: WindowSpec(lookback: lookbacks[k], horizon: H, stride: config.stride),
                    targetEnds: own(trainCounts.map { (lookbacks[k] + H)..<max(lookbacks[k] + H, $0 + 1) }, k))
        }
        let validation = lookbacks.indices.map {
            Windows(spec: WindowSpec(lookback: lookbacks[$0], horizon: H), targetEnds: own(stoppingRanges, $0))
        }
        let calibration = plainLookbacks.map { Windows(spec: WindowSpec(lookback: $0, horizon: H), targetEnds: calibrationRanges) }
        if validation[0].isEmpty {
            let why = config.validationFraction == 0 ? "no validation split (validation fraction 0)" : "too little data for a validation split"
            warnings.append("\(why): early stopping watches the training loss and intervals are calibrated on training windows (optimistic)")
        }
        // The step budget of a member training on `windows` windows. The scaled members', when not
        // given in steps, follows their share of the windows: as many passes over theirs as the
        // plain members may make over all (the default budget's cap would otherwise give the
        // scaled members of a panel's few flagged series seven times the passes: with M4 Hourly's 57 of
        // 414 series flagged, the test fit took 222 s instead of 138 s).
        let givenSteps = config.maxSteps, givenEpochs = config.epochs
        func budget(_ windows: Int) -> Int {
            let batch = min(config.batchSize, max(1, windows))
            return givenSteps ?? givenEpochs.map { $0 * ((windows + batch - 1) / batch) }
                ?? ForecasterConfig.defaultSteps(windows: windows, batchSize: batch)
        }
        let maxSteps = budget(trainWindows[0].count)
        var scaledSteps = maxSteps
        if withScaled {
            let share = Double(trainWindows[plainCount].count) / Double(max(1, trainWindows[0].count))
            scaledSteps = givenSteps != nil || givenEpochs != nil ? budget(trainWindows[plainCount].count)
                : min(maxSteps, max(ForecasterConfig.passesOnSmallData, Int((Double(maxSteps) * share).rounded(.up))))
        }
        let batch = min(config.batchSize, max(1, trainWindows[0].count))
        config.maxSteps = maxSteps
        config.epochs = nil

        let netConfig = NetworkConfig(inputSize: 1 + first.covariates.count - futureNames.count, horizon: H,
                                      hiddenSize: config.hiddenSize, layers: config.layers, encoder: config.encoder,
                                      decoder: config.decoder, decoderStart: config.decoderStart, dropout: config.dropout,
                                      futureSize: calendar.count + futureNames.count)
        // Members train in parallel, one thread each, when the plain ensemble has several and
        // threads allow (a single network with its scaled twin trains as it would alone, on every
        // thread); a member's result depends only on its own seed, scaling and thread count.
        let needed = trainingBytes(netConfig, members: members, batch: batch, steps: config.lookback! + H)
        let limit = try memoryLimit()
        if needed > limit {
            throw ForecastError.configuration("training \(members) network\(members == 1 ? "" : "s")\(withScaled ? " (\(plainCount) and as many window-scaled)" : "") of \(config.layers) layer\(config.layers == 1 ? "" : "s") and \(config.hiddenSize) hidden units needs about \(memorySize(needed, roundingUp: true)) of memory, more than the \(memorySize(limit)) allowed (half the machine's memory, or FORECAST_MEMORY_LIMIT bytes); use a smaller `hiddenSize`, fewer `layers` or a smaller `ensembleSize`")
        }
        let parallel = plainCount > 1 && config.threads > 1
        var trainers: [Trainer] = []
        for k in 0..<members {
            try stopBeforeTraining(hooks)
            var c = config
            c.seed = config.seed &+ UInt64(k % plainCount)
            c.threads = parallel ? 1 : config.threads
            let network = try buildNetwork(netConfig, seed: warmStart == nil ? c.seed : nil, hooks: hooks)   // a warm start copies its weights in
            if let warmStart {
                // Same sizes are not enough: the calendar inputs must mean the same (a monthly
                // model's month position is not an hourly fit's weekday).
                guard warmStart.network.config == netConfig, warmStart.members.map(\.scaled) == isScaled,
                      warmStart.calendar.names == calendar.names else {
                    throw ForecastError.configuration("the model to resume does not fit this data and configuration: \(Self.networkDifferences(warmStart, netConfig, members: plainCount, scaledMembers: members - plainCount, calendar: calendar))")
                }
                for (p, q) in zip(network.parameters, warmStart.members[k].network.parameters) { p.value.copy(from: q.value) }
            }
            let encoding = WindowEncoding(lookback: lookbacks[k], horizon: H, features: netConfig.inputSize,
                                          futureSize: netConfig.futureSize, baseline: config.baseline,
                                          scaled: isScaled[k] || config.windowScaling == true)
            trainers.append(Trainer(network: network, series: features, encoding: encoding, config: c,
                                    maxSteps: isScaled[k] ? scaledSteps : maxSteps, member: k, members: members))
        }
        try stopBeforeTraining(hooks)
        var summaries: [TrainingSummary] = []
        do {   // the workers' references to the trainers end with this scope
            let outcomes = UnsafeMutableBufferPointer<Result<TrainingSummary, Error>>.allocate(capacity: members)
            defer { _ = outcomes.deinitialize(); outcomes.deallocate() }   // every slot is set below before it is read
            nonisolated(unsafe) let slots = outcomes
            nonisolated(unsafe) let work = trainers
            let windows = trainWindows, checks = validation
            let lanes = parallel ? min(config.threads, members) : 1
            var next = 0
            while next < members {
                let group = next..<min(members, next + lanes)
                DispatchQueue.concurrentPerform(iterations: group.count) { i in
                    let k = group.lowerBound + i
                    (slots.baseAddress! + k).initialize(to: Result { try work[k].run(train: windows[k], validation: checks[k], hooks: hooks) })
                }
                next = group.upperBound
            }
            for k in 0..<members { summaries.append(try outcomes[k].get()) }
        }
        for (k, s) in summaries.enumerated() {
            guard let n = s.restarts else { continue }
            warnings.append("network \(k + 1) of \(members): training diverged \(n == 1 ? "once" : "\(n) times") (a NaN or infinite gradient) and went back to its best weights with half the learning rate")
        }
        // The members keep copies of the trained weights in fresh networks, and the calibration
        // predicts with them: the trained networks hold their training traces (38 MB for two
        // members of lookback 252-378), freed here rather than kept through the calibration, the
        // combination and the model's life.
        let ensemble = (0..<members).map { k in
            let network = makeNetwork(netConfig, seed: nil)
            for (p, q) in zip(network.parameters, trainers[k].network.parameters) { p.value.copy(from: q.value) }
            return EnsembleMember(network: network, lookback: lookbacks[k], seed: trainers[k].config.seed, summary: summaries[k],
                                  scaled: isScaled[k])
        }
        // The per-step residuals are the plain ensemble's (the series that mix in the scaled
        // members are calibrated on their errors at the combination's origins).
        let predictors = zip(trainers, ensemble).prefix(plainCount).map { t, m in
            Trainer(network: m.network, series: t.series, encoding: t.encoding, config: t.config, maxSteps: t.maxSteps)
        }
        trainers = []
        releaseFreedMemory()
        // Without a validation split, the training windows whose targets every member has (the
        // members' lookbacks differ, and the calibration takes the median of their predictions
        // for the same target window).
        let common = plainLookbacks.map { Lk in
            Windows(spec: WindowSpec(lookback: Lk, horizon: H, stride: config.stride),
                    targetEnds: trainCounts.map { (config.lookback! + H)..<($0 + 1) })
        }
        let residuals = calibrationResiduals(predictors, calibration[0].isEmpty ? common : calibration)

        // Without their tails: the combination gives each series its tail as it finishes with it
        // (see `combination(releasing:)`).
        var states = zip(kept, features).map { s, f in
            SeriesState(id: s.id, frequency: s.frequency, timeFormat: s.timeFormat, targetScaler: f.targetScaler,
                               covariateScalers: f.covariateScalers, tailTimes: [], tailTarget: [],
                               tailCovariates: [], firstTime: s.formattedTime(0),
                               lastTime: s.formattedTime(s.count - 1), count: s.count, baselinePeriod: f.period,
                               nonNegative: !config.allowNegative! && s.targetStorage.allNonNegative)
        }
        for i in states.indices where withScaled && scaleChanged[i] { states[i].scaleChanged = true }
        return TrainedMembers(members: ensemble, residuals: residuals, summaries: summaries, states: states,
                              trainCounts: trainCounts, trainWindowCount: trainWindows[0].count)
    }

    /// Throws `interrupted` when `hooks` ask to stop before training has begun: building the
    /// networks of a large configuration takes seconds per member, and there are no trained weights
    /// yet to keep (a stop during training keeps the best ones instead).
    static func stopBeforeTraining(_ hooks: TrainingHooks) throws {
        if hooks.shouldStop?() == true { throw ForecastError.interrupted("the fit") }
    }

    /// `makeNetwork`, cut short when `hooks` ask to stop: the orthogonal kernels poll the request
    /// between panels (`Initializer.stopRequest`) and leave their weights unfinished, and the
    /// network is then dropped for `interrupted`.
    static func buildNetwork(_ config: NetworkConfig, seed: UInt64?, hooks: TrainingHooks) throws -> any SequenceModel {
        let network = Initializer.$stopRequest.withValue(hooks.shouldStop.map(StopRequest.init)) { makeNetwork(config, seed: seed) }
        try stopBeforeTraining(hooks)
        return network
    }
}

extension Forecaster {
    /// What differs between the networks of `model` and those `config` builds for `members`
    /// members (and `scaledMembers` window-scaled ones) with the decoder inputs `calendar`, for the
    /// warm-start error ("its networks take 0 known-future inputs, this data gives
    /// 2 (calendar features or future covariates)").
    static func networkDifferences(_ model: Forecaster, _ config: NetworkConfig, members: Int, scaledMembers: Int = 0,
                                   calendar: CalendarFeatures) -> String {
        let old = model.network.config
        var out: [String] = []
        func differ<T: Equatable>(_ what: String, _ a: T, _ b: T, _ why: String = "") {
            if a != b { out.append("\(what): the model's \(a), this fit's \(b)\(why)") }
        }
        differ("members", model.plainMembers.count, members)
        differ("window-scaled members", model.members.count - model.plainMembers.count, scaledMembers)
        differ("encoder", old.encoder, config.encoder)
        differ("decoder", old.decoder, config.decoder)
        differ("hidden units", old.hiddenSize, config.hiddenSize)
        differ("layers", old.layers, config.layers)
        differ("horizon", old.horizon, config.horizon)
        differ("inputs per step", old.inputSize, config.inputSize, " (the target and past covariates)")
        differ("known-future inputs", old.futureSize, config.futureSize,
               " (calendar features, which depend on the data's frequency and seasons, and future covariates)")
        if old.futureSize == config.futureSize {
            func words(_ c: CalendarFeatures) -> String { c.names.isEmpty ? "none" : c.names.joined(separator: ", ") }
            differ("calendar inputs", words(model.calendar), words(calendar))
        }
        return out.isEmpty ? "the networks differ" : out.joined(separator: "; ")
    }
}
