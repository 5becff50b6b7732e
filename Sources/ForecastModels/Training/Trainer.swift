import Dispatch
import ForecastData
import ForecastNN

/// One line of training progress, reported after every epoch.
public struct EpochReport: Sendable {
    public var epoch: Int
    public var maxEpochs: Int
    public var trainLoss: Double
    /// Validation loss (scaled units), or `nil` when there is no validation data.
    public var validationLoss: Double?
    public var bestEpoch: Int
    public var learningRate: Double
    /// Seconds since training started.
    public var elapsed: Double
    /// Estimated seconds left if training runs to the epoch limit.
    public var remaining: Double
}

/// What training did.
public struct TrainingSummary: Sendable, Codable, Equatable {
    public var epochsRun: Int
    public var bestEpoch: Int
    public var bestValidationLoss: Double?
    public var finalTrainLoss: Double
    public var trainWindows: Int
    public var validationWindows: Int
    public var seconds: Double
    /// Training stopped early because validation stopped improving.
    public var stoppedEarly: Bool
    /// Training was interrupted (a signal, or the stop hook).
    public var interrupted: Bool
}

/// Training failed: the loss or a gradient became NaN or infinite.
public struct TrainingError: Error, CustomStringConvertible, Sendable {
    public var epoch: Int
    public var batch: Int
    public var description: String {
        "training diverged: the loss or a gradient became NaN or infinite in epoch \(epoch), batch \(batch); the last good weights were kept. Lower the learning rate (--learning-rate) or check the data for extreme values"
    }
}

/// Callbacks a pipeline can attach to training.
public struct TrainingHooks: Sendable {
    /// Called after every epoch.
    public var onEpoch: (@Sendable (EpochReport) -> Void)?
    /// Polled after every batch; returning true stops training after that batch (best weights kept).
    public var shouldStop: (@Sendable () -> Bool)?
    public init(onEpoch: (@Sendable (EpochReport) -> Void)? = nil, shouldStop: (@Sendable () -> Bool)? = nil) {
        self.onEpoch = onEpoch
        self.shouldStop = shouldStop
    }
}

/// Mini-batch training with early stopping. Deterministic: the same data, configuration, seed and
/// thread count give a bit-identical network (sums run in a fixed order on every path).
struct Trainer {
    let network: any SequenceModel
    let series: [SeriesFeatures]
    let encoding: WindowEncoding
    let config: ForecasterConfig
    let epochs: Int

    /// Gathers windows `ws` into x (L, B, F) and targets (H, B, 1), time-major.
    func gather(_ ws: ArraySlice<Window>, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>) {
        let B = ws.count, L = encoding.lookback, H = encoding.horizon, F = encoding.features
        for (b, w) in ws.enumerated() {
            series[w.series].values.withUnsafeBufferPointer { v in
                let p = v.baseAddress!
                encoding.fillInput(x, batch: B, slot: b, values: p, start: w.start)
                let base = encoding.baselines(values: p, start: w.start)
                for h in 0..<H { y[h * B + b] = p[(w.start + L + h) * F] - base[h] }
            }
        }
    }

    /// The mean loss over `windows` (scaled units), in batches of 256.
    func evaluate(_ windows: [Window]) -> Double {
        guard !windows.isEmpty else { return .nan }
        let L = encoding.lookback, H = encoding.horizon, F = encoding.features
        let chunk = 256
        let x = FloatBuffer(count: L * chunk * F), y = FloatBuffer(count: H * chunk)
        var total = 0.0
        var start = 0
        while start < windows.count {
            let part = windows[start..<min(start + chunk, windows.count)]
            gather(part, x: x.pointer, y: y.pointer)
            let out = network.predict(x.pointer, lookback: L, batch: part.count)
            total += config.loss.evaluate(out, y.pointer, count: H * part.count, gradient: nil) * Double(part.count)
            start += chunk
        }
        return total / Double(windows.count)
    }

