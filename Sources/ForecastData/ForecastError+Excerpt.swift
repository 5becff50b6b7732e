/// Message hygiene: a field of a hostile file can be megabytes long or hold terminal escape
/// sequences, and error messages go to a terminal. Every value a message quotes passes through
/// `excerpt(_:)`; every finished message through `escapingControls(_:)`.
extension ForecastError {
    /// The longest part of a value that a message quotes, in characters.
    package static let excerptLength = 80

    /// `s` in double quotes, cut to `excerptLength` characters (with "..." and the full length
    /// when cut), control characters escaped:
    ///
    ///     ForecastError.excerpt("12,5x")            // "\"12,5x\""
    ///     ForecastError.excerpt("\u{1B}[2Jboom")    // "\"\\u{1B}[2Jboom\""
    package static func excerpt(_ s: String) -> String {
        "\"" + truncated(s) + "\""
    }

    /// `s` cut to `excerptLength` characters and escaped, without quotes (for names).
    package static func truncated(_ s: String) -> String {
        guard s.count > excerptLength else { return escapingControls(s) }
        return escapingControls(String(s.prefix(excerptLength))) + "... (\(s.utf8.count) bytes)"
    }

    /// `s` with C0 and C1 control characters and DEL written as `\n`, `\t`, `\r` or `\u{..}`, so
    /// that printing it cannot move the cursor, clear the screen or forge another line.
    /// With `keepNewlines`, line feeds are kept (for multi-line help text).
    package static func escapingControls(_ s: String, keepNewlines: Bool = false) -> String {
        func isControl(_ v: UInt32) -> Bool { v < 0x20 || (0x7F...0x9F).contains(v) }
        guard s.unicodeScalars.contains(where: { isControl($0.value) }) else { return s }
        var out = ""
        for u in s.unicodeScalars {
            switch u.value {
            case 0x0A where keepNewlines: out.unicodeScalars.append(u)
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0x0D: out += "\\r"
            case let v where isControl(v): out += "\\u{" + String(v, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
