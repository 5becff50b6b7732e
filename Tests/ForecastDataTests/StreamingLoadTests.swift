import Foundation
import Testing
@testable import ForecastData

/// A long-format panel read as blocks of whole series (`SeriesLoader.loadStreaming`) loads exactly
/// as it does read whole: the same series, report lines, left-out series and errors.
@Suite struct StreamingLoadTests {
    /// 40 series with gaps, missing values, rows out of time order, a covariate, and two series
    /// that cannot be used (one row; no target values).
    static func panel(interleaveAt swap: Int? = nil, series: Int = 40, seed: UInt64 = 7) -> String {
        var rng = SplitMix(seed: seed)
        var rows: [String] = []
        for s in 0..<series {
            let id = "s\(s)"
            if s == 11 { rows.append("\(id),2024-01-01T00:00,5,1"); continue }
            if s == 23 { rows += (0..<5).map { "\(id),2024-01-0\($0 + 1)T00:00,,1" }; continue }
            var block: [String] = []
            let n = 20 + Int(rng.next() % 40)
            for t in 0..<n {
                if t > 0 && t < n - 1 && rng.next() % 17 == 0 { continue }   // a missing timestamp
                let value = rng.next() % 23 == 0 && t > 0 && t < n - 1 ? "" : "\(Double(rng.next() % 1000) / 10)"
                block.append("\(id),2024-01-\(String(format2: 1 + t / 24))T\(String(format2: t % 24)):00,\(value),\(t % 5)")
            }
            if s % 7 == 3 { block.swapAt(2, 5) }   // out of time order within the series
            rows += block
        }
        if let swap { rows.swapAt(swap, rows.count - 3) }
        return "series,time,value,load\n" + rows.joined(separator: "\n") + "\n"
    }

    static func options() -> SeriesLoader.Options {
        SeriesLoader.Options(target: "value", timeColumn: "time", idColumn: "series", covariates: ["load"], fill: .interpolate)
    }

    static func same(_ a: SeriesLoader.Result, _ b: SeriesLoader.Result) {
        #expect(a.series == b.series)
        #expect(a.report == b.report)
        #expect("\(a.leftOut)" == "\(b.leftOut)")   // NaN covariates: compared as text
    }

    /// Blocks handed on by one half, collected from the reading threads.
    final class Blocks: @unchecked Sendable {
        private let lock = NSLock()
        private var tables: [[CSVTable]] = [[], []]
        func add(_ half: Int, _ t: CSVTable) { lock.lock(); tables[half].append(t); lock.unlock() }
        var all: [[CSVTable]] { lock.lock(); defer { lock.unlock() }; return tables }
    }

    @Test func blocksHoldWholeSeriesAndEveryRow() throws {
        let file = tempCSV(Self.panel())
        let whole = try CSVTable(contentsOf: file, columns: ["series": .text, "time": .time(nil), "value": .number, "load": .number])
        for halves in [false, true] {
            let blocks = Blocks()
            let rest = try CSVTable.stream(file, delimiter: nil, rows: 50, halvesFrom: halves ? 0 : .max, processors: 2,
                                           block: { blocks.add($0, $1) },
                                           choosing: try SeriesLoader.columnChooser(file, options: Self.options()))
            let b = blocks.all
            #expect(b[0].count > 3 && (b[1].count > 3) == halves && rest.count == (halves ? 2 : 1))
            // In file order: the first half's blocks, the first rest, the second half's blocks, the last rest.
            let ordered = b[0] + [rest[0]] + b[1] + rest.dropFirst()
            #expect(ordered.map(\.rowCount).reduce(0, +) == whole.rowCount)
            var ids: [String] = []
            for t in ordered {
                guard case .text(let codes, let values)? = t.columns["series"] else { Issue.record("no id column"); return }
                #expect(codes.first == 0 && Set(codes).count == values.count)
                ids += values
            }
            #expect(ids == (0..<40).map { "s\($0)" }, "halves \(halves)")
        }
    }

