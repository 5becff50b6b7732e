import Foundation
import Testing
@testable import ForecastModels
import ForecastData
import ForecastNN

/// Training that produces NaN stops with a `training` `ForecastError` naming the epoch, instead of going on
/// with a network whose saturated gates hid the NaN.
@Suite struct DivergenceTests {
    /// Two past covariates, small on the training part and 3e38 (finite, inside the CSV reader's
    /// Float range) at one step of the validation part. Scaled by the training part's spread they
    /// are +inf as Float, so at that step the encoder's pre-activations hold inf·w + inf·w', which
    /// is NaN wherever the two weights differ in sign. The step is an input of validation windows
    /// only (training windows end before it, and the scalers are fitted on the training part), so
    /// the validation loss after the first epoch is the first place the NaN shows.
    static func seriesWithHugeCovariates() -> TimeSeries {
        let n = 200
        let target = (0..<n).map { 10 + sin(Double($0) * 0.3) }
        var a = (0..<n).map { 0.01 * sin(Double($0)) }, b = (0..<n).map { 0.01 * cos(Double($0) * 0.7) }
        a[185] = 3e38; b[185] = 3e38
        return TimeSeries(timeFormat: .index, frequency: .steps(1), targetName: "y", target: target,
                          covariateNames: ["a", "b"], covariates: [a, b])
    }

    @Test(arguments: [CellKind.lstm, .gru])
    func nanInTheNetworkStopsTrainingNamingTheEpoch(cell: CellKind) throws {
        var c = ForecasterConfig(horizon: 4)
        c.lookback = 8; c.epochs = 3; c.ensembleSize = 1; c.combine = .network; c.baseline = .naive
        c.encoder = cell; c.decoder = cell
        var warnings: [String] = []
        let error = #expect(throws: ForecastError.self) {
            _ = try Forecaster.fit([Self.seriesWithHugeCovariates()], config: c, warnings: &warnings)
        }
        #expect(error?.kind == .training)
        #expect(error.map { String(describing: $0).contains("in epoch 1, batch") } == true, "\(String(describing: error))")
    }

    /// A network that outputs NaN gives NaN forecasts and bounds, not the non-negative floor (0)
    /// or -inf, which `max(floor, NaN)` returned.
    @Test(arguments: [false, true])
    func nanNetworkOutputGivesNaNForecasts(nonNegative: Bool) throws {
        let s = TimeSeries(timeFormat: .index, frequency: .steps(1), targetName: "y",
                           target: (0..<120).map { (nonNegative ? 10 : -10) + sin(Double($0) * 0.3) })
        var c = ForecasterConfig(horizon: 4)
        c.lookback = 8; c.epochs = 1; c.ensembleSize = 1; c.combine = .network
        var warnings: [String] = []
        let f = try Forecaster.fit([s], config: c, warnings: &warnings)
        let last = f.network.parameters.last!
        for i in 0..<last.count { last.value[i] = .nan }
        let fc = try f.predict(horizon: 6, intervals: [0.8, 0.95])[0]   // direct, then fed back
        #expect(fc.values.count == 6 && fc.values.allSatisfy { $0.isNaN }, "\(fc.values)")
        #expect(fc.intervals.count == 2)
        for band in fc.intervals {
            #expect(band.lower.allSatisfy { $0.isNaN } && band.upper.allSatisfy { $0.isNaN }, "\(band.level): \(band.lower) \(band.upper)")
        }
    }

    /// The ensemble's median is NaN when a member's output is, whatever the order (sorting does not
    /// order NaN, so the median used to pick a finite neighbour for some orders).
    @Test func ensembleMedianKeepsNaN() {
        for order in [[Float.nan, 1, 2], [.nan, 2, 1], [1, .nan, 2], [2, .nan, 1], [1, 2, .nan], [2, 1, .nan], [3, .nan, 1, 2]] {
            var v = order
            #expect(median(&v).isNaN, "\(order)")
        }
        var v: [Float] = [3, 1, 2]
        #expect(median(&v) == 2)
        v = [4, 1, 3, 2]
        #expect(median(&v) == 2.5)
    }
}
