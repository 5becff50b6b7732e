import Foundation
import Testing
@testable import ForecastModels
import ForecastData
import ForecastNN

/// Point values and every interval bound, bit for bit, with ids and flags.
private func bits(_ forecasts: [Forecast]) -> [[UInt64]] {
    forecasts.flatMap { f in
        [f.values.map(\.bitPattern), f.timestamps.map { UInt64(bitPattern: $0) }, [f.isNewSeries ? 1 : 0, f.recursive ? 1 : 0]]
            + f.intervals.flatMap { [$0.lower.map(\.bitPattern), $0.upper.map(\.bitPattern)] }
    }
}

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// Issue 16's predict target: model files of format 3 (binary blocks), the network over chunks of
/// series on several threads, and capped calibration residuals, none of which may change a forecast.
@Suite struct FastPredictTests {
    /// A 12-series hourly panel model written by forecast 0.2.0 (format 2: lstm, hidden 8, an
    /// ensemble of 2 with lookbacks 48 and 72, calendar features, `--combine auto`), and its
    /// forecasts by that version (`predict --horizon 9 --intervals 80,95 --format json`, with
    /// `--method network` for the second file, as CSV of id, step, value and bounds): steps 7-9 are
    /// recursive.
    static func fixtureForecasts(_ name: String) throws -> [(id: String, values: [Double], bands: [[Double]])] {
        // Written from that version's JSON by Python (exact shortest digits; Foundation's JSON
        // parser on Linux is not correctly rounded), read with Double(_:), which is.
        let text = try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
        var out: [(id: String, values: [Double], bands: [[Double]])] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",").map(String.init)
            if out.last?.id != f[0] { out.append((f[0], [], [[], [], [], []])) }
            out[out.count - 1].values.append(Double(f[2])!)
            for k in 0..<4 { out[out.count - 1].bands[k].append(Double(f[3 + k])!) }
        }
        return out
    }

    /// `got` has `expected`'s ids and values bit for bit, and intervals that are the old ones
    /// (their distance from the value times `widened`: the conformal half-width) widened where the
    /// ensemble's members disagree (`Forecaster.widened`, since session 27): the 80% and 95%
    /// half-widths are c80 and c95 with z80·s and z95·s added in quadrature, for one s ≥ 0 per
    /// series and step, which must be 0 where no network takes part (`unwidened` ids). Lower bounds
    /// are floored at 0 (the fixture's series are positive). Returns s² per series id and step.
    @discardableResult
    static func expectSame(_ got: [Forecast], _ expected: [(id: String, values: [Double], bands: [[Double]])], _ what: String,
                           widened: Double = 1, unwidened: Set<String> = []) -> [String: [Double]] {
        #expect(got.count == expected.count, "\(what)")
        let z80 = Forecaster.spreadQuantile(level: 0.8), z95 = Forecaster.spreadQuantile(level: 0.95)
        var spreads: [String: [Double]] = [:]
        for (g, e) in zip(got, expected) {
            #expect(g.id == e.id)
            #expect(g.values.map(\.bitPattern) == e.values.map(\.bitPattern), "\(what) \(e.id): \(g.values) vs \(e.values)")
            for h in e.values.indices {
                let v = e.values[h]
                let c80 = widened * (e.bands[1][h] - v), c95 = widened * (e.bands[3][h] - v)
                let n80 = g.intervals[0].upper[h] - v, n95 = g.intervals[1].upper[h] - v
                let s2 = max(0, (n80 * n80 - c80 * c80) / (z80 * z80))
                let where_ = "\(what) \(e.id) step \(h)"
                #expect(n80 >= c80 * (1 - 1e-12), "\(where_): 80% half-width \(n80) below the conformal \(c80)")
                #expect(abs(n95 - (c95 * c95 + z95 * z95 * s2).squareRoot()) <= 1e-9 * max(1, n95), "\(where_): 95% half-width \(n95)")
                if unwidened.contains(e.id) {
                    #expect(abs(n80 - c80) <= 1e-12 * max(1, c80) && abs(n95 - c95) <= 1e-12 * max(1, c95), "\(where_) has no network part")
                }
                spreads[e.id, default: []].append(s2)
                for (lower, n) in [(g.intervals[0].lower[h], n80), (g.intervals[1].lower[h], n95)] {
                    #expect(abs(lower - (v - n)) <= 1e-9 * max(1, abs(v)) || (v - n < 0 && lower == 0), "\(where_): lower \(lower)")
                }
            }
        }
        return spreads
    }

    @Test func formatTwoFixtureForecastsAsTheOldCodeDidAndRoundTripsThroughTheCurrentFormat() throws {
        let old = try ModelFile.read(fixtures.appendingPathComponent("panel-format2.fcm").path)
        let bytes = try ModelFile.encode(old)
        #expect(ModelFile.readU32(bytes, 8) == ModelFile.formatVersion)
        let new = try ModelFile.decode(bytes, path: "memory")
        #expect(new.series == old.series && new.residuals == old.residuals)
        let combination = try Self.fixtureForecasts("panel-format2-combination.csv")
        let network = try Self.fixtureForecasts("panel-format2-network.csv")
        for (model, name) in [(old, "format 2"), (new, "format 3")] {
            for threads in [1, 2] {
                // The combination's intervals are widened by `selectionInflation` since session 19,
                // and where the members disagree since session 27: not where a statistical model
                // forecasts alone.
                let alone = Set(model.series.filter { $0.statWeight == nil && $0.choice.flatMap(Baseline.init(rawValue:)) != nil }.compactMap(\.id))
                #expect(!alone.isEmpty && alone.count < model.series.count)
                let a = Self.expectSame(try model.predict(horizon: 9, intervals: [0.8, 0.95], threads: threads), combination, "\(name), \(threads) threads",
                                        widened: Forecaster.selectionInflation, unwidened: alone)
                let b = Self.expectSame(try model.predict(horizon: 9, intervals: [0.8, 0.95], source: .network, threads: threads), network,
                                        "\(name) network, \(threads) threads")
                // The members' spread is the network's whatever the source; the combination takes
                // the network's share of it: (1 − w)² of the network's s², all of it where the
                // network forecasts alone, none where a statistical model does.
                var blends = 0
                for st in model.series {
                    let id = try #require(st.id), sa = try #require(a[id]), sb = try #require(b[id])
                    #expect(sb.contains { $0 > 0 }, "\(id): the members should disagree")
                    let share = alone.contains(id) ? 0 : 1 - (st.statWeight ?? 0)
                    if let w = st.statWeight, w > 0 && w < 1 { blends += 1 }
                    for (x, y) in zip(sa, sb) {
                        #expect(abs(x - share * share * y) <= 1e-6 * y + 1e-9, "\(name) \(id): s² \(x) with the combination, \(y) alone, share \(share)")
                    }
                }
                #expect(blends > 0, "the fixture should hold blended series")
            }
        }
        // Format 3 is smaller (no tail times, binary numbers).
        let two = try ModelFile.encodeFormat2(old)
        #expect(bytes.count < two.count)
        #expect(try ModelFile.decode(two, path: "m").series == old.series)
    }

    @Test(arguments: [CellKind.lstm, .gru])
    func forecastsDoNotDependOnThreadsOrChunks(cell: CellKind) throws {
        var c = ForecasterConfig(horizon: 5)
        c.maxSteps = 6; c.ensembleSize = 2; c.encoder = cell; c.decoder = cell; c.seasonalPeriods = [12]
        c.combine = .network
        let series = (0..<11).map { k in
            let n = 80 + 3 * k
            return TimeSeries(id: "s\(k)", target: (0..<n).map { t in
                let x = Double(t)
                return 20 + Double(k) + 0.1 * x + (3 + Double(k % 4)) * sin(2 * .pi * x / 12 + Double(k)) + cos(x * 0.37 * Double(k + 1))
            })
        }
        let model = try fit(series, c)
        let history = series.map { TimeSeries(id: $0.id, target: Array($0.target.dropLast(4))) }
        for h in [history, nil] as [[TimeSeries]?] {
            let reference = try bits(model.predict(horizon: 12, history: h, future: nil, intervals: [0.8], source: .combination,
                                                   threads: 1, chunkSize: series.count, shouldStop: nil))
            for (threads, chunk) in [(1, 1), (2, 1), (2, 3), (2, 4), (3, 5), (2, nil), (8, 2)] as [(Int, Int?)] {
                let got = try bits(model.predict(horizon: 12, history: h, future: nil, intervals: [0.8], source: .combination,
                                                 threads: threads, chunkSize: chunk, shouldStop: nil))
                #expect(got == reference, "threads \(threads), chunk \(chunk.map(String.init) ?? "default"), history \(h != nil)")
            }
        }
    }

    /// A series that a statistical model forecasts alone gets that model's stored forecast without
    /// the network: with every output weight NaN, those series still get finite forecasts, bit for
    /// bit what they got before, while the series that use the network get NaN.
    @Test func seriesForecastByAStatisticalModelAloneSkipTheNetwork() throws {
        var c = ForecasterConfig(horizon: 6)
        c.maxSteps = 5; c.lookback = 12; c.ensembleSize = 1; c.seasonalPeriods = [12]
        var g = TestNoise(state: 3)
        // Seasonal noise: a statistical model wins on the even series.
        let series = (0..<8).map { k in
            TimeSeries(id: "s\(k)", target: (0..<120).map { t in
                let x = Double(t)
                return k % 2 == 0 ? 50 + 10 * sin(2 * .pi * x / 12) + 3 * g.normal()
                    : 50 + 10 * sin(2 * .pi * x / 12) + 5 * sin(x * 0.05 * Double(k))
            })
        }
        let fitted = try fit(series, c)
        // Odd series forecast by the network, whatever the combination chose.
        let model = fitted.with(series: fitted.series.enumerated().map { k, s in
            var s = s
            if k % 2 == 1 { s.choice = nil; s.statWeight = nil }
            return s
        })
        let alone = model.series.indices.filter {
            model.series[$0].statWeight == nil && model.series[$0].choice.flatMap(Baseline.init(rawValue:)) != nil
        }
        #expect(!alone.isEmpty && alone.count < series.count, "\(model.series.map(\.chosenName))")
        let before = try model.predict(horizon: 6, intervals: [0.8])
        for i in alone {
            #expect(before[i].values == Array(model.series[i].statForecast!.prefix(6)))
        }
        let last = model.network.parameters.last!
        for i in 0..<last.count { last.value[i] = .nan }
        let after = try model.predict(horizon: 6, intervals: [0.8])
        for i in series.indices {
            if alone.contains(i) {
                let same = bits([after[i]]) == bits([before[i]])
                #expect(same, "series \(i)")
            } else {
                let nan = after[i].values.allSatisfy { $0.isNaN }
                #expect(nan, "series \(i): \(model.series[i].chosenName)")
            }
        }
    }

    @Test func formatThreeStoresIrregularTimesAndChecksItsBlocks() throws {
        var c = ForecasterConfig(horizon: 3)
        c.maxSteps = 3; c.seasonalPeriods = [4]
        let y = (0..<40).map { 10 + sin(Double($0)) }
        let model = try fit([TimeSeries(target: y)], c)
        // Times that do not follow from the first one (an edited tail) are stored, not derived.
        var s = model.series[0]
        s.tailTimes = TimeGrid(s.tailTimes.enumerated().map { $1 + ($0 > 3 ? 1 : 0) }, frequency: s.frequency)
        let irregular = model.with(series: [s])
        let back = try ModelFile.decode(try ModelFile.encode(irregular), path: "m")
        #expect(back.series[0].tailTimes == s.tailTimes)
        #expect(try ModelFile.decode(try ModelFile.encode(model), path: "m").series == model.series)

        // The blocks' counts in the header are checked against the bytes there are.
        let bytes = try ModelFile.encode(model)
        // The file written piece by piece holds exactly these bytes (checksum included).
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pieces-\(UUID().uuidString).fcm").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ModelFile.write(model, to: path)
        #expect(FileManager.default.contents(atPath: path).map { [UInt8]($0) } == bytes)
        // The same with the blocks handed to the file in many small pieces.
        try ModelFile.write(model, to: path, flushAbove: 16)
        #expect(FileManager.default.contents(atPath: path).map { [UInt8]($0) } == bytes)
        // A header whose series' entries are encoded a few at a time and spliced in is the same.
        var other = model.series[0]
        other.id = "b\"series\":[]"   // the splice's marker, inside a string
        let many = model.with(series: [model.series[0], other, model.series[0], other, other])
        for perPiece in [1, 2, 4, 5, 256] {
            try ModelFile.write(many, to: path, seriesPerPiece: perPiece)
            #expect(FileManager.default.contents(atPath: path).map { [UInt8]($0) } == (try ModelFile.encode(many)))
        }
        #expect(CRC32.finish(CRC32.update(CRC32.update(CRC32.start, Array(bytes[..<1000])), Array(bytes[1000...])))
                == CRC32.checksum(bytes))
        func edited(_ change: (inout [String: Any]) -> Void) -> [UInt8] {
            let n = Int(ModelFile.readU32(bytes, 12))
            var header = try! JSONSerialization.jsonObject(with: Data(bytes[16..<(16 + n)])) as! [String: Any]
            change(&header)
            let json = [UInt8](try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
            var out = ModelFile.magic
            ModelFile.append(&out, 3)
            ModelFile.append(&out, UInt32(json.count))
            out += json + bytes[(16 + n)..<(bytes.count - 4)]
            ModelFile.append(&out, CRC32.checksum(out))
            return out
        }
        func message(_ b: [UInt8]) -> String {
            do { _ = try ModelFile.decode(b, path: "m.fcm"); return "read" } catch let e as ForecastError { return e.message } catch { return "\(error)" }
        }
        func series0(_ key: String, _ value: Any) -> [UInt8] {
            edited { h in
                var all = h["series"] as! [[String: Any]]
                all[0][key] = value
                h["series"] = all
            }
        }
        #expect(message(edited { _ in }) == "read")
        #expect(message(series0("tail", 1 << 40)).contains("'series[0].tail'"))
        #expect(message(series0("tail", -1)).contains("'series[0].tail'"))
        #expect(message(series0("tail", 0)).contains("'config.lookback'"))
        #expect(message(series0("tailStart", Int64.max - 5)).contains("'series[0].tailStart'"))
        #expect(message(series0("calibrationCount", 1 << 50)).contains("'series[0].calibrationCount'"))
        #expect(message(series0("statForecastCount", 3)).contains("weights"))   // the blocks no longer fit the file
        #expect(message(edited { $0["residualCounts"] = [1] }).contains("'residualCounts'"))
        #expect(message(edited { $0["residualCounts"] = [-1, 0, 0] }).contains("'residualCounts[0]'"))
        // A residual list edited in the blocks: the same check as format 2's.
        var unsorted = bytes
        let counts = model.residuals.map(\.count)
        let first = bytes.count - 4 - 4 * counts.reduce(0, +)
        #expect(counts[0] >= 2 && model.residuals[0][0] < model.residuals[0][1])
        for i in 0..<4 { unsorted.swapAt(first + i, first + 4 + i) }
        unsorted = Array(unsorted.dropLast(4))
        ModelFile.append(&unsorted, CRC32.checksum(unsorted))
        #expect(message(unsorted).contains("'residuals[0]'"))
    }

    @Test func cappedResidualsKeepTheQuantiles() {
        var rng = SystemRandomNumberGenerator()
        for n in [10, 4096, 4097, 5000, 20_000, 123_457] {
            let sorted = (0..<n).map { _ in Float.random(in: 0..<100, using: &rng) }.sorted()
            let kept = Forecaster.capped(sorted)
            #expect(kept.count == min(n, Forecaster.residualCap))
            if n <= Forecaster.residualCap { #expect(kept == sorted); continue }
            #expect(kept.first == sorted.first && kept.last == sorted.last)
            #expect(zip(kept, kept.dropFirst()).allSatisfy { $0 <= $1 })
            let m = kept.count
            for level in [0.01, 0.1, 0.5, 0.8, 0.9, 0.95, 0.99, 0.999] {
                let q = Forecaster.conformalQuantile(kept.map(Double.init), level: level)
                // The kept quantile is the full list's order statistic within 2n/(m-1) + 2 ranks
                // of the exact one: a level within 2/(m-1) + 2/n.
                let exact = min(n, Int((Double(n + 1) * level).rounded(.up))) - 1
                let slack = 2 * n / (m - 1) + 2
                let lo = Double(sorted[max(0, exact - slack)]), hi = Double(sorted[min(n - 1, exact + slack)])
                #expect(q >= lo && q <= hi, "n \(n) level \(level)")
            }
        }
    }

    @Test func crcSlicingMatchesTheBytewiseDefinition() {
        func bytewise(_ b: [UInt8]) -> UInt32 {
            var c: UInt32 = 0xFFFFFFFF
            for x in b { c = CRC32.table[Int((c ^ UInt32(x)) & 0xFF)] ^ (c >> 8) }
            return c ^ 0xFFFFFFFF
        }
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF43926)
        var rng = SystemRandomNumberGenerator()
        for n in [0, 1, 7, 8, 9, 15, 16, 17, 1000, 4099] {
            let b = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(CRC32.checksum(b) == bytewise(b))
            #expect(CRC32.checksum(b[...]) == bytewise(b))
        }
    }
}
