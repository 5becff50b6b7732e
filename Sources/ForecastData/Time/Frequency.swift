/// The regular step between consecutive observations of a series, calendar-aware.
///
/// Monthly, quarterly and yearly series step by calendar months, so 31 January is followed by
/// 28 (or 29) February when the series sits on month ends, and 1 February when it sits on the 1st.
/// Weekly and finer series step by a fixed number of seconds; integer-indexed series by a fixed count.
public enum Frequency: Equatable, Hashable, Sendable, Codable {
    /// Every `n` calendar months; `monthEnd` when every observation falls on a month's last day.
    case months(Int, monthEnd: Bool)
    /// Every `n` seconds (days, hours, weeks...).
    case seconds(Int64)
    /// Every `n` index steps.
    case steps(Int64)

    /// Whether the series counts in index steps (no calendar).
    package var isSteps: Bool {
        if case .steps = self { return true }
        return false
    }

    /// A short human name: "monthly", "quarterly", "every 30 minutes"...
    public var name: String {
        switch self {
        case .months(1, _): return "monthly"
        case .months(3, _): return "quarterly"
        case .months(12, _): return "yearly"
        case .months(let n, _): return "every \(n) months"
        case .seconds(604_800): return "weekly"
        case .seconds(86_400): return "daily"
        case .seconds(3_600): return "hourly"
        case .seconds(60): return "minutely"
        case .seconds(1): return "every second"
        case .seconds(let s):
            if s % 86_400 == 0 { return "every \(s / 86_400) days" }
            if s % 3_600 == 0 { return "every \(s / 3_600) hours" }
            if s % 60 == 0 { return "every \(s / 60) minutes" }
            return "every \(s) seconds"
        case .steps(let n): return n == 1 ? "integer steps" : "integer steps of \(n)"
        }
    }

    /// The usual seasonal period for this frequency: 12 monthly, 4 quarterly, 1 yearly, 52 weekly,
    /// 7 daily, 24 hourly, 48 half-hourly, the number of steps in a day below that; 1 where none applies.
    /// The longest step a series may have (about a century): models, forecasts and their times
    /// stay inside Int64 and the calendar with it.
    package static let largestStep: (seconds: Int64, months: Int, steps: Int64) = (3_200_000_000, 1_200, 1_000_000_000_000)

    /// The step in words when it is longer than `largestStep` allows ("steps of 2000000000000 index
    /// units, at most 1000000000000"), else nil.
    package var unsupportedStep: String? {
        let m = Self.largestStep
        switch self {
        case .seconds(let v) where v > m.seconds: return "steps of \(v) seconds, at most \(m.seconds) (about a century)"
        case .months(let v, _) where v > m.months: return "steps of \(v) months, at most \(m.months)"
        case .steps(let v) where v > m.steps: return "steps of \(v) index units, at most \(m.steps)"
        default: return nil
        }
    }

    public var seasonalPeriod: Int {
        switch self {
        case .months(let n, _): return 12 % n == 0 ? 12 / n : 1
        case .seconds(604_800): return 52
        case .seconds(86_400): return 7
        case .seconds(let s) where s < 86_400 && 86_400 % s == 0:
            return s >= 60 * 15 ? Int(86_400 / s) : (3_600 % s == 0 ? Int(3_600 / s) : 1)
        default: return 1
        }
    }

    /// The time `n` steps after `t` (`n` may be negative).
    public func advance(_ t: Int64, by n: Int) -> Int64 {
        switch self {
        case .seconds(let s): return t + s * Int64(n)
        case .steps(let s): return t + s * Int64(n)
        case .months(let k, let monthEnd):
            let c = CivilCalendar.components(t)
            let total = c.year * 12 + (c.month - 1) + k * n
            let y = total >= 0 ? total / 12 : (total - 11) / 12
            let m = total - y * 12 + 1
            let last = CivilCalendar.daysInMonth(year: y, month: m)
            let d = monthEnd ? last : min(c.day, last)
            return CivilCalendar.timestamp(year: y, month: m, day: d, hour: c.hour, minute: c.minute, second: c.second)
        }
    }

    /// How many steps lie from `a` to `b`, or `nil` when `b` is not on this frequency's grid from `a`.
    public func steps(from a: Int64, to b: Int64) -> Int? {
        switch self {
        case .seconds(let s), .steps(let s):
            let d = b - a
            return d % s == 0 ? Int(d / s) : nil
        case .months(let k, _):
            let months = CivilCalendar.monthIndex(b) - CivilCalendar.monthIndex(a)
            guard months % k == 0 else { return nil }
            let n = months / k
            return advance(a, by: n) == b ? n : nil
        }
    }

    /// Infers the frequency of sorted, distinct timestamps: calendar months when every observation
    /// shares its day of month (or is a month end) and time of day, else the most common gap.
    /// Returns `nil` with fewer than two timestamps.
    public static func infer(_ t: [Int64], isIndex: Bool) -> Frequency? {
        guard t.count >= 2 else { return nil }
        if isIndex { return .steps(mostCommonGap(t)) }
        let first = CivilCalendar.components(t[0])
        var sameDay = true, allMonthEnds = true
        for v in t {
            let c = CivilCalendar.components(v)
            if c.hour != first.hour || c.minute != first.minute || c.second != first.second {
                sameDay = false; allMonthEnds = false; break
            }
            if c.day != first.day { sameDay = false }
            if c.day != CivilCalendar.daysInMonth(year: c.year, month: c.month) { allMonthEnds = false }
            if !sameDay && !allMonthEnds { break }
        }
        // A single day-of-month shared by all points means calendar months, unless points are
        // closer than a month (a daily series over less than a month has one day each, not one shared).
        if sameDay || allMonthEnds {
            var gaps: [Int: Int] = [:]
            for i in 1..<t.count {
                gaps[CivilCalendar.monthIndex(t[i]) - CivilCalendar.monthIndex(t[i - 1]), default: 0] += 1
            }
            if let (k, _) = gaps.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }), k > 0 {
                return .months(k, monthEnd: allMonthEnds && !(sameDay && first.day <= 28))
            }
        }
        return .seconds(mostCommonGap(t))
    }

    private static func mostCommonGap(_ t: [Int64]) -> Int64 {
        var gaps: [Int64: Int] = [:]
        for i in 1..<t.count { gaps[t[i] - t[i - 1], default: 0] += 1 }
        return gaps.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key
    }
}
