import Foundation
import Testing
@testable import ForecastModels
import ForecastData

/// A stop request (Ctrl-C, task cancellation) that arrives before training begins, while the
/// networks are built (seconds at 1024 hidden units), ends `fit` with `interrupted` and no model:
/// there are no trained weights to keep. One that arrives during training still returns the best
/// weights, and the cross-validation refits that follow, which see the stop before they train,
/// are left out rather than ending the fit.
@Suite struct StopBeforeTrainingTests {
    @Test func stopBeforeTrainingThrowsInterrupted() throws {
        var c = ForecasterConfig(horizon: 3); c.maxSteps = 5; c.ensembleSize = 2
        var warnings: [String] = []
        let series = try airline()
        #expect {
            _ = try Forecaster.fit([series], config: c, hooks: TrainingHooks(shouldStop: { true }), warnings: &warnings)
        } throws: { ($0 as? ForecastError)?.kind == .interrupted }
    }

    /// The stop is asked after the first evaluation round of the first member (of two, trained
    /// one after the other): both stop after a batch. With a horizon of 12 the held-out 14 points
    /// cover one combination origin of four, so three refits follow, and they see the stop before
    /// they train. Checked against: the refits not catching `interrupted` (the whole fit then
    /// threw it, and the command line saved nothing).
    @Test func stopDuringTrainingKeepsTheModel() throws {
        let stop = CancellationFlag()
        let hooks = TrainingHooks(onEpoch: { _ in stop.set() }, shouldStop: { stop.isSet })
        var c = ForecasterConfig(horizon: 12); c.maxSteps = 1000; c.ensembleSize = 2; c.patience = 1000
        var warnings: [String] = []
        let model = try Forecaster.fit([try airline()], config: c, hooks: hooks, warnings: &warnings)
        #expect(model.summary.interrupted)
        #expect(model.members.count == 2 && model.members.allSatisfy { $0.summary.epochsRun <= 2 }, "\(model.members.map(\.summary))")
        #expect(try model.predict(horizon: 12)[0].values.allSatisfy(\.isFinite))
    }
}
