import Dispatch
import ForecastData
import ForecastNN

/// One line of training progress, reported after every evaluation round (an epoch, or a fixed
/// number of optimizer steps when an epoch is long).
public struct EpochReport: Sendable {
    /// The evaluation round (1-based) and the most rounds the step budget allows.
    public var epoch: Int
    /// The most rounds the step budget allows.
    public var maxEpochs: Int
    /// Optimizer steps taken so far, and the budget.
    public var step: Int
    /// The optimizer-step budget.
    public var maxSteps: Int
    /// The ensemble member (0-based) and the ensemble's size.
    public var member: Int
    /// The ensemble's size.
    public var members: Int
    /// Mean training loss of the round (scaled units).
    public var trainLoss: Double
    /// Validation loss (scaled units), or `nil` when there is no validation data.
    public var validationLoss: Double?
    /// The round with the best validation loss so far (its weights are the ones kept).
    public var bestEpoch: Int
    /// The learning rate in use (it halves when validation stalls).
    public var learningRate: Double
    /// Seconds since training started.
    public var elapsed: Double
    /// Estimated seconds left if training runs to the epoch limit.
    public var remaining: Double
}

/// What training did.
public struct TrainingSummary: Sendable, Codable, Equatable {
    /// Evaluation rounds run (epochs, or blocks of steps on large data).
    public var epochsRun: Int
    /// The round whose weights were kept (best validation loss).
    public var bestEpoch: Int
    /// The validation loss of that round (scaled units), or nil without validation data.
    public var bestValidationLoss: Double?
    /// The training loss of the last round (scaled units).
    public var finalTrainLoss: Double
    /// Training windows (lookback + horizon) over all series.
    public var trainWindows: Int
    /// Validation windows over all series.
    public var validationWindows: Int
    /// Wall-clock seconds of the whole fit.
    public var seconds: Double
    /// Training stopped early because validation stopped improving.
    public var stoppedEarly: Bool
    /// Training was interrupted (a signal, or the stop hook).
    public var interrupted: Bool
    /// Optimizer steps taken, and the budget (absent in files of format 1).
    public var steps: Int?
    /// The optimizer-step budget (absent in files of format 1).
    public var maxSteps: Int?
    /// Times training diverged (a NaN or infinite loss or gradient) and went back to its best
    /// weights with the learning rate halved (absent when it never did, see `Trainer.run`).
    public var restarts: Int?

    /// The summary as a model file stores it: without the wall-clock `seconds` (0), so that the
    /// same data, seed and thread count give a byte-identical file, not one that differs in the
    /// time training happened to take.
    package var withoutTiming: TrainingSummary {
        var s = self
        s.seconds = 0
        return s
    }
}

extension ForecastError {
    /// Training failed: the loss or a gradient became NaN or infinite in `epoch`, `batch`.
    package static func training(epoch: Int, batch: Int, restarts: Int = 0) -> ForecastError {
        let again = restarts > 0 ? ", after \(restarts) restart\(restarts == 1 ? "" : "s") from the best weights with half the learning rate" : ""
        return ForecastError(.training, message: "training diverged: the loss or a gradient became NaN or infinite in epoch \(epoch), batch \(batch)\(again); the last good weights were kept. Lower the learning rate (`learningRate`) or check the data for extreme values")
    }
}

/// Callbacks attached to training: a progress report, and a stop request (the command line's
/// signal handlers; the library's public `fit` stops on task cancellation instead).
package struct TrainingHooks: Sendable {
    /// Called after every epoch.
    package var onEpoch: (@Sendable (EpochReport) -> Void)?
    /// Polled after every batch; returning true stops training after that batch (best weights kept).
    package var shouldStop: (@Sendable () -> Bool)?
    /// Called once per series by the combination with what it scored (for the offline study of
    /// combination rules, Benchmarks/accuracy/combination_study.py); may run on several threads.
    package var onCombination: (@Sendable (CombinationEvidence) -> Void)?
    package init(onEpoch: (@Sendable (EpochReport) -> Void)? = nil, shouldStop: (@Sendable () -> Bool)? = nil,
                 onCombination: (@Sendable (CombinationEvidence) -> Void)? = nil) {
        self.onEpoch = onEpoch
        self.shouldStop = shouldStop
        self.onCombination = onCombination
    }
}

/// What the combination scored for one series: every candidate's forecasts at the validation
/// origins (newest first) and the actual values there.
package struct CombinationEvidence: Sendable {
    package var id: String?
    package var origins: [Int]
    package var actual: [[Double]]
    /// Candidate name ("network", "theta", ...) → one forecast per origin.
    package var forecasts: [String: [[Double]]]
}

