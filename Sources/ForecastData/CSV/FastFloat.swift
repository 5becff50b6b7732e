/// Decimal-to-Double conversion with Clinger's fast path: when a number has at most 15 significant
/// digits and a decimal exponent within ±22, both the digits (as an integer below 2^53) and 10^|e|
/// are exact Doubles, so one multiplication or division gives the correctly rounded result — the
/// same value `strtod` returns. Everything else (long mantissas, large exponents, hex, inf, nan)
/// returns `nil` and is left to `strtod`.
enum FastFloat {
    static let powers: [Double] = (0...22).map { p in (0..<p).reduce(1.0) { r, _ in r * 10 } }

    @inline(__always)
    static func parse(_ s: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        let n = s.count
        guard n > 0 && n < 40 else { return nil }
        var negative = false
        if s[0] == UInt8(ascii: "-") { negative = true; i = 1 } else if s[0] == UInt8(ascii: "+") { i = 1 }
        var mantissa: UInt64 = 0
        var digits = 0, scale = 0, any = false
        while i < n, s[i] &- 48 < 10 {
            if mantissa != 0 || s[i] != 48 { digits += 1 }
            mantissa = mantissa &* 10 &+ UInt64(s[i] &- 48)
            i += 1; any = true
        }
        if i < n && s[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, s[i] &- 48 < 10 {
                if mantissa != 0 || s[i] != 48 { digits += 1 }
                mantissa = mantissa &* 10 &+ UInt64(s[i] &- 48)
                scale -= 1
                i += 1; any = true
            }
        }
        guard any, digits <= 15 else { return nil }
        if i < n && (s[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < n && (s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+")) { expNegative = s[i] == UInt8(ascii: "-"); i += 1 }
            var e = 0, expDigits = 0
            while i < n, s[i] &- 48 < 10, expDigits < 4 { e = e * 10 + Int(s[i] &- 48); i += 1; expDigits += 1 }
            guard expDigits > 0 else { return nil }
            scale += expNegative ? -e : e
        }
        guard i == n, scale >= -22 && scale <= 22 else { return nil }
        var v = Double(mantissa)
        v = scale < 0 ? v / powers[-scale] : v * powers[scale]
        return negative ? -v : v
    }
}
