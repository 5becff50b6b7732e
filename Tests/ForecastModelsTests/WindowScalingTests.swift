import Foundation
import Testing
@testable import ForecastModels
import ForecastData
import ForecastNN

/// Per-window scaling (instance normalisation): inputs and targets in units of the window's own
/// scale, outputs multiplied back, and models without it unchanged.
@Suite struct WindowScalingTests {
    private func encoding(lookback: Int, scaled: Bool) -> WindowEncoding {
        WindowEncoding(lookback: lookback, horizon: 2, features: 1, futureSize: 0, baseline: .naive, scaled: scaled)
    }

    @Test func windowScaleIsTheLookbacksStandardDeviationWithAFloor() {
        let alternating: [Float] = [0, 2, 0, 2, 0, 2, 9, 9]   // lookback 6, then the future
        let flat: [Float] = [5, 5, 5, 5, 5, 5, 9, 9]
        alternating.withUnsafeBufferPointer { v in
            #expect(encoding(lookback: 6, scaled: true).windowScale(values: v.baseAddress!, start: 0) == 1)
            #expect(encoding(lookback: 6, scaled: false).windowScale(values: v.baseAddress!, start: 0) == 1)
            #expect(encoding(lookback: 4, scaled: true).windowScale(values: v.baseAddress!, start: 2) == 1)
        }
        flat.withUnsafeBufferPointer { v in
            let s = encoding(lookback: 6, scaled: true).windowScale(values: v.baseAddress!, start: 0)
            #expect(s == Float(WindowEncoding.minimumWindowScale))
        }
    }

    /// What `gather` gives the network is undone exactly by what `predict` does with its output:
    /// target × scale + baseline is the future in the series' scaled units, and the inputs are
    /// the lookback relative to its last value, over the same scale.
    @Test func targetsTimesTheScalePlusTheBaselineAreTheFuture() {
        var g = TestNoise(state: 11)
        let n = 120
        var values: [Double] = []
        for i in 0..<n {
            let t = Double(i)
            let swing: Double = 1 + 0.5 * sin(t / 3)
            values.append(100 + t * swing + 5 * g.normal())
        }
        let series = TimeSeries(target: values)
        var config = ForecasterConfig(horizon: 4)
        config.lookback = 12
        let features = SeriesFeatures(series, fitOn: n, kind: .standard, period: 1,
                                      calendar: CalendarFeatures(frequency: .steps(1), periods: [], enabled: false, length: n),
                                      futureColumns: 0)
        let enc = WindowEncoding(lookback: 12, horizon: 4, features: 1, futureSize: 0, baseline: .naive, scaled: true)
        let trainer = Trainer(network: makeNetwork(NetworkConfig(inputSize: 1, horizon: 4, hiddenSize: 4), seed: 1),
                              series: [features], encoding: enc, config: config, maxSteps: 1)
        let windows = [Window(series: 0, start: 0), Window(series: 0, start: 50), Window(series: 0, start: 100)]
        let B = windows.count
        var x = [Float](repeating: 0, count: 12 * B), y = [Float](repeating: 0, count: 4 * B), scales = [Float](repeating: 0, count: B)
        x.withUnsafeMutableBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                scales.withUnsafeMutableBufferPointer { sp in
                    let none: UnsafeMutablePointer<Float>? = nil
                    trainer.gather(windows, x: xp.baseAddress!, f: none, y: yp.baseAddress!, scales: sp.baseAddress!)
                }
            }
        }
        let scaled = features.values
        for (b, w) in windows.enumerated() {
            let window: [Float] = Array(scaled[w.start..<(w.start + 16)])
            let mean: Float = window.prefix(12).reduce(0, +) / 12
            var squares: Float = 0
            for v in window.prefix(12) { squares += (v - mean) * (v - mean) }
            let sd: Float = (squares / 12).squareRoot()
            let s: Float = scales[b]
            #expect(abs(s - max(sd, 0.1)) < 1e-5 * s)
            for t in 0..<12 {
                let back: Float = x[t * B + b] * s + window[11]
                #expect(abs(back - window[t]) < 1e-4)
            }
            for h in 0..<4 {
                let back: Float = y[h * B + b] * s + window[11]
                #expect(abs(back - window[12 + h]) < 1e-4)
            }
        }
        // The windows differ in scale (the series' swings grow), so the scaling is not a constant.
        #expect(Set(scales).count == B)
    }

    /// Asked for, `fit` records it; the flag survives the model file, and a configuration without
    /// it (the default, and files of format 3 and earlier) reads as off.
    @Test func fitRecordsWindowScaling() throws {
        var g = TestNoise(state: 5)
        var values: [Double] = []
        for i in 0..<160 { values.append(10 + Double(i) / 10 + sin(Double(i) / 2) + 0.2 * g.normal()) }
        var config = ForecasterConfig(horizon: 4)
        config.maxSteps = 20
        config.ensembleSize = 2
        config.combine = .network
        let plain = try Forecaster.fit([TimeSeries(target: values)], config: config)
        #expect(plain.config.windowScaling == nil && !plain.encoding(lookback: plain.lookback).scaled)
        config.windowScaling = true
        let f = try Forecaster.fit([TimeSeries(target: values)], config: config)
        #expect(f.config.windowScaling == true && f.encoding(lookback: f.lookback).scaled)
        #expect(try f.predict(horizon: 4)[0].values != (try plain.predict(horizon: 4)[0].values))
        let back = try ModelFile.decode(try ModelFile.encode(f), path: "memory")
        #expect(back.config.windowScaling == true)
        #expect(try back.predict(horizon: 4)[0].values == (try f.predict(horizon: 4)[0].values))
        var object = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(f.config)) as! [String: Any]
        object["windowScaling"] = nil
        let older = try JSONDecoder().decode(ForecasterConfig.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(older.windowScaling == nil)
    }
}
