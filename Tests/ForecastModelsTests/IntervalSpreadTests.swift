import Foundation
import Testing
@testable import ForecastModels
import ForecastData

/// Intervals use the members' spread together with the conformal residuals (issue 17): the
/// network's part of a forecast widens its interval where the ensemble's members disagree.
@Suite struct IntervalSpreadTests {
    /// Two members: the half-width is the conformal one and z × (the members' distance apart) in
    /// quadrature, step by step; a one-member model (no disagreement) keeps the conformal one.
    @Test func intervalsWidenWhereTheMembersDisagree() throws {
        var c = ForecasterConfig(horizon: 12)
        c.maxSteps = 30; c.ensembleSize = 2; c.combine = .network; c.scaledMembers = false
        let f = try fit([airline()], c)
        let levels = [0.8, 0.95]
        let both = try f.predict(horizon: 12, intervals: levels)[0]
        let alone = try f.members.map { m in
            try Forecaster(config: f.config, members: [m], targetName: f.targetName, covariateNames: f.covariateNames,
                           timeColumn: f.timeColumn, idColumn: f.idColumn, series: f.series, residuals: f.residuals,
                           summary: f.summary).predict(horizon: 12, intervals: levels)[0]
        }
        var widened = 0
        for (l, level) in levels.enumerated() {
            let z = Forecaster.spreadQuantile(level: level)
            for h in 0..<12 {
                // One member: the conformal half-width of the ensemble's residuals, the same for both.
                let conformal = alone[0].intervals[l].upper[h] - alone[0].values[h]
                #expect(abs(alone[1].intervals[l].upper[h] - alone[1].values[h] - conformal) <= 1e-9 * conformal)
                let apart = abs(alone[0].values[h] - alone[1].values[h])
                let expected = (conformal * conformal + z * apart * z * apart).squareRoot()
                let got = both.intervals[l].upper[h] - both.values[h]
                #expect(abs(got - expected) <= 1e-5 * expected, "step \(h), level \(level): \(got) against \(expected)")
                #expect(got >= conformal * (1 - 1e-12))
                if got > conformal * (1 + 1e-6) { widened += 1 }
            }
        }
        #expect(widened > 0, "the members should disagree somewhere")
    }

    @Test func spreadIsTheMembersStandardDeviation() {
        #expect(Forecaster.memberSpread([3]) == 0)
        #expect(abs(Forecaster.memberSpread([1, 3]) - Float(2).squareRoot()) < 1e-6)
        #expect(abs(Forecaster.memberSpread([1, 2, 3]) - 1) < 1e-6)
        #expect(Forecaster.memberSpread([1, .nan]).isNaN)
        #expect(abs(Forecaster.spreadQuantile(level: 0.8) - 1.2815516) < 1e-6)
        #expect(abs(Forecaster.spreadQuantile(level: 0.95) - 1.9599640) < 1e-6)
    }

    /// No network part (a statistical model alone) or no disagreement (one member) leaves the
    /// conformal half-width exactly as it was; a share of the network scales the spread's term.
    @Test func onlyTheNetworksPartWidens() {
        let z = Forecaster.spreadQuantile(level: 0.8)
        for width in [0.1, 3.7, 1e6] {
            #expect(Forecaster.widened(width, spread: 5, networkShare: 0, z: z) == width)
            #expect(Forecaster.widened(width, spread: 0, networkShare: 1, z: z) == width)
        }
        let full = Forecaster.widened(3, spread: 2, networkShare: 1, z: z)
        let d = z * 2.0.squareRoot() * 2
        #expect(abs(full - (9 + d * d).squareRoot()) < 1e-12)
        let half = Forecaster.widened(3, spread: 2, networkShare: 0.5, z: z)
        #expect(abs(half - (9 + d * d / 4).squareRoot()) < 1e-12)
        #expect(Forecaster.widened(3, spread: .nan, networkShare: 1, z: z).isNaN)   // a NaN member is not hidden
    }
}
