/// How a time column is written, so that it can be read and future timestamps printed the same way.
///
/// Timestamps are seconds since 1970-01-01 UTC; an `index` column keeps its integer values.
/// Detected formats: ISO-8601 dates (`2024-03-01`), date-times with `T` or a space, with or without
/// seconds, a fraction of zeros (`:00.000`; times finer than a second are refused) and a zone (`Z`, `+02:00`); `YYYY-MM`; `YYYY-Qn` (or `YYYYQn`);
/// plain years; integer step indices. Anything else takes a `pattern` in strftime style
/// (`%Y %m %d %H %M %S %b`), e.g. `"%d/%m/%Y"`.
public enum TimeFormat: Equatable, Hashable, Sendable, Codable {
    /// `YYYY-MM-DD`.
    case date
    /// `YYYY-MM-DDTHH:MM[:SS]`; `zoneOffset` in seconds when the values carry a zone.
    case dateTime(separator: String, seconds: Bool, zoneOffset: Int?)
    /// `YYYY-MM`.
    case yearMonth
    /// `YYYY-Qn`.
    case yearQuarter
    /// `YYYY`.
    case year
    /// Integer step numbers.
    case index
    /// A strftime-style pattern.
    case pattern(String)

    /// Reads a `--time-format` argument: `index`, `year`, `date`, `iso`, or a `%` pattern.
    package init?(argument: String) {
        switch argument.lowercased() {
        case "index", "integer", "int": self = .index
        case "year", "%y": self = argument == "%y" ? .pattern("%y") : .year
        case "date", "%y-%m-%d": self = .date
        case "iso", "datetime": self = .dateTime(separator: "T", seconds: true, zoneOffset: nil)
        case "month", "yyyy-mm": self = .yearMonth
        case "quarter", "yyyy-qn": self = .yearQuarter
        default:
            guard argument.contains("%") else { return nil }
            self = .pattern(argument)
        }
    }

    /// Why a `pattern` cannot order times, or nil: its fields must run from the year down without
    /// a gap (`%d/%m/%Y`, `%Y-%m-%d %H:%M`; `%b` counts as the month), or times repeat: `%H` alone
    /// gives every day the same 24 times, `%m/%d` every year the same dates.
    package var patternProblem: String? {
        guard case .pattern(let p) = self else { return nil }
        var fields = Set<Character>()
        var it = p.makeIterator()
        while let ch = it.next() {
            if ch == "%", let f = it.next() { fields.insert(f == "b" ? "m" : f == "y" ? "Y" : f) }
        }
        let order: [(Character, String)] = [("Y", "%Y or %y"), ("m", "%m or %b"), ("d", "%d"), ("H", "%H"), ("M", "%M"), ("S", "%S")]
        guard let last = order.lastIndex(where: { fields.contains($0.0) }) else {
            return "has no date or time field (%Y, %m, %d, %H, %M, %S or %b)"
        }
        if let gap = order[...last].first(where: { !fields.contains($0.0) }) {
            return "has no \(gap.1): without it times repeat (each field from the year down to the finest is needed)"
        }
        return nil
    }

    /// Parses one value in this format; `nil` when it does not match.
    package func parse(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        switch self {
        case .index: return TimeParsing.integer(s)
        case .year:
            guard s.count == 4, let y = TimeParsing.integer(s) else { return nil }
            return CivilCalendar.timestamp(year: Int(y), month: 1, day: 1)
        case .pattern(let p): return TimeParsing.pattern(p, s)
        default:
            guard let (format, t) = TimeParsing.detect(s), format.sameShape(as: self) else { return nil }
            return t
        }
    }

    /// Parses a string value; a convenience over `parse(_:)` for tests and small inputs.
    public func parse(_ s: String) -> Int64? {
        var s = s
        return s.withUTF8 { parse($0) }
    }

    /// Detects the format of one value; integers are reported as `index`.
    package static func detect(_ s: String) -> (TimeFormat, Int64)? {
        var s = s
        return s.withUTF8 { TimeParsing.detect($0) }
    }

