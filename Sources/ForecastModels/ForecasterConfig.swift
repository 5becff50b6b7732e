import ForecastData
import ForecastNN

/// What the network's output is added to, so that training starts from a good forecast rather than
/// from zero (see the accuracy notes: learning the residual over a baseline).
public enum BaselineKind: String, Sendable, Codable, CaseIterable {
    /// The network predicts the correction to the last observed value.
    case naive
    /// The network predicts the correction to the seasonal-naive forecast (the default; equal to
    /// `naive` when the seasonal period is 1 or longer than the lookback).
    case seasonal
}

/// Everything that defines a forecaster and its training, with every default (the command line's
/// help reads them from here). `nil` fields are chosen from the data by `Forecaster.fit`, whose
/// result's `config` has the fields it chose set (lookback, ensemble size, seasonal periods, step
/// budget, combination, calendar features); `epochs` becomes `maxSteps`, and options left off stay nil.
public struct ForecasterConfig: Sendable, Codable, Equatable {
    /// Forecast steps the network predicts directly (H).
    public var horizon: Int
    /// Input steps (L) of every ensemble member. `nil`: the members alternate between the default
    /// lookback L (`defaultLookback`: two seasons and twice the horizon, bounded by the data) and
    /// 1.5 L (bounded by the data). After `Forecaster.fit`, the longest member's lookback: the
    /// history `predict` reads.
    public var lookback: Int?
    /// The ensemble members' lookbacks, member k taking element k mod `count` (entries past the
    /// ensemble size are not used); overrides `lookback`. `[24, 36]` reproduces the default of a
    /// series whose default lookback is 24 when it is long enough for the default's 36 (the
    /// default shortens its 1.5 L to fit the data; given lookbacks are not shortened).
    public var memberLookbacks: [Int]?

