/// The sequence-to-sequence forecaster, in Keras words:
///
///     Input(L, F) → RNN(H)×layers → RepeatVector(horizon) → RNN(H, return_sequences)×layers
///                 → TimeDistributed(Dense(O))
///
/// The encoder reads the lookback window; its last layer's final output is repeated once per
/// horizon step and fed to the decoder, which returns every step; one Dense layer maps each step
/// to the forecast. With `config.futureSize` Ff > 0 the decoder's first layer reads, at step h,
/// [context, f_h] (H + Ff wide): the repeated output followed by the known-future features f_h.
/// The decoder starts from the encoder's final states (layer by layer) or from zeros. Encoder and
/// decoder cells are independent type parameters; their states meet through a `Bridge`, so an LSTM
/// encoder with a GRU decoder needs `LSTMToGRUBridge` and a mismatch does not compile.
///
/// Buffers are time-major: x is (L, B, F), the known-future features (H, B, Ff), the forecast (H, B, O).
///
/// Training (`forward`, `backward`) keeps its trace in the network: one caller at a time.
/// `predict` writes only to the `InferenceWorkspace` it is given, so any number of threads may
/// predict with one network at once, each with its own workspace, as long as nobody trains it.
package final class Seq2Seq<Encoder: RecurrentCell, Decoder: RecurrentCell, Bridge: StateBridge>: SequenceModel
where Bridge.Source == Encoder.State, Bridge.Target == Decoder.State {
    package let config: NetworkConfig
    /// The encoder layers, bottom first.
    package let encoder: [Encoder]
    /// The decoder layers, bottom first.
    package let decoder: [Decoder]
    /// The TimeDistributed Dense head.
    package let head: Dense
    /// How encoder states become decoder states.
    package let bridge: Bridge

    private var L = 0, B = 0
    private var masks: [TraceBuffer]    // dropout masks, one per boundary between stacked layers
    private var dropped: [TraceBuffer]  // masked layer outputs
    private var grads: [TraceBuffer]    // gradient buffers between layers
    private var joined = TraceBuffer()  // (steps, B, H + Ff): [context, f_h], decoder 0's input when Ff > 0
    private var usedDropout = false

    /// What a prediction writes: each layer's workspace, decoder 0's joined input, the forecast.
    final class Scratch {
        let encoder: [Encoder.Workspace]
        let decoder: [Decoder.Workspace]
        var joined = TraceBuffer()
        var output = TraceBuffer()
        init(layers: Int) {
            encoder = (0..<layers).map { _ in Encoder.Workspace() }
            decoder = (0..<layers).map { _ in Decoder.Workspace() }
        }
    }

    /// This network's scratch in `workspace`, made on first use (or when another kind of network
    /// used the workspace last).
    private func scratch(in workspace: InferenceWorkspace) -> Scratch {
        if let s = workspace.storage as? Scratch, s.encoder.count == encoder.count { return s }
        let s = Scratch(layers: encoder.count)
        workspace.storage = s
        return s
    }

    /// A network with fresh weights drawn from `seed`, or with zero weights when `seed` is nil
    /// (for weights copied in next, which then need not be drawn).
    package init(_ config: NetworkConfig, bridge: Bridge, seed: UInt64?) {
        precondition(config.layers >= 1 && config.hiddenSize >= 1 && config.horizon >= 1 && config.inputSize >= 1,
                     "network sizes must be >= 1: \(config)")
        precondition(config.futureSize >= 0, "futureSize must be >= 0: \(config)")
        self.config = config
        self.bridge = bridge
        var rng = seed.map { SeededGenerator(seed: $0) }
        let H = config.hiddenSize
        encoder = (0..<config.layers).map { Self.cell(inputSize: $0 == 0 ? config.inputSize : H, hiddenSize: H, rng: &rng) }
        decoder = (0..<config.layers).map { Self.cell(inputSize: $0 == 0 ? H + config.futureSize : H, hiddenSize: H, rng: &rng) }
        if rng == nil {
            head = Dense(inputSize: H, outputSize: config.outputSize)
        } else {
            head = Dense(inputSize: H, outputSize: config.outputSize, rng: &rng!)
        }
        let boundaries = 2 * config.layers
        masks = Array(repeating: TraceBuffer(), count: boundaries)
        dropped = Array(repeating: TraceBuffer(), count: boundaries)
        grads = Array(repeating: TraceBuffer(), count: 2)
    }

    /// A cell with weights drawn from `rng`, or zero weights without one.
    private static func cell<Cell: RecurrentCell>(inputSize: Int, hiddenSize: Int, rng: inout SeededGenerator?) -> Cell {
        guard rng != nil else { return Cell(inputSize: inputSize, hiddenSize: hiddenSize) }
        return Cell(inputSize: inputSize, hiddenSize: hiddenSize, rng: &rng!)
    }

    private init(replicating other: Seq2Seq) {
        config = other.config
        bridge = other.bridge
        encoder = other.encoder.map { $0.replica() }
        decoder = other.decoder.map { $0.replica() }
        head = other.head.replica()
        masks = Array(repeating: TraceBuffer(), count: other.masks.count)
        dropped = Array(repeating: TraceBuffer(), count: other.dropped.count)
        grads = Array(repeating: TraceBuffer(), count: 2)
    }

    package func replica() -> any SequenceModel { Seq2Seq(replicating: self) }

    package var namedParameters: [(name: String, parameter: Parameter)] {
        var out: [(String, Parameter)] = []
        for (k, l) in encoder.enumerated() { for p in l.parameters { out.append(("encoder.\(k).\(p.name)", p)) } }
        for (k, l) in decoder.enumerated() { for p in l.parameters { out.append(("decoder.\(k).\(p.name)", p)) } }
        for p in head.parameters { out.append(("dense.\(p.name)", p)) }
        return out
    }

    /// Applies (or, with `rng` nil, reuses) the dropout mask of boundary `k` to n values.
    private func applyDropout(_ k: Int, _ src: UnsafePointer<Float>, _ n: Int, rng: UnsafeMutablePointer<SeededGenerator>) -> UnsafePointer<Float> {
        let p = config.dropout
        let keep = Float(1 / (1 - p))
        let m = masks[k].ensure(n), d = dropped[k].ensure(n)
        for i in 0..<n {
            m[i] = rng.pointee.unit() < p ? 0 : keep
            d[i] = src[i] * m[i]
        }
        return UnsafePointer(d)
    }

    package func forward(_ x: UnsafePointer<Float>, future: UnsafePointer<Float>?, lookback L: Int, batch B: Int,
                        dropout rng: UnsafeMutablePointer<SeededGenerator>?) -> UnsafePointer<Float> {
        self.L = L; self.B = B
        usedDropout = rng != nil && config.dropout > 0
        return run(x, future, L, B, rng: rng, scratch: nil)
    }

    package func predict(_ x: UnsafePointer<Float>, future: UnsafePointer<Float>?, lookback L: Int, batch B: Int,
                        workspace: InferenceWorkspace) -> UnsafePointer<Float> {
        run(x, future, L, B, rng: nil, scratch: scratch(in: workspace))
    }

    /// [context, f_h] for every step h: out (steps, B, H + Ff), context (B, H), future (steps, B, Ff).
    private func join(_ context: UnsafePointer<Float>, _ future: UnsafePointer<Float>, _ B: Int,
                      into buffer: inout TraceBuffer) -> UnsafePointer<Float> {
        let H = config.hiddenSize, F = config.futureSize, steps = config.horizon, W = H + F
        let out = buffer.ensure(steps * B * W)
        for t in 0..<steps {
            for b in 0..<B {
                let row = out + (t * B + b) * W
                row.update(from: context + b * H, count: H)
                (row + H).update(from: future + (t * B + b) * F, count: F)
            }
        }
        return UnsafePointer(out)
    }

    /// The network on x: training (`scratch` nil) keeps every layer's trace in the layers; a
    /// prediction writes only to `scratch` and modifies nothing of the network.
    private func run(_ x: UnsafePointer<Float>, _ future: UnsafePointer<Float>?, _ L: Int, _ B: Int,
                     rng: UnsafeMutablePointer<SeededGenerator>?, scratch: Scratch?) -> UnsafePointer<Float> {
        let training = scratch == nil
        precondition((future != nil) == (config.futureSize > 0),
                     "future features must be given exactly when futureSize > 0 (futureSize \(config.futureSize), future \(future == nil ? "nil" : "given"))")
        let H = config.hiddenSize, steps = config.horizon
        let usedDropout = training && self.usedDropout
        var input = x
        var finals: [Encoder.State] = []
        finals.reserveCapacity(encoder.count)
        for (k, layer) in encoder.enumerated() {
            if let scratch {
                let w = scratch.encoder[k]
                // The last layer's outputs are not read: only its final state (the context).
                finals.append(k == encoder.count - 1
                    ? layer.inferFinal(input, steps: L, batch: B, repeated: false, initial: nil, workspace: w)
                    : layer.infer(input, steps: L, batch: B, repeated: false, initial: nil, workspace: w))
                input = w.outputs
            } else {
                finals.append(layer.forward(input, steps: L, batch: B, repeated: false, initial: nil))
                input = layer.outputs
            }
            if usedDropout && k < encoder.count - 1 { input = applyDropout(k, input, L * B * H, rng: rng!) }
        }
        let context = finals.last!.h   // the encoder's final output, (B, H), repeated `steps` times
        // Decoder 0 reads the context as a repeated (B, H) input, or [context, f_h] per step.
        let repeated = future == nil
        if let future {
            if let scratch { input = join(context.pointer, future, B, into: &scratch.joined) }
            else { input = join(context.pointer, future, B, into: &joined) }
        } else {
            input = UnsafePointer(context.pointer)
        }
        for (k, layer) in decoder.enumerated() {
            let initial = config.decoderStart == .encoderState ? bridge.carry(finals[k], batch: B, hidden: H) : nil
            if let scratch {
                let w = scratch.decoder[k]
                _ = layer.infer(input, steps: steps, batch: B, repeated: k == 0 && repeated, initial: initial, workspace: w)
                input = w.outputs
            } else {
                _ = layer.forward(input, steps: steps, batch: B, repeated: k == 0 && repeated, initial: initial)
                input = layer.outputs
            }
            if usedDropout && k < decoder.count - 1 {
                input = applyDropout(encoder.count + k, input, steps * B * H, rng: rng!)
            }
        }
        guard let scratch else { return head.forward(input, rows: steps * B) }
        let y = scratch.output.ensure(steps * B * config.outputSize)
        head.infer(input, rows: steps * B, into: y)
        return UnsafePointer(y)
    }

    package func backward(_ dY: UnsafePointer<Float>) {
        let H = config.hiddenSize, F = config.futureSize, steps = config.horizon
        // The widest gradient between layers: (L, B, H) in the encoder, (steps, B, H + Ff) at decoder 0's input.
        let n = max(steps * (H + F), L * H) * B
        var dOut = grads[0].ensure(n)
        var dIn = grads[1].ensure(n)
        head.backward(dY, dInput: dOut)
        var dInitial: [Decoder.State] = []
        for k in stride(from: decoder.count - 1, through: 0, by: -1) {
            let d = decoder[k].backward(dOutputs: dOut, dFinal: nil, dInput: dIn)
            dInitial.insert(d, at: 0)
            if k > 0 && usedDropout {
                let m = masks[encoder.count + k - 1].pointer
                for i in 0..<(steps * B * H) { dIn[i] *= m[i] }
            }
            swap(&dOut, &dIn)
        }
        if F > 0 {
            // dOut is d[context, f_h], (steps, B, H + Ff): d(context) sums the first H columns
            // over the steps, in step order; the future features need no gradient.
            let W = H + F
            for b in 0..<B {
                for j in 0..<H {
                    var sum: Float = 0
                    for t in 0..<steps { sum += dOut[(t * B + b) * W + j] }
                    dIn[b * H + j] = sum
                }
            }
            swap(&dOut, &dIn)
        }
        // dOut now holds d(context), (B, H): the gradient of the last encoder layer's final output.
        let dContext = dOut
        var dAbove: UnsafeMutablePointer<Float>? = nil
        for k in stride(from: encoder.count - 1, through: 0, by: -1) {
            let dFinal = config.decoderStart == .encoderState
                ? bridge.pullback(dInitial[k], batch: B, hidden: H)
                : Encoder.State.zeros(batch: B, hidden: H)
            if k == encoder.count - 1 {
                let h = dFinal.h.pointer
                for i in 0..<(B * H) { h[i] += dContext[i] }
            }
            let below: UnsafeMutablePointer<Float>? = k > 0 ? (dAbove == dIn ? dOut : dIn) : nil
            encoder[k].backward(dOutputs: dAbove.map { UnsafePointer($0) }, dFinal: dFinal, dInput: below)
            if let below, usedDropout {
                let m = masks[k - 1].pointer
                for i in 0..<(L * B * H) { below[i] *= m[i] }
            }
            dAbove = below
        }
    }
}
