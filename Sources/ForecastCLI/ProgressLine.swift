import Foundation
import ForecastKit

/// Training progress on stderr: on a terminal one line rewritten in place (step, loss, ETA), else
/// one line per evaluation round, for logs. Silent when `enabled` is false (`--quiet`).
final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let terminal = isatty(2) == 1
    private let lock = NSLock()
    private var open = false
    /// Put before every update ("fold 2/3  "); set between phases.
    var prefix = ""

    init(enabled: Bool) { self.enabled = enabled }

    /// Shows `text`: in place on a terminal, else as a line of its own.
    func update(_ text: String) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let shown = prefix + text
        if terminal {
            var line = "\r\u{1B}[K" + ForecastError.escapingControls(shown)
            line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
            open = true
        } else {
            note(shown)
        }
    }

    /// Ends an in-place line, so that what is printed next starts on a line of its own.
    func finish() {
        lock.lock(); defer { lock.unlock() }
        guard open else { return }
        _ = write(2, "\n", 1)
        open = false
    }

    /// The hooks that report each round of training here, and stop on SIGINT or SIGTERM.
    var hooks: TrainingHooks {
        TrainingHooks(onEpoch: { [self] r in
            let val = r.validationLoss.map { String(format: "%.5f", $0) } ?? "-"
            let who = r.members > 1 ? "member \(r.member + 1)/\(r.members)  " : ""
            update(who + String(format: "step %d/%d  train %.5f  val %@  best round %d  lr %.2g  %.1fs  eta %.0fs",
                                r.step, r.maxSteps, r.trainLoss, val, r.bestEpoch, r.learningRate, r.elapsed, r.remaining))
        }, shouldStop: { stopRequested != 0 })
    }
}