    /// `memberLookbacks` cycled over `members` networks; nil when they are not given.
    package func memberLookbacks(cycledOver members: Int) -> [Int]? {
        memberLookbacks.map { ls in (0..<members).map { ls[$0 % ls.count] } }
    }
    /// Hidden units per recurrent layer.
    public var hiddenSize: Int = 32
    /// Recurrent layers in the encoder and in the decoder.
    public var layers: Int = 1
    /// Encoder cell.
    public var encoder: CellKind = .lstm
    /// Decoder cell.
    public var decoder: CellKind = .lstm
    /// Where the decoder's state starts.
    public var decoderStart: DecoderStart = .encoderState
    /// Dropout between stacked layers, in training (none with one layer: `fit` warns).
    public var dropout: Double = 0
    /// Passes over the training windows, used as the budget when `maxSteps` is `nil`; both `nil`:
    /// `defaultSteps`.
    public var epochs: Int?
    /// Windows per mini-batch.
    public var batchSize: Int = 32
    /// Adam's step size.
    public var learningRate: Double = 3e-3
    /// Decoupled weight decay (AdamW); 0 is plain Adam.
    public var weightDecay: Double = 0
    /// Gradients are scaled down to this global norm (0: no clipping).
    public var clipNorm: Double = 1
    /// Evaluation rounds (epochs, or blocks of steps on large data) without validation improvement
    /// before stopping (best weights are restored); the learning rate halves after a third of them.
    public var patience: Int = 25
    /// Share of each series' training points (at least one horizon) held out for validation.
    public var validationFraction: Double = 0.1
    /// Training loss.
    public var loss: Loss = .mse
    /// Scaler fitted per series on its training part.
    public var scaler: ScalerKind = .standard
    /// What the network's output is added to.
    public var baseline: BaselineKind = .seasonal
    /// The primary seasonal period (the first of `seasonalPeriods`, 1 when there is none): the
    /// scale of MASE. Resolved by `Forecaster.fit`; setting it alone (as model files of format 1
    /// did) gives that one period.
    public var seasonalPeriod: Int?
    /// Seasonal periods, primary first (`[24, 168]` for hourly data with a daily and a weekly
    /// season; `[]` for none); `nil` detects them from the training data (see `Seasonality`).
    public var seasonalPeriods: [Int]?
    /// Whether `seasonalPeriods` was detected from the data (set by `Forecaster.fit`).
    public var periodsDetected: Bool?
    /// Known-future features at the decoder's input: sine/cosine of the position within each
    /// seasonal period and, for calendar data, day of week and month of year. `nil` means on.
    public var calendarFeatures: Bool?
    /// Whether a seasonal period of about a year on calendar data (52 weeks, 365 days, 8,760
    /// hours) is positioned by the date, as the share of the mean Gregorian year elapsed, rather
    /// than by counting steps (52 weeks fall 1.24 days short of a year, so a count drifts by a
    /// season in 30 years). `fit` sets it; `nil`, in models of format 3 and earlier, counts steps.
    package var yearPhaseFromDate: Bool?
    /// Whether the data show a weekly cycle (`Forecaster.detectWeeklyCycle`); `false` leaves out
    /// the day-of-week inputs, with which the network fitted noise by weekday (hourly and daily
    /// temperature: README, "Weekday inputs"). `fit` sets it; `nil`, in models of format 4 and
    /// earlier, gives the weekday inputs by the data's length alone.
    package var weeklyCycle: Bool?
    /// Whether the decoder also reads the position within the primary seasonal period when that is
    /// shorter than a year on calendar data (a day of hourly data, a week of daily data). `fit`
    /// sets `false`: the seasonal-naive baseline the network corrects already repeats that cycle,
    /// and with its phase the network learned one correction per hour or weekday, averaged over the
    /// year, which misfits where the annual season reshapes the cycle (hourly temperature: README,
    /// "No position input for a daily or weekly primary season"). A yearly primary season (monthly,
    /// quarterly, weekly data) and integer steps keep the pair. `nil`, in models of format 5 and
    /// earlier, includes it; `true` given to `fit` (for tests of older behaviour) keeps it.
    package var primaryPeriodPosition: Bool?
    /// Divide each window's target (lookback and horizon, after removing its last value) by the
    /// standard deviation of its lookback, and multiply the network's output back (instance
    /// normalisation, as RevIN). Off by default: on the rolling-origin benchmark it improved the
    /// network alone on the bundled and the extra series, and the default forecast on the extra
    /// series, but made the default forecast of the bundled series worse (README). `nil` means off.
    public var windowScaling: Bool?
    /// Where a series' scale changed over the data given to `fit` (`Forecaster.scaleChange` above
    /// `Forecaster.scaleChangeThreshold`), the network's part of its forecast is the mean of the
    /// ensemble's median and that of window-scaled members (`windowScaling`'s networks, with the
    /// same seeds and lookbacks, trained on those series alone); `fit` trains them only when some
    /// series' scale changed. `nil` means on; ignored with `windowScaling` (every member scales
    /// its windows then).
    public var scaledMembers: Bool?
    /// The network's forecast of each series is mixed with a per-series linear autoregression
    /// fitted to the series' history (`LinearAutoregression`), at the combination's validation
    /// origins and after the data, each weighted by the inverse of its error at those origins: the
    /// combination weighs that mix against the statistical models, and `predict` forecasts with it. `nil` means on; off for a model with future covariates
    /// (which only the network reads).
    public var linearMember: Bool?
    /// Columns whose future values are known in advance (holidays, planned prices), fed to the
    /// decoder at each forecast step; `predict` then needs their values for the forecast window.
    public var futureCovariates: [String]?
    /// Allow negative forecasts for series whose training values are all >= 0 (by default such
    /// forecasts and interval bounds are clipped at 0). `nil` means false.
    public var allowNegative: Bool?
    /// Networks in the ensemble, differing in seed and lookback; the forecast is their median.
    /// `nil` means `defaultEnsembleSize`; 1 is a single network.
    public var ensembleSize: Int?
    /// How the network and the statistical models are combined per series; `nil` means
    /// `defaultCombine`.
    public var combine: CombineMode?
    /// The training budget in optimizer steps (mini-batches) of each member; `nil` chooses it from the data
    /// (`defaultSteps`). Early stopping on validation usually ends training sooner.
    public var maxSteps: Int?
    /// Seed for weights, shuffling and dropout.
    public var seed: UInt64 = 42
    /// Threads: ensemble members train in parallel, one thread each, or a single network splits
    /// each batch across them. Default: the machine's cores, as the command line's. An ensemble's
    /// members do not depend on it; a single network does (same count, same model), so set it
    /// to reproduce one network bit for bit on machines with other core counts.
    public var threads: Int = Forecaster.defaultThreads
    /// Window stride for training.
    public var stride: Int = 1