    /// Formats a timestamp (or an index) as this format writes it.
    public func format(_ t: Int64) -> String {
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(v)
            return s.count >= n ? s : String(repeating: "0", count: n - s.count) + s
        }
        switch self {
        case .index: return String(t)
        case .year: return pad(CivilCalendar.components(t).year, 4)
        case .yearMonth:
            let c = CivilCalendar.components(t)
            return "\(pad(c.year, 4))-\(pad(c.month, 2))"
        case .yearQuarter:
            let c = CivilCalendar.components(t)
            return "\(pad(c.year, 4))-Q\((c.month - 1) / 3 + 1)"
        case .date:
            let c = CivilCalendar.components(t)
            return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
        case .dateTime(let sep, let seconds, let zone):
            let c = CivilCalendar.components(t + Int64(zone ?? 0))
            var out = "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))\(sep)\(pad(c.hour, 2)):\(pad(c.minute, 2))"
            if seconds { out += ":\(pad(c.second, 2))" }
            if let zone {
                if zone == 0 { out += "Z" } else {
                    let a = abs(zone)
                    out += (zone < 0 ? "-" : "+") + "\(pad(a / 3600, 2)):\(pad(a % 3600 / 60, 2))"
                }
            }
            return out
        case .pattern(let p): return TimeParsing.formatPattern(p, t)
        }
    }

    /// Whether the value is an integer index rather than a calendar time.
    public var isIndex: Bool { self == .index }

    func sameShape(as other: TimeFormat) -> Bool {
        switch (self, other) {
        case (.dateTime(let a, let b, let za), .dateTime(let c, let d, let zc)):
            return a == c && b == d && (za == nil) == (zc == nil)
        default: return self == other
        }
    }
}

/// Byte-level parsers behind `TimeFormat`; fast enough to run on every row of a large file.
enum TimeParsing {
    @inline(__always) static func digit(_ b: UInt8) -> Int? {
        b >= 48 && b <= 57 ? Int(b - 48) : nil
    }

    static func number(_ s: UnsafeBufferPointer<UInt8>, _ from: Int, _ n: Int) -> Int? {
        guard from + n <= s.count else { return nil }
        var v = 0
        for i in from..<(from + n) {
            guard let d = digit(s[i]) else { return nil }
            v = v * 10 + d
        }
        return v
    }

    static func integer(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !s.isEmpty, s.count <= 18 else { return nil }
        var i = 0
        var negative = false
        if s[0] == UInt8(ascii: "-") { negative = true; i = 1 }
        guard i < s.count else { return nil }
        var v: Int64 = 0
        while i < s.count {
            guard let d = digit(s[i]) else { return nil }
            v = v * 10 + Int64(d)
            i += 1
        }
        return negative ? -v : v
    }

    static func validDate(_ y: Int, _ m: Int, _ d: Int) -> Bool {
        m >= 1 && m <= 12 && d >= 1 && d <= CivilCalendar.daysInMonth(year: y, month: m)
    }

