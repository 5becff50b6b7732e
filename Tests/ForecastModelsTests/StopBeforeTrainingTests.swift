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
        // Two plain members and their window-scaled twins (airline's scale changed).
        #expect(model.members.count == 4 && model.members.allSatisfy { $0.summary.epochsRun <= 2 }, "\(model.members.map(\.summary))")
        #expect(try model.predict(horizon: 12)[0].values.allSatisfy(\.isFinite))
    }

    /// A stop asked for after the networks finished, during the cross-validation refits: the model
    /// is whole (its networks are those of the fit without the stop), but the refits behind the
    /// combination and the intervals stopped early, so the fit says it was interrupted (the command
    /// line then exits with the interrupted status) and why. Checked against: the fit reporting
    /// nothing (exit 0 with a combination scored on stopped refits).
    @Test func stopDuringTheRefitsIsReported() throws {
        var c = ForecasterConfig(horizon: 12); c.maxSteps = 60; c.ensembleSize = 1; c.threads = 1
        // First the polls the networks' own training makes (the last evaluation round's count).
        let counter = PollCounter()
        var warnings: [String] = []
        let whole = try Forecaster.fit([try airline()], config: c,
                                       hooks: TrainingHooks(onEpoch: { _ in counter.mark() }, shouldStop: { counter.poll(); return false }),
                                       warnings: &warnings)
        let afterTraining = counter.marked
        #expect(counter.polls > afterTraining, "the refits poll too")
        #expect(!whole.summary.interrupted)
        // Then the same fit, stopped at the first poll after the networks' training.
        let again = PollCounter()
        warnings = []
        let stopped = try Forecaster.fit([try airline()], config: c,
                                         hooks: TrainingHooks(shouldStop: { again.poll(); return again.polls > afterTraining }),
                                         warnings: &warnings)
        #expect(learned(stopped) == learned(whole), "the networks themselves finished")
        #expect(stopped.summary.interrupted)
        #expect(warnings.contains { $0.contains("cross-validation refits") }, "\(warnings)")
    }
}

/// Counts `shouldStop` polls; `mark` remembers the count (at an evaluation round).
final class PollCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0, mark_ = 0
    var polls: Int { lock.lock(); defer { lock.unlock() }; return count }
    var marked: Int { lock.lock(); defer { lock.unlock() }; return mark_ }
    func poll() { lock.lock(); count += 1; lock.unlock() }
    func mark() { lock.lock(); mark_ = count; lock.unlock() }
}