/// Mini-batch training with early stopping. Deterministic: the same data, configuration, seed and
/// thread count give a bit-identical network (sums run in a fixed order on every path).
struct Trainer {
    let network: any SequenceModel
    let series: [SeriesFeatures]
    let encoding: WindowEncoding
    let config: ForecasterConfig
    /// The budget in optimizer steps.
    let maxSteps: Int
    /// Which ensemble member this trains (0-based), and how many there are (for progress reports).
    var member = 0
    var members = 1

    /// Gathers windows `ws` into x (L, B, F), future features f (H, B, Ff) and targets (H, B, 1),
    /// time-major; `scales`, when given, receives each window's scale (targets and outputs are in
    /// units of it, see `WindowEncoding.windowScale`).
    func gather<C: Collection<Window>>(_ ws: C, x: UnsafeMutablePointer<Float>, f: UnsafeMutablePointer<Float>?,
                y: UnsafeMutablePointer<Float>, scales: UnsafeMutablePointer<Float>? = nil) {
        let B = ws.count, L = encoding.lookback, H = encoding.horizon, F = encoding.features, Ff = encoding.futureSize
        let window = UnsafeMutablePointer<Float>.allocate(capacity: (L + H) * F)   // one window, scaled
        defer { window.deallocate() }
        for (b, w) in ws.enumerated() {
            let s = series[w.series]
            s.write(w.start, count: L + H, to: window)
            let scale = encoding.windowScale(values: window, start: 0)
            scales?[b] = scale
            encoding.fillInput(x, batch: B, slot: b, values: window, start: 0, scale: scale)
            let base = encoding.baselines(values: window, start: 0, period: s.period)
            for h in 0..<H { y[h * B + b] = (window[(L + h) * F] - base[h]) / scale }   // exact when scale is 1
            if let f, Ff > 0 {
                s.future.withUnsafeBufferPointer { u in
                    encoding.fillFuture(f, batch: B, slot: b, rows: u.baseAddress! + (s.futureOffset + w.start + L) * Ff)
                }
            }
        }
    }

    /// The network's output for a gathered batch, in `workspace` (valid until its next use).
    func predict(_ x: UnsafePointer<Float>, _ f: UnsafePointer<Float>?, batch: Int,
                 workspace: InferenceWorkspace) -> UnsafePointer<Float> {
        network.predict(x, future: encoding.futureSize > 0 ? f : nil, lookback: encoding.lookback, batch: batch,
                        workspace: workspace)
    }

    /// The mean loss over `windows` (scaled units), in batches of 256.
    func evaluate(_ windows: [Window]) -> Double {
        guard !windows.isEmpty else { return .nan }
        let L = encoding.lookback, H = encoding.horizon, F = encoding.features, Ff = encoding.futureSize
        let chunk = 256
        let x = FloatBuffer(count: L * chunk * F), y = FloatBuffer(count: H * chunk)
        let fb = FloatBuffer(count: max(1, H * chunk * Ff))
        let workspace = InferenceWorkspace()
        var total = 0.0
        var start = 0
        while start < windows.count {
            let part = windows[start..<min(start + chunk, windows.count)]
            gather(part, x: x.pointer, f: fb.pointer, y: y.pointer)
            let out = predict(x.pointer, fb.pointer, batch: part.count, workspace: workspace)
            total += withExtendedLifetime(workspace) {
                config.loss.evaluate(out, y.pointer, count: H * part.count, gradient: nil) * Double(part.count)
            }
            start += chunk
        }
        return total / Double(windows.count)
    }

