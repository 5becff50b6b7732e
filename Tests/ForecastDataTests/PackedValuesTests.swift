import Testing
@testable import ForecastData

/// Packed values come back bit for bit, whatever the series holds, in half the memory when they
/// were read from text with a few decimals.
@Suite struct PackedValuesTests {   // SplitMix: SeasonalityTests
    /// Values as the CSV parser gives them: decimals with `digits` places, parsed from text.
    private func parsed(_ n: Int, digits: Int, seed: UInt64) -> [Double] {
        var g = SplitMix(seed: seed)
        return (0..<n).map { _ in
            let whole = Int(g.next() % 20_000) - 2_000
            let frac = digits == 0 ? "" : "." + String(String(g.next() % 1_000_000_000).suffix(digits)).padding(toLength: digits, withPad: "0", startingAt: 0)
            return Double("\(whole)\(frac)")!
        }
    }

    private func same(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
    }

    @Test(arguments: [0, 1, 3, 5])
    func decimalsReadFromTextPackBitForBit(digits: Int) {
        let v = parsed(5_000, digits: digits, seed: UInt64(digits) + 1)
        let p = PackedValues(v)
        #expect(p.isPacked)
        #expect(p.byteCount <= v.count * 4 + 64)
        #expect(same(p.doubles, v))
        #expect(same((0..<v.count).map { p[$0] }, v))
    }

    @Test func valuesThatDoNotFitAreKeptAsideExactly() {
        var v = parsed(2_000, digits: 3, seed: 7)
        // Interpolated points, NaN, -0.0, infinities, a huge value and one with many digits.
        for i in stride(from: 5, to: v.count - 1, by: 37) { v[i] = (v[i - 1] + v[i + 1]) / 3 }
        v[0] = -0.0; v[1] = .nan; v[2] = .infinity; v[3] = -.infinity; v[4] = 1e300; v[v.count - 1] = 0.1 + 0.2
        let p = PackedValues(v)
        #expect(p.isPacked)
        #expect(same(p.doubles, v))
        #expect(same((0..<v.count).map { p[$0] }, v))
        for r in [0..<0, 0..<1, 3..<90, 40..<41, 1_000..<2_000, 0..<2_000] {
            #expect(same(p.values(r), Array(v[r])))
        }
        #expect(!p.allNonNegative)   // -0.0 is >= 0 but NaN and the negative values are not
    }

    @Test func seriesWithoutFewDecimalsStayDoubles() {
        var g = SplitMix(seed: 3)
        let v = (0..<1_000).map { _ in Double(g.next() % 1_000_000) / 7 }   // thirds and sevenths
        let p = PackedValues(v)
        #expect(!p.isPacked)
        #expect(same(p.doubles, v))
        let short = PackedValues([1, 2, 3])
        #expect(!short.isPacked && short.doubles == [1, 2, 3])
    }

    @Test func scaledWritesMatchTheScalerOnDoubles() {
        var v = parsed(600, digits: 2, seed: 11)
        for i in stride(from: 3, to: 600, by: 50) { v[i] = v[i] / 3 }
        let scaler = Scaler(fitting: v, kind: .standard)
        for p in [PackedValues(v), PackedValues(unpacked: v)] {
            var out = [Float](repeating: -1, count: 2 * 100)
            out.withUnsafeMutableBufferPointer { p.write(250, count: 100, scaledBy: scaler, to: $0.baseAddress!, stride: 2) }
            for i in 0..<100 {
                #expect(out[2 * i].bitPattern == Float(scaler.transform(v[250 + i])).bitPattern)
                #expect(out[2 * i + 1] == -1)
            }
        }
        #expect(PackedValues(v.map(abs)).allNonNegative)
    }

    @Test func aPackedSeriesSlicesAndUnpacksToTheSameValues() {
        let v = parsed(500, digits: 2, seed: 5)
        var s = TimeSeries(target: v)
        let original = s
        s.packTarget()
        #expect(s.target.isEmpty && s.packedTarget?.isPacked == true)
        #expect(s.count == 500)
        #expect(s.suffix(30).target == Array(v.suffix(30)) && s.suffix(30).packedTarget == nil)
        #expect(s.prefix(10).target == Array(v.prefix(10)))
        #expect(s.targetValues(100..<200) == Array(v[100..<200]))
        s.unpackTarget()
        #expect(s == original)
        s.packTarget()
        s.emptyTarget()
        #expect(s.count == 0)
    }
}

/// A panel loaded with its targets packed holds the same series, bit for bit, as loaded plainly.
@Suite struct PackedLoadTests {
    @Test func aPanelLoadedPackedHoldsTheSameValues() throws {
        let file = tempCSV(StreamingLoadTests.panel())
        var options = StreamingLoadTests.options()
        let plain = try SeriesLoader.load(file, options: options)
        options.packsTargets = true
        for packed in [try SeriesLoader.load(file, options: options),
                       try #require(try SeriesLoader.loadStreaming(file, options: options, blockRows: 64, halvesFrom: 0, processors: 2))] {
            #expect(packed.series.count == plain.series.count)
            #expect(packed.series.contains { $0.packedTarget?.isPacked == true })
            for (p, s) in zip(packed.series, plain.series) {
                #expect(p.target.isEmpty && p.count == s.count)
                #expect(p.targetValues(0..<p.count).map(\.bitPattern) == s.target.map(\.bitPattern))
                var back = p
                back.unpackTarget()
                #expect(back == s)
            }
            #expect(packed.report == plain.report)
        }
    }
}
