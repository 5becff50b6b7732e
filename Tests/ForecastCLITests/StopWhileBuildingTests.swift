import Foundation
import Testing

/// Ctrl-C and SIGTERM while `fit` builds its networks, before training: with 1024 hidden units a
/// network takes seconds to build (its orthogonal kernels cost O(H³)), and the stop request was
/// only polled between training batches. An existing model file stays as it was, and nothing else
/// is left in its directory.
@Suite struct StopWhileBuildingTests {
    /// A fit whose networks take seconds to build (two layers of 1024 units per side for the
    /// first test, four for the second), started once it has read its data, over an existing
    /// model file in a directory of its own.
    func slowFit(layers: Int) throws -> (dir: String, model: String, run: Watched) {
        let dir = tempDir()
        let model = write("the previous model\n", "m.fcm", in: dir)
        let run = try Watched(["fit", airline, "--target", "passengers", "--horizon", "3", "--hidden", "1024", "--layers", "\(layers)",
                               "--ensemble", "1", "--max-steps", "1", "--model", model])
        #expect(run.waitFor("data: "), "the data were read: \(run.stderr)")
        return (dir, model, run)
    }

    /// One SIGINT: the fit stops while the network is built (its orthogonal kernels poll the
    /// request), before its first batch, and exits 130 writing nothing (there are no trained
    /// weights to keep).
    @Test func stopBeforeTrainingWritesNothing() throws {
        let (dir, model, run) = try slowFit(layers: 2)
        kill(run.process.processIdentifier, SIGINT)
        let r = run.finish(seconds: 120)
        #expect(r.status == 130, "\(r.stderr)")
        #expect(r.stderr.contains("forecast: stopping... (press Ctrl-C again to stop at once)\n"), "acknowledged at once: \(r.stderr)")
        #expect(r.stderr.contains("forecast: interrupted: the fit was stopped before it finished; nothing was written"), "\(r.stderr)")
        #expect(!r.stderr.contains("step "), "no training step ran: \(r.stderr)")
        #expect(try String(contentsOfFile: model, encoding: .utf8) == "the previous model\n")
        #expect(files(in: dir) == ["m.fcm"])
    }

    /// SIGTERM twice: the second ends the process at once with 130, while the first still waits
    /// for the networks (about 12 s of building here). The second is sent once the first is
    /// acknowledged: sent a fixed 0.3 s apart, the two could merge into one pending signal on a
    /// loaded machine.
    @Test func secondSignalEndsAtOnce() throws {
        let (dir, model, run) = try slowFit(layers: 4)
        kill(run.process.processIdentifier, SIGTERM)
        #expect(run.waitFor("forecast: stopping... (press Ctrl-C again to stop at once)"), "\(run.stderr)")
        kill(run.process.processIdentifier, SIGTERM)
        let r = run.finish(seconds: 120)
        #expect(r.status == 130, "\(r.stderr)")
        #expect(r.stderr.contains("forecast: interrupted again: stopped at once (no file was left half-written)"), "\(r.stderr)")
        #expect(try String(contentsOfFile: model, encoding: .utf8) == "the previous model\n")
        #expect(files(in: dir) == ["m.fcm"])
    }
}