    func run(train: [Window], validation: [Window], hooks: TrainingHooks) throws -> TrainingSummary {
        let L = encoding.lookback, H = encoding.horizon, F = encoding.features
        let B = min(config.batchSize, max(1, train.count))
        let params = network.parameters
        let adam = Adam(parameters: params, learningRate: config.learningRate, weightDecay: config.weightDecay)
        var rng = SeededGenerator(seed: config.seed &+ 0x5EED)
        var dropoutRng = SeededGenerator(seed: config.seed &+ 0xD80)
        let threads = max(1, min(config.threads, B))
        let replicas = threads > 1 ? (0..<threads).map { _ in network.replica() } : []
        let xs = (0..<threads).map { _ in FloatBuffer(count: L * B * F) }
        let ys = (0..<threads).map { _ in FloatBuffer(count: H * B) }
        let dys = (0..<threads).map { _ in FloatBuffer(count: H * B) }
        // Per-thread loss and dropout generator, written by each worker at its own index only.
        let partLoss = UnsafeMutableBufferPointer<Double>.allocate(capacity: threads)
        let partSeeds = UnsafeMutableBufferPointer<SeededGenerator>.allocate(capacity: threads)
        defer { partLoss.deallocate(); partSeeds.deallocate() }
        var best = params.map { $0.value.array }
        var bestLoss = Double.infinity
        var bestEpoch = 0
        var sincePlateau = 0, sinceBest = 0
        var order = train
        var summary = TrainingSummary(epochsRun: 0, bestEpoch: 0, bestValidationLoss: nil, finalTrainLoss: .nan,
                                      trainWindows: train.count, validationWindows: validation.count,
                                      seconds: 0, stoppedEarly: false, interrupted: false)
        let clock = ContinuousClock()
        let started = clock.now
        func restoreBest() { for (p, v) in zip(params, best) { p.value.copy(from: FloatBuffer(v)) } }

        epochLoop: for epoch in 1...epochs {
            rng.shuffle(&order)
            var epochLoss = 0.0
            var seen = 0
            var batchIndex = 0
            var start = 0
            while start < order.count {
                let batch = order[start..<min(start + B, order.count)]
                start += B
                batchIndex += 1
                let n = batch.count
                network.zeroGradients()
                if threads == 1 || n < threads {
                    gather(batch, x: xs[0].pointer, y: ys[0].pointer)
                    let out = network.forward(xs[0].pointer, lookback: L, batch: n,
                                              dropout: config.dropout > 0 ? withUnsafeMutablePointer(to: &dropoutRng) { $0 } : nil)
                    partLoss[0] = config.loss.evaluate(out, ys[0].pointer, count: H * n, gradient: dys[0].pointer)
                    network.backward(dys[0].pointer)
                    epochLoss += partLoss[0] * Double(n)
                } else {
                    // Each thread takes a contiguous slice of the batch; gradients are summed in
                    // thread order afterwards, so the result depends only on the thread count.
                    let sizes = (0..<threads).map { i in (n * (i + 1) / threads) - (n * i / threads) }
                    let offsets = (0..<threads).map { i in n * i / threads }
                    for i in 0..<threads { partSeeds[i] = SeededGenerator(seed: dropoutRng.next()) }
                    for i in 0..<threads {
                        gather(batch[(batch.startIndex + offsets[i])..<(batch.startIndex + offsets[i] + sizes[i])],
                               x: xs[i].pointer, y: ys[i].pointer)
                    }
                    nonisolated(unsafe) let reps = replicas
                    nonisolated(unsafe) let xsU = xs, ysU = ys, dysU = dys
                    nonisolated(unsafe) let lossOut = partLoss, seedsIn = partSeeds
                    let lossKind = config.loss, useDropout = config.dropout > 0
                    DispatchQueue.concurrentPerform(iterations: threads) { i in
                        let r = reps[i]
                        r.zeroGradients()
                        let out = r.forward(xsU[i].pointer, lookback: L, batch: sizes[i],
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
                        epochLoss += partLoss[i] * Double(sizes[i])
                    }
                }
                seen += n
                let norm = Adam.clipGlobalNorm(params, maxNorm: config.clipNorm)
                if !norm.isFinite || !epochLoss.isFinite {
                    restoreBest()
                    throw TrainingError(epoch: epoch, batch: batchIndex)
                }
                adam.update(params)
                if hooks.shouldStop?() == true {
                    summary.interrupted = true
                    summary.epochsRun = epoch
                    break epochLoop
                }
            }
            let trainLoss = epochLoss / Double(max(1, seen))
            let valLoss = validation.isEmpty ? nil : evaluate(validation)
            let score = valLoss ?? trainLoss
            guard score.isFinite else {
                restoreBest()
                throw TrainingError(epoch: epoch, batch: batchIndex)
            }
            if score < bestLoss - 1e-12 {
                bestLoss = score
                bestEpoch = epoch
                best = params.map { $0.value.array }
                sinceBest = 0; sincePlateau = 0
            } else {
                sinceBest += 1; sincePlateau += 1
                if sincePlateau >= max(2, config.patience / 3) && adam.learningRate > 1e-5 {
                    adam.learningRate *= 0.5
                    sincePlateau = 0
                }
            }
            summary.epochsRun = epoch
            summary.finalTrainLoss = trainLoss
            let elapsed = secondsSince(started, clock)
            hooks.onEpoch?(EpochReport(epoch: epoch, maxEpochs: epochs, trainLoss: trainLoss, validationLoss: valLoss,
                                       bestEpoch: bestEpoch, learningRate: adam.learningRate, elapsed: elapsed,
                                       remaining: elapsed / Double(epoch) * Double(epochs - epoch)))
            if sinceBest >= config.patience {
                summary.stoppedEarly = true
                break
            }
        }
        if bestEpoch > 0 { restoreBest() }
        summary.bestEpoch = bestEpoch
        summary.bestValidationLoss = validation.isEmpty || bestEpoch == 0 ? nil : bestLoss
        summary.seconds = secondsSince(started, clock)
        return summary
    }
}

func secondsSince(_ start: ContinuousClock.Instant, _ clock: ContinuousClock) -> Double {
    let d = clock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}
