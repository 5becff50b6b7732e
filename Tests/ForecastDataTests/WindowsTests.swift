import Testing
@testable import ForecastData

@Suite struct WindowsTests {
    @Test func countsAndEdges() {
        let w = Windows(spec: WindowSpec(lookback: 24, horizon: 12), seriesLengths: [144])
        #expect(w.count == 109)
        #expect(w.first == Window(series: 0, start: 0))
        #expect(w.last == Window(series: 0, start: 108))
    }

    @Test func exactlyOneWindowAndTooShort() {
        #expect(Windows(spec: WindowSpec(lookback: 3, horizon: 2), seriesLengths: [5]).count == 1)
        #expect(Windows(spec: WindowSpec(lookback: 3, horizon: 2), seriesLengths: [4]).isEmpty)
    }

    @Test func strideAlignsOnTheEnd() {
        let w = Windows(spec: WindowSpec(lookback: 2, horizon: 1, stride: 3), seriesLengths: [10])
        #expect(w.map(\.start) == [1, 4, 7])   // the last window ends at the last point
    }

    @Test func panelsConcatenateAndSkipShortSeries() {
        let w = Windows(spec: WindowSpec(lookback: 2, horizon: 1), seriesLengths: [4, 2, 5])
        #expect(Array(w) == [Window(series: 0, start: 0), Window(series: 0, start: 1),
                             Window(series: 2, start: 0), Window(series: 2, start: 1), Window(series: 2, start: 2)])
        #expect(w.countsPerSeries == [2, 0, 3])
    }

    @Test func targetEndRangesSplitWithoutLookAhead() {
        let spec = WindowSpec(lookback: 3, horizon: 2)
        let train = Windows(spec: spec, targetEnds: [0..<9])
        let validation = Windows(spec: spec, targetEnds: [9..<11])
        #expect(train.map { $0.start + spec.span }.max() == 8)
        #expect(validation.map { $0.start + spec.span } == [9, 10])
        #expect(Windows(spec: spec, targetEnds: [11..<11]).isEmpty)
    }
}

@Suite struct ScalerTests {
    @Test(arguments: ScalerKind.allCases)
    func roundTrip(kind: ScalerKind) {
        let values: [Double] = [3, -1.5, 7.25, 1e6, 0.001]
        let s = Scaler(fitting: values, kind: kind)
        for (a, b) in zip(s.inverse(s.transform(values)), values) {
            #expect(abs(a - b) <= 1e-15 * 1e6 * 8, "rounding relative to the largest value")
        }
    }

    @Test func fittedOnTheGivenPartOnly() {
        let s = Scaler(fitting: [1.0, 2, 3], kind: .standard)
        #expect(s.offset == 2)
        #expect(abs(s.scale - (2.0 / 3).squareRoot()) < 1e-15)
        let m = Scaler(fitting: [2.0, 4, 6], kind: .minmax)
        #expect(m.transform(4) == 0.5)
    }

    @Test func constantSeriesDoesNotDivideByZero() {
        let s = Scaler(fitting: [5.0, 5, 5], kind: .standard)
        #expect(s.scale == 1 && s.transform(5) == 0)
        #expect(Scaler(fitting: [5.0, 5], kind: .minmax).scale == 1)
    }
}