    @Test func halvesLoadLikeAWholeFile() throws {
        // Several panels, so that the split falls inside a series, near its ends, or between two.
        for (series, seed) in [(40, 7), (41, 8), (43, 9), (12, 10), (3, 11)] {
            let file = tempCSV(Self.panel(series: series, seed: UInt64(seed)))
            let whole = try SeriesLoader.load(file, options: Self.options(), streamingFrom: .max, blockRows: 0)
            for rows in [1, 50, 10_000] {
                let halves = try SeriesLoader.loadStreaming(file, options: Self.options(), blockRows: rows, halvesFrom: 0, processors: 2)
                guard let halves else { Issue.record("grouped rows were not streamed (\(series) series, blocks of \(rows))"); continue }
                Self.same(halves, whole)
            }
        }
        // Ids shared by the halves besides the series at the split: read whole.
        let shared = tempCSV(Self.panel(interleaveAt: 100))
        #expect(try SeriesLoader.loadStreaming(shared, options: Self.options(), blockRows: 50, halvesFrom: 0, processors: 2) == nil)
        Self.same(try SeriesLoader.load(shared, options: Self.options(), streamingFrom: .max, blockRows: 0),
                  try SeriesLoader.load(shared, options: Self.options(), streamingFrom: 0, blockRows: 50))
    }

    @Test func streamedPanelLoadsLikeAWholeOne() throws {
        let file = tempCSV(Self.panel())
        let streamed = try SeriesLoader.loadStreaming(file, options: Self.options(), blockRows: 50)
        let whole = try SeriesLoader.load(file, options: Self.options(), streamingFrom: .max, blockRows: 0)
        #expect(whole.series.count == 38 && whole.leftOut.count == 2)
        #expect(whole.report.contains { $0.contains("rows were not in time order") })
        #expect(whole.report.contains { $0.contains("filled by linear interpolation") })
        guard let streamed else { Issue.record("grouped rows were not streamed"); return }
        Self.same(streamed, whole)
    }

    @Test func interleavedRowsAreReadWhole() throws {
        // An id that comes back after others, early (before any block) or late (after blocks).
        for swap in [3, 900] {
            let file = tempCSV(Self.panel(interleaveAt: swap))
            let whole = try SeriesLoader.load(file, options: Self.options(), streamingFrom: .max, blockRows: 0)
            let viaStream = try SeriesLoader.load(file, options: Self.options(), streamingFrom: 0, blockRows: 50)
            Self.same(viaStream, whole)
        }
        #expect(try SeriesLoader.loadStreaming(tempCSV(Self.panel(interleaveAt: 900)), options: Self.options(), blockRows: 50) == nil)
    }

    @Test func errorsAreTheSame() throws {
        let text = Self.panel()
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[700] = lines[699]                       // a duplicate timestamp late in the file
        var bad = lines
        bad[820] = "s39,2024-01-01T00:00,x,1"         // and, later still, a value that is not a number
        var strict = Self.options()
        strict.skipsUnusableSeries = false             // the series of one row is an error
        for (text, options) in [(lines.joined(separator: "\n"), Self.options()), (bad.joined(separator: "\n"), Self.options()),
                                (text, strict)] {
            let file = tempCSV(text)
            let a = Result { try SeriesLoader.load(file, options: options, streamingFrom: 0, blockRows: 50) }
            let b = Result { try SeriesLoader.load(file, options: options, streamingFrom: .max, blockRows: 0) }
            let c = Result { try SeriesLoader.loadStreaming(file, options: options, blockRows: 50, halvesFrom: 0, processors: 2) }
            guard case .failure(let ea as ForecastError) = a, case .failure(let eb as ForecastError) = b,
                  case .failure(let ec as ForecastError) = c else {
                Issue.record("expected errors, got \(a), \(b) and \(c)")
                continue
            }
            #expect(ea.description == eb.description)
            #expect(ec.description == eb.description)
        }
    }
}

private extension String {
    init(format2 n: Int) { self = n < 10 ? "0\(n)" : "\(n)" }
}