    /// A configuration for `horizon` steps with every other setting at its default.
    public init(horizon: Int) {
        self.horizon = horizon
    }

    /// Checks ranges, naming the first bad setting in a sentence.
    public func validate() throws {
        func bad(_ what: String) -> ForecastError { ForecastError.configuration(what) }
        guard horizon >= 1 && horizon <= 10_000 else { throw bad("`horizon` must be between 1 and 10000, got \(horizon)") }
        if let l = lookback, !(1...100_000).contains(l) { throw bad("`lookback` must be between 1 and 100000, got \(l)") }
        if let ls = memberLookbacks {
            guard !ls.isEmpty else { throw bad("`memberLookbacks` must not be empty (nil gives the default)") }
            if let l = ls.first(where: { !(1...100_000).contains($0) }) { throw bad("`memberLookbacks` must be between 1 and 100000, got \(l)") }
        }
        guard (1...Self.maxHiddenSize).contains(hiddenSize) else {
            throw bad("`hiddenSize` must be between 1 and \(Self.maxHiddenSize), got \(hiddenSize)")
        }
        guard (1...16).contains(layers) else { throw bad("`layers` must be between 1 and 16, got \(layers)") }
        guard dropout >= 0 && dropout < 1 else { throw bad("`dropout` must be in [0, 1), got \(dropout)") }
        if let e = epochs, !(1...1_000_000).contains(e) { throw bad("`epochs` must be between 1 and 1000000, got \(e)") }
        guard (1...65_536).contains(batchSize) else { throw bad("`batchSize` must be between 1 and 65536, got \(batchSize)") }
        guard learningRate > 0 && learningRate < 10 && learningRate.isFinite else { throw bad("`learningRate` must be positive and below 10, got \(learningRate)") }
        guard weightDecay >= 0 && weightDecay.isFinite else { throw bad("`weightDecay` must be >= 0, got \(weightDecay)") }
        guard clipNorm >= 0 && clipNorm.isFinite else { throw bad("`clipNorm` must be >= 0, got \(clipNorm)") }
        guard patience >= 1 else { throw bad("`patience` must be >= 1, got \(patience)") }
        guard validationFraction >= 0 && validationFraction < 0.9 else { throw bad("`validationFraction` must be in [0, 0.9), got \(validationFraction)") }
        if let m = seasonalPeriod, m < 1 { throw bad("`seasonalPeriod` must be >= 1, got \(m)") }
        if let ps = seasonalPeriods, let m = ps.first(where: { $0 < 2 || $0 > 100_000 }) {
            throw bad("`seasonalPeriods` must be between 2 and 100000, got \(m)")
        }
        if let n = ensembleSize, !(1...64).contains(n) { throw bad("`ensembleSize` must be between 1 and 64, got \(n)") }
        if let s = maxSteps, !(1...100_000_000).contains(s) { throw bad("`maxSteps` must be between 1 and 100000000, got \(s)") }
        guard (1...256).contains(threads) else { throw bad("`threads` must be between 1 and 256, got \(threads)") }
        guard stride >= 1 else { throw bad("`stride` must be >= 1, got \(stride)") }
    }

