import ForecastData

/// Known-future features computed from a timestamp alone: the position within each seasonal
/// period as a sine/cosine pair (but a primary one shorter than a year, with `primaryPosition`
/// false) and, for calendar data finer than a month, the day of the week and the month of the year
/// as sine/cosine pairs. The decoder sees them at every forecast step
/// (Keras' TimeDistributed inputs), so it knows which hour, weekday or month it is forecasting.
///
/// Positions are counted from a fixed origin (the Unix epoch for calendar data, index 0 for
/// integer steps), so the same time always gets the same features, whatever the series' start.
/// With `yearPhaseFromDate`, a period of about a year on calendar data (360 to 370 days: 52
/// weeks, 365 days, 8,760 hours) is positioned by the date instead, as the share of the mean
/// Gregorian year (365.2425 days) elapsed since the epoch: counting 52-week steps drifts by 1.24
/// days a year, so on 40 years of weekly data the same step count points at dates 7 weeks apart.
struct CalendarFeatures: Sendable, Codable, Equatable {
    /// Seasonal periods, in steps of the series' frequency.
    var periods: [Int]
    var dayOfWeek: Bool
    var monthOfYear: Bool
    /// Whether yearly periods on calendar data take their phase from the date (see above).
    var yearPhaseFromDate = false

    /// The mean Gregorian year in seconds.
    static let meanYear: Int64 = 31_556_952

    /// The features a forecaster uses for `frequency` and `periods` (none when `enabled` is false)
    /// on training series of at most `length` steps: the weekday needs eight weeks of data, the
    /// month two years, so that each value has been seen a few times; `weeklyCycle` false (the data
    /// show none) leaves the weekday out. `yearPhaseFromDate` false
    /// gives the features of models of format 3 and earlier (yearly periods counted in steps).
    /// `primaryPosition` false leaves out the pair of the primary (first) period when it is shorter
    /// than a year on calendar data (a day, a week); the weekday and month rules still see every period.
    init(frequency: Frequency, periods: [Int], enabled: Bool, length: Int, yearPhaseFromDate: Bool = false,
         weeklyCycle: Bool? = nil, primaryPosition: Bool = true) {
        guard enabled else { self.periods = []; dayOfWeek = false; monthOfYear = false; return }
        self.periods = periods
        self.yearPhaseFromDate = yearPhaseFromDate
        if !primaryPosition, let primary = periods.first, case .seconds(let s) = frequency, s > 0,
           let span = Self.seconds(primary, step: s), span < Self.aboutAYear.lowerBound {
            self.periods.removeFirst()
        }
        switch frequency {
        case .seconds(let s) where s > 0:
            // A period that already spans a week makes the weekday redundant, one that spans a
            // year the month.
            let weekly = periods.contains { Int64($0) * s == 604_800 }
            let yearly = yearPhaseFromDate ? periods.contains { Self.isYearly($0, step: s) }
                : periods.contains { Int64($0) * s >= 31_536_000 && Int64($0) * s <= 31_622_400 }
            let span = Int64(length) * s
            dayOfWeek = s <= 86_400 && !weekly && span >= 8 * 604_800 && weeklyCycle != false
            monthOfYear = s <= 604_800 && span >= 2 * 31_536_000 && !yearly
        default:
            dayOfWeek = false; monthOfYear = false
        }
    }

    /// The features of a model with `config` (its periods, switches and the format-dependent
    /// rules it records) on series of `frequency` whose longest has `length` steps: what `fit`
    /// trains with and what `predict` and the model-file checks rebuild.
    init(config: ForecasterConfig, frequency: Frequency, length: Int) {
        self.init(frequency: frequency, periods: config.seasonalPeriods ?? [], enabled: config.calendarFeatures ?? false,
                  length: length, yearPhaseFromDate: config.yearPhaseFromDate ?? false, weeklyCycle: config.weeklyCycle,
                  primaryPosition: config.primaryPeriodPosition ?? true)
    }

    /// About a year, in seconds: 360 to 370 days.
    static let aboutAYear: ClosedRange<Int64> = 360 * 86_400 ... 370 * 86_400

    /// Whether `period` steps of `step` seconds make about a year (`aboutAYear`).
    static func isYearly(_ period: Int, step: Int64) -> Bool {
        seconds(period, step: step).map(aboutAYear.contains) ?? false
    }

    /// The seconds that `period` steps of `step` seconds span, or nil when that overflows.
    static func seconds(_ period: Int, step: Int64) -> Int64? {
        let (span, overflow) = Int64(period).multipliedReportingOverflow(by: step)
        return overflow ? nil : span
    }

    /// The inputs in words, in their order: "position in the 24-step season", "day of week", "month".
    var names: [String] {
        periods.map { "position in the \($0)-step season" } + (dayOfWeek ? ["day of week"] : []) + (monthOfYear ? ["month"] : [])
    }

    /// Features per step.
    var count: Int { 2 * periods.count + (dayOfWeek ? 2 : 0) + (monthOfYear ? 2 : 0) }

    /// Writes the `count` features of time `t` to `out`.
    func write(_ t: Int64, frequency: Frequency, to out: UnsafeMutablePointer<Float>) {
        var k = 0
        func pair(_ phase: Int64, _ period: Int64) {
            let p = ((phase % period) + period) % period
            let a = 2 * Double.pi * Double(p) / Double(period)
            out[k] = Float(sin(a)); out[k + 1] = Float(cos(a)); k += 2
        }
        let index: Int64
        switch frequency {
        case .seconds(let s), .steps(let s): index = floorDiv(t, max(1, s))
        case .months(let n, _):
            let c = CivilCalendar.components(t)
            index = floorDiv(Int64(c.year * 12 + c.month - 1), Int64(max(1, n)))
        }
        for m in periods {
            if yearPhaseFromDate, case .seconds(let s) = frequency, Self.isYearly(m, step: s) {
                pair(t, Self.meanYear)
            } else {
                pair(index, Int64(m))
            }
        }
        if dayOfWeek { pair(floorDiv(t, 86_400) + 3, 7) }          // 1970-01-01 was a Thursday
        if monthOfYear { pair(Int64(CivilCalendar.components(t).month - 1), 12) }
    }

    private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
