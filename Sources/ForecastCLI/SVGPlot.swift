import Foundation
import ForecastKit

/// A standalone SVG line chart of a series' history, a forecast, its intervals and (optionally) the
/// actual values over the forecast period. No dependencies; the file opens in any browser.
enum SVGPlot {
    struct Line { var times: [Int64]; var values: [Double]; var color: String; var label: String; var dashed = false }

    static func render(title: String, history: Line, forecast: Line, bands: [PredictionInterval],
                       actual: Line?, format: TimeFormat) -> String {
        let W = 900.0, H = 420.0, left = 64.0, right = 20.0, top = 40.0, bottom = 48.0
        let allTimes = history.times + forecast.times
        var allValues = history.values + forecast.values + (actual?.values ?? [])
        for b in bands { allValues += b.lower + b.upper }
        let finite = allValues.filter { $0.isFinite }
        // Without a finite value (a forecast of all-missing data) the frame is drawn, with a note.
        let t0 = allTimes.min() ?? 0, t1 = allTimes.max() ?? 0
        var v0 = finite.min() ?? 0, v1 = finite.max() ?? 0
        if v1 == v0 { v0 -= 1; v1 += 1 }
        let pad = (v1 - v0) * 0.05
        v0 -= pad; v1 += pad
        func x(_ t: Int64) -> Double { left + (W - left - right) * Double(t - t0) / Double(max(1, t1 - t0)) }
        func y(_ v: Double) -> Double { top + (H - top - bottom) * (1 - (v - v0) / (v1 - v0)) }
        func f(_ d: Double) -> String { String(format: "%.1f", d) }
        func path(_ l: Line) -> String {   // a missing value breaks the line
            var d: [String] = [], move = true
            for (t, v) in zip(l.times, l.values) {
                guard v.isFinite else { move = true; continue }
                d.append("\(move ? "M" : "L")\(f(x(t))),\(f(y(v)))")
                move = false
            }
            return d.joined(separator: " ")
        }
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(W))" height="\(Int(H))" viewBox="0 0 \(Int(W)) \(Int(H))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(left))" y="24" font-size="15">\(esc(title))</text>

        """
        if finite.isEmpty {
            svg += "<text x=\"\(f(W / 2))\" y=\"\(f(H / 2))\" text-anchor=\"middle\" fill=\"#555\">no finite values to plot</text>\n"
        }
        for k in 0...4 {
            let v = v0 + (v1 - v0) * Double(k) / 4
            svg += "<line x1=\"\(f(left))\" x2=\"\(f(W - right))\" y1=\"\(f(y(v)))\" y2=\"\(f(y(v)))\" stroke=\"#e5e5e5\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\" fill=\"#555\">\(String(format: "%.4g", v))</text>\n"
        }
        // Ticks on real observation times (never between two months), the last one right-aligned.
        let points = allTimes.sorted()
        for k in 0...4 where !points.isEmpty {
            let t = points[(points.count - 1) * k / 4]
            let anchor = k == 0 ? "start" : (k == 4 ? "end" : "middle")
            svg += "<text x=\"\(f(x(t)))\" y=\"\(f(H - bottom + 18))\" text-anchor=\"\(anchor)\" fill=\"#555\">\(esc(format.format(t)))</text>\n"
        }
        let shades = ["#c6dbef", "#9ecae1", "#6baed6"]
        for (i, b) in bands.sorted(by: { $0.level > $1.level }).enumerated()
        where (b.lower + b.upper).allSatisfy(\.isFinite) {
            let upper = zip(forecast.times, b.upper).map { "\(f(x($0))),\(f(y($1)))" }
            let lower = zip(forecast.times, b.lower).reversed().map { "\(f(x($0))),\(f(y($1)))" }
            svg += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(shades[min(i, 2)])\" opacity=\"0.8\"><title>\(Int((b.level * 100).rounded()))% interval</title></polygon>\n"
        }
        var legend: [Line] = [history, forecast]
        svg += "<path d=\"\(path(history))\" fill=\"none\" stroke=\"\(history.color)\" stroke-width=\"1.5\"/>\n"
        if let actual {
            svg += "<path d=\"\(path(actual))\" fill=\"none\" stroke=\"\(actual.color)\" stroke-width=\"1.5\"/>\n"
            legend.append(actual)
        }
        svg += "<path d=\"\(path(forecast))\" fill=\"none\" stroke=\"\(forecast.color)\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/>\n"
        for (i, l) in legend.enumerated() {
            let lx = left + 10 + Double(i) * 150
            svg += "<line x1=\"\(f(lx))\" x2=\"\(f(lx + 24))\" y1=\"\(f(top + 8))\" y2=\"\(f(top + 8))\" stroke=\"\(l.color)\" stroke-width=\"2\"/>"
            svg += "<text x=\"\(f(lx + 30))\" y=\"\(f(top + 12))\">\(esc(l.label))</text>\n"
        }
        return svg + "</svg>\n"
    }
}