    /// Recognises every built-in format; integers come back as `.index`.
    static func detect(_ s: UnsafeBufferPointer<UInt8>) -> (TimeFormat, Int64)? {
        if let v = integer(s) { return (.index, v) }
        guard s.count >= 6, let y = number(s, 0, 4) else { return nil }
        let dash = UInt8(ascii: "-")
        // YYYY-Qn or YYYYQn
        if (s.count == 7 && s[4] == dash && (s[5] | 0x20) == UInt8(ascii: "q")) ||
            (s.count == 6 && (s[4] | 0x20) == UInt8(ascii: "q")) {
            guard let q = digit(s[s.count - 1]), q >= 1, q <= 4 else { return nil }
            return (.yearQuarter, CivilCalendar.timestamp(year: y, month: (q - 1) * 3 + 1, day: 1))
        }
        guard s[4] == dash, let m = number(s, 5, 2) else { return nil }
        if s.count == 7 {
            guard m >= 1 && m <= 12 else { return nil }
            return (.yearMonth, CivilCalendar.timestamp(year: y, month: m, day: 1))
        }
        guard s.count >= 10, s[7] == dash, let d = number(s, 8, 2), validDate(y, m, d) else { return nil }
        let day = CivilCalendar.days(year: y, month: m, day: d) * 86400
        if s.count == 10 { return (.date, day) }
        let sepByte = s[10]
        guard sepByte == UInt8(ascii: "T") || sepByte == UInt8(ascii: " "),
              let hh = number(s, 11, 2), s.count >= 16, s[13] == UInt8(ascii: ":"),
              let mm = number(s, 14, 2), hh < 24, mm < 60 else { return nil }
        var i = 16
        var ss = 0
        var hasSeconds = false
        if i < s.count && s[i] == UInt8(ascii: ":") {
            guard let v = number(s, 17, 2), v < 61 else { return nil }
            ss = v; hasSeconds = true; i = 19
            if i < s.count && (s[i] == UInt8(ascii: ".") || s[i] == UInt8(ascii: ",")) {
                i += 1
                // A fraction of zeros (12:00:00.000) is whole seconds; any other is refused: steps
                // finer than a second would collapse into duplicate times.
                while i < s.count, let d = digit(s[i]) { guard d == 0 else { return nil }; i += 1 }
            }
        }
        var zone: Int? = nil
        if i < s.count {
            let z = s[i]
            if z == UInt8(ascii: "Z") && i + 1 == s.count {
                zone = 0
            } else if z == UInt8(ascii: "+") || z == dash {
                guard let zh = number(s, i + 1, 2) else { return nil }
                var j = i + 3
                var zm = 0
                if j < s.count && s[j] == UInt8(ascii: ":") { j += 1 }
                if j < s.count { guard let v = number(s, j, 2) else { return nil }; zm = v; j += 2 }
                guard j == s.count, zh <= 14, zm < 60 else { return nil }
                zone = (zh * 3600 + zm * 60) * (z == dash ? -1 : 1)
            } else {
                return nil
            }
        }
        let local = day + Int64(hh * 3600 + mm * 60 + ss)
        return (.dateTime(separator: sepByte == UInt8(ascii: "T") ? "T" : " ", seconds: hasSeconds, zoneOffset: zone),
                local - Int64(zone ?? 0))
    }

    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// strftime-style parsing for `%Y %y %m %d %H %M %S %b %%`; other characters must match literally.
    static func pattern(_ p: String, _ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        var y = 1970, mo = 1, d = 1, h = 0, mi = 0, se = 0
        var i = 0
        let pat = Array(p.utf8)
        var k = 0
        func readNumber(max: Int) -> Int? {
            var v = 0, n = 0
            while n < max, i < s.count, let dg = digit(s[i]) { v = v * 10 + dg; i += 1; n += 1 }
            return n > 0 ? v : nil
        }
        while k < pat.count {
            if pat[k] == UInt8(ascii: "%"), k + 1 < pat.count {
                let c = pat[k + 1]
                k += 2
                switch c {
                case UInt8(ascii: "Y"): guard let v = readNumber(max: 4) else { return nil }; y = v
                case UInt8(ascii: "y"): guard let v = readNumber(max: 2) else { return nil }; y = v < 69 ? 2000 + v : 1900 + v
                case UInt8(ascii: "m"): guard let v = readNumber(max: 2) else { return nil }; mo = v
                case UInt8(ascii: "d"): guard let v = readNumber(max: 2) else { return nil }; d = v
                case UInt8(ascii: "H"): guard let v = readNumber(max: 2) else { return nil }; h = v
                case UInt8(ascii: "M"): guard let v = readNumber(max: 2) else { return nil }; mi = v
                case UInt8(ascii: "S"): guard let v = readNumber(max: 2) else { return nil }; se = v
                case UInt8(ascii: "b"):
                    guard i + 3 <= s.count else { return nil }
                    let word = String(decoding: s[i..<(i + 3)], as: UTF8.self).lowercased()
                    guard let idx = monthNames.firstIndex(of: word) else { return nil }
                    mo = idx + 1; i += 3
                case UInt8(ascii: "%"): guard i < s.count, s[i] == c else { return nil }; i += 1
                default: return nil
                }
            } else {
                guard i < s.count, s[i] == pat[k] else { return nil }
                i += 1; k += 1
            }
        }
        guard i == s.count, validDate(y, mo, d), h < 24, mi < 60, se < 61 else { return nil }
        return CivilCalendar.timestamp(year: y, month: mo, day: d, hour: h, minute: mi, second: se)
    }

    static func formatPattern(_ p: String, _ t: Int64) -> String {
        let c = CivilCalendar.components(t)
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(v)
            return s.count >= n ? s : String(repeating: "0", count: n - s.count) + s
        }
        var out = ""
        var it = p.makeIterator()
        while let ch = it.next() {
            guard ch == "%", let f = it.next() else { out.append(ch); continue }
            switch f {
            case "Y": out += pad(c.year, 4)
            case "y": out += pad(c.year % 100, 2)
            case "m": out += pad(c.month, 2)
            case "d": out += pad(c.day, 2)
            case "H": out += pad(c.hour, 2)
            case "M": out += pad(c.minute, 2)
            case "S": out += pad(c.second, 2)
            case "b": out += monthNames[c.month - 1].capitalized
            default: out.append(f)
            }
        }
        return out
    }
}

private extension String {
    var capitalized: String { prefix(1).uppercased() + dropFirst() }
}