    /// The default lookback for a series of `length` training points with seasonal periods
    /// `periods` (primary first): two primary seasons, the longest season and twice the horizon
    /// (at least 8), shortened so that at least a third of the series remains as distinct windows.
    ///
    /// Data finer than a day keep this rule: at least a week (168 and 252 hours for the two
    /// members) was measured against it on the hourly benchmark series (session 20, seed 42,
    /// rolling origins, MASE over seasonal naive's): the network alone went from 0.456 to 0.981 on
    /// Seattle's temperature and from 1.095 to 1.170 on flights, the combination from 0.628 to
    /// 0.626 and from 0.626 to 0.637.
    public static func defaultLookback(horizon: Int, periods: [Int], length: Int) -> Int {
        let m = periods.first ?? 1
        let longest = periods.filter { $0 <= 1_000 }.max() ?? 1
        let wanted = max(2 * m, longest, 2 * horizon, 8)
        let cap = max(min(m + 1, length - horizon), (length - horizon) * 2 / 3)
        return max(1, min(wanted, cap))
    }

    /// The default training budget in optimizer steps for `windows` training windows of
    /// `batchSize`: `passesOnSmallData` passes over small data, at most `stepCap` steps (early stopping usually
    /// ends sooner).
    package static func defaultSteps(windows: Int, batchSize: Int) -> Int {
        let perEpoch = max(1, (windows + batchSize - 1) / batchSize)
        return max(passesOnSmallData, min(stepCap, passesOnSmallData * perEpoch))
    }

    /// Passes over the training windows that the default step budget allows on small data.
    package static let passesOnSmallData = 200

    /// The default combination of the network with the statistical models.
    public static let defaultCombine = CombineMode.auto

    /// The default number of ensemble members.
    public static let defaultEnsembleSize = 2

    /// The largest default step budget.
    package static let stepCap = 10_000

    /// The most hidden units per layer (earlier versions allowed 4096).
    /// The orthogonal recurrent kernel costs O(H³) to draw (`Initializer.orthogonal`), and a default
    /// fit draws it for every cell of every member and of each of its cross-validation refits. On
    /// the 2-vCPU test machine: 1.5 s per cell at 1024 units (a 1-step fit of one member: 15 s),
    /// 12 s at 2048 and 72 s at 4096, where each cell's weights, gradients and Adam moments also
    /// take 0.5 and 2 GB. Model files are held to the same bound.
    public static let maxHiddenSize = 1024
}

/// How a forecaster combines its network with the statistical models, per series.
public enum CombineMode: String, Sendable, Codable, CaseIterable {
    /// The default: per series the network, the best statistical model, or a blend of the two whose
    /// weights follow their errors on the validation origins (a clear winner forecasts alone, a near
    /// tie is blended); a model with future covariates keeps the network (the only candidate that
    /// reads them).
    case auto
    /// Always the network (ensemble).
    case network
    /// The candidate (the network, seasonal naive, Theta, damped ETS, Holt-Winters, AutoETS,
    /// seasonal median) with the smallest error on the validation origins of each series.
    case best
    /// The network blended with the best statistical model, weighted by the inverse of their
    /// validation errors.
    case weights
}

extension ForecasterConfig {
    /// "24, 168 (detected)", "none (given)", "12 (from format 1)"...
    package static func describePeriods(_ c: ForecasterConfig) -> String {
        let ps = c.seasonalPeriods ?? ((c.seasonalPeriod ?? 1) > 1 ? [c.seasonalPeriod!] : [])
        let list = ps.isEmpty ? "none" : ps.map(String.init).joined(separator: ", ")
        let how = c.periodsDetected.map { $0 ? "detected" : "given" } ?? "from the frequency"
        return "\(list) (\(how))"
    }
}