    /// Trains for at most `maxSteps` optimizer steps over shuffled passes of `train`, scoring
    /// `validation` after every round (an epoch, or `roundSteps` steps when an epoch is longer),
    /// halving the learning rate on plateaus and stopping after `config.patience` rounds without
    /// improvement; the best round's weights are restored.
    ///
    /// A step whose loss or gradient is not finite is not applied: training goes back to the best
    /// round's weights and optimizer state, halves the learning rate and goes on (a recurrent
    /// network's gradient can still explode through time past what Float holds, rarely: one GRU
    /// member on the 414 M4 Hourly series, at step 4,388 of 10,000). After `maxRestarts` such
    /// restarts it throws `ForecastError.training`. Runs that never diverge are unchanged.
    func run(train: Windows, validation: Windows, hooks: TrainingHooks) throws -> TrainingSummary {
        let L = encoding.lookback, H = encoding.horizon, F = encoding.features, Ff = encoding.futureSize
        let B = min(config.batchSize, max(1, train.count))
        let params = network.parameters
        let adam = Adam(parameters: params, learningRate: config.learningRate, weightDecay: config.weightDecay)
        var rng = SeededGenerator(seed: config.seed &+ 0x5EED)
        var dropoutRng = SeededGenerator(seed: config.seed &+ 0xD80)
        let threads = max(1, min(config.threads, B))
        let replicas = threads > 1 ? (0..<threads).map { _ in network.replica() } : []
        let xs = (0..<threads).map { _ in FloatBuffer(count: L * B * F) }
        let fs = (0..<threads).map { _ in FloatBuffer(count: max(1, H * B * Ff)) }
        let ys = (0..<threads).map { _ in FloatBuffer(count: H * B) }
        let dys = (0..<threads).map { _ in FloatBuffer(count: H * B) }
        // Per-thread loss and dropout generator, written by each worker at its own index only.
        let partLoss = UnsafeMutableBufferPointer<Double>.allocate(capacity: threads)
        let partSeeds = UnsafeMutableBufferPointer<SeededGenerator>.allocate(capacity: threads)
        defer { partLoss.deallocate(); partSeeds.deallocate() }
        let stepsPerEpoch = (train.count + B - 1) / B
        let roundSteps = max(1, min(stepsPerEpoch, Self.roundSteps))
        let rounds = max(1, (maxSteps + roundSteps - 1) / roundSteps)
        let checked = Self.spread(validation, atMost: Self.validationCap)
        var best = params.map { $0.value.array }
        var bestOptimizer = adam.state
        var restarts = 0
        var bestLoss = Double.infinity
        var bestEpoch = 0
        var sincePlateau = 0, sinceBest = 0
        // The pass order as indices into `train`, a list or computed (see `PassOrder`).
        var order = PassOrder(count: train.count)
        var position = order.count          // next window of the current pass; a full pass reshuffles
        var step = 0
        var summary = TrainingSummary(epochsRun: 0, bestEpoch: 0, bestValidationLoss: nil, finalTrainLoss: .nan,
                                      trainWindows: train.count, validationWindows: validation.count,
                                      seconds: 0, stoppedEarly: false, interrupted: false, steps: 0, maxSteps: maxSteps)
        let clock = ContinuousClock()
        let started = clock.now
        func restoreBest() { for (p, v) in zip(params, best) { p.value.copy(from: FloatBuffer(v)) } }
        let future: (Int) -> UnsafeMutablePointer<Float>? = { Ff > 0 ? fs[$0].pointer : nil }

        roundLoop: for round in 1...rounds {
            var roundLoss = 0.0
            var seen = 0
            var batchIndex = 0
            while batchIndex < roundSteps && step < maxSteps {
                if position >= order.count { order.reshuffle(&rng); position = 0 }
                let batch = (position..<min(position + B, order.count)).map { train[order[$0]] }[...]
                position += B
                batchIndex += 1
                step += 1
                let n = batch.count
                network.zeroGradients()
                if threads == 1 || n < threads {
                    gather(batch, x: xs[0].pointer, f: future(0), y: ys[0].pointer)
                    let out = network.forward(xs[0].pointer, future: future(0).map { UnsafePointer($0) }, lookback: L, batch: n,
                                              dropout: config.dropout > 0 ? withUnsafeMutablePointer(to: &dropoutRng) { $0 } : nil)
                    partLoss[0] = config.loss.evaluate(out, ys[0].pointer, count: H * n, gradient: dys[0].pointer)
                    network.backward(dys[0].pointer)
                    roundLoss += partLoss[0] * Double(n)
                } else {
                    // Each thread takes a contiguous slice of the batch; gradients are summed in
                    // thread order afterwards, so the result depends only on the thread count.
                    let sizes = (0..<threads).map { i in (n * (i + 1) / threads) - (n * i / threads) }
                    let offsets = (0..<threads).map { i in n * i / threads }
                    for i in 0..<threads { partSeeds[i] = SeededGenerator(seed: dropoutRng.next()) }
                    for i in 0..<threads {
                        gather(batch[(batch.startIndex + offsets[i])..<(batch.startIndex + offsets[i] + sizes[i])],
                               x: xs[i].pointer, f: future(i), y: ys[i].pointer)
                    }
                    nonisolated(unsafe) let reps = replicas
                    let xsU = xs, ysU = ys, dysU = dys, fsU = fs
                    nonisolated(unsafe) let lossOut = partLoss, seedsIn = partSeeds
                    let lossKind = config.loss, useDropout = config.dropout > 0
                    DispatchQueue.concurrentPerform(iterations: threads) { i in
                        let r = reps[i]
                        r.zeroGradients()
                        let out = r.forward(xsU[i].pointer, future: Ff > 0 ? UnsafePointer(fsU[i].pointer) : nil,
                                            lookback: L, batch: sizes[i],
                                            dropout: useDropout ? seedsIn.baseAddress! + i : nil)
                        let l = lossKind.evaluate(out, ysU[i].pointer, count: H * sizes[i], gradient: dysU[i].pointer)
                        // Rescale: each slice's gradient is a mean over its own rows.
                        let w = Float(sizes[i]) / Float(n)
                        for k in 0..<(H * sizes[i]) { dysU[i][k] *= w }
                        r.backward(dysU[i].pointer)
                        lossOut[i] = l
                    }
                    for (i, r) in replicas.enumerated() {
                        for (p, q) in zip(params, r.parameters) {
                            let g = p.grad.pointer, h = q.grad.pointer
                            for k in 0..<p.count { g[k] += h[k] }
                        }
                        roundLoss += partLoss[i] * Double(sizes[i])
                    }
                }
                seen += n
                let norm = Adam.clipGlobalNorm(params, maxNorm: config.clipNorm)
                if !norm.isFinite || !roundLoss.isFinite {
                    restoreBest()
                    guard restarts < Self.maxRestarts else { throw ForecastError.training(epoch: round, batch: batchIndex, restarts: restarts) }
                    restarts += 1
                    adam.restore(step: bestOptimizer.step, m: bestOptimizer.m, v: bestOptimizer.v)   // keeps the rate
                    adam.learningRate *= 0.5
                    roundLoss = 0
                    seen = 0
                    continue
                }
                adam.update(params)
                if hooks.shouldStop?() == true {
                    summary.interrupted = true
                    summary.epochsRun = round
                    break roundLoop
                }
            }
            let trainLoss = roundLoss / Double(max(1, seen))
            let valLoss = checked.isEmpty ? nil : evaluate(checked)
            let score = valLoss ?? trainLoss
            guard score.isFinite else {
                restoreBest()
                throw ForecastError.training(epoch: round, batch: batchIndex)
            }
            if score < bestLoss - 1e-12 {
                bestLoss = score
                bestEpoch = round
                best = params.map { $0.value.array }
                bestOptimizer = adam.state
                sinceBest = 0; sincePlateau = 0
            } else {
                sinceBest += 1; sincePlateau += 1
                if sincePlateau >= max(2, config.patience / 3) && adam.learningRate > 1e-5 {
                    adam.learningRate *= 0.5
                    sincePlateau = 0
                }
            }
            summary.epochsRun = round
            summary.steps = step
            summary.finalTrainLoss = trainLoss
            let elapsed = secondsSince(started, clock)
            hooks.onEpoch?(EpochReport(epoch: round, maxEpochs: rounds, step: step, maxSteps: maxSteps,
                                       member: member, members: members,
                                       trainLoss: trainLoss, validationLoss: valLoss,
                                       bestEpoch: bestEpoch, learningRate: adam.learningRate, elapsed: elapsed,
                                       remaining: elapsed / Double(step) * Double(maxSteps - step)))
            if sinceBest >= config.patience {
                summary.stoppedEarly = true
                break
            }
            if step >= maxSteps { break }
        }
        if bestEpoch > 0 { restoreBest() }
        summary.bestEpoch = bestEpoch
        summary.restarts = restarts > 0 ? restarts : nil
        summary.bestValidationLoss = validation.isEmpty || bestEpoch == 0 ? nil : bestLoss
        summary.seconds = secondsSince(started, clock)
        return summary
    }

    /// Steps per evaluation round when an epoch is longer.
    static let roundSteps = 500
    /// Divergences survived by going back to the best weights with half the learning rate.
    static let maxRestarts = 3
    /// Validation windows scored per round at most (evenly spread over the validation set).
    static let validationCap = 8_192

    /// At most `n` elements of `a`, evenly spaced, in order.
    static func spread<C: RandomAccessCollection>(_ a: C, atMost n: Int) -> [C.Element] where C.Index == Int {
        guard a.count > n else { return Array(a) }
        return (0..<n).map { a[a.startIndex + $0 * a.count / n] }
    }
}

func secondsSince(_ start: ContinuousClock.Instant, _ clock: ContinuousClock) -> Double {
    let d = clock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}
