import Foundation
import Testing
@testable import ForecastModels
import ForecastData
import ForecastNN

/// Training that produces NaN stops with a `TrainingError` naming the epoch, instead of going on
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
        let error = #expect(throws: TrainingError.self) {
            _ = try Forecaster.fit([Self.seriesWithHugeCovariates()], config: c, warnings: &warnings)
        }
        #expect(error?.epoch == 1)
        #expect(error.map { String(describing: $0).contains("in epoch 1, batch") } == true, "\(String(describing: error))")
    }
}
