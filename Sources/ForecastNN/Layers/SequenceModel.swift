/// Which recurrent cell a layer uses.
public enum CellKind: String, Sendable, Codable, CaseIterable {
    /// Long short-term memory: state (h, c), Keras gate order i, f, c, o.
    case lstm
    /// Gated recurrent unit: state h only, Keras' `reset_after` form (gates z, r, h).
    case gru
}

/// Where the decoder's state starts.
public enum DecoderStart: String, Sendable, Codable, CaseIterable {
    /// From the encoder's final state, per layer (Keras encoder–decoder examples that pass
    /// `encoder_states` as `initial_state`). The default.
    case encoderState = "encoder"
    /// From zeros (the plain Keras `RepeatVector` model).
    case zeros
}

/// The sizes and options of a sequence-to-sequence network.
package struct NetworkConfig: Sendable, Codable, Equatable {
    /// Features per input step (target plus covariates).
    package var inputSize: Int
    /// Values predicted per output step.
    package var outputSize: Int = 1
    /// Hidden units of every recurrent layer.
    package var hiddenSize: Int = 64
    /// Recurrent layers in the encoder, and in the decoder.
    package var layers: Int = 1
    /// Output steps (the horizon H).
    package var horizon: Int
    /// Encoder cell.
    package var encoder: CellKind = .lstm
    /// Decoder cell.
    package var decoder: CellKind = .lstm
    /// Where the decoder's state starts.
    package var decoderStart: DecoderStart = .encoderState
    /// Dropout rate applied between stacked recurrent layers during training.
    package var dropout: Double = 0
    /// Known-future features per output step, concatenated to the repeated encoder output at the
    /// decoder's input. 0 (the default) is the plain `RepeatVector` model.
    package var futureSize: Int = 0

    package init(inputSize: Int, horizon: Int, hiddenSize: Int = 64, layers: Int = 1,
                encoder: CellKind = .lstm, decoder: CellKind = .lstm,
                decoderStart: DecoderStart = .encoderState, dropout: Double = 0, outputSize: Int = 1,
                futureSize: Int = 0) {
        self.inputSize = inputSize
        self.horizon = horizon
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.encoder = encoder
        self.decoder = decoder
        self.decoderStart = decoderStart
        self.dropout = dropout
        self.outputSize = outputSize
        self.futureSize = futureSize
    }
}

extension NetworkConfig {
    /// Decodes as the synthesized conformance would, except that `futureSize` may be absent
    /// (model files written before it existed) and then is 0. Encoding stays synthesized.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        inputSize = try c.decode(Int.self, forKey: .inputSize)
        outputSize = try c.decode(Int.self, forKey: .outputSize)
        hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
        layers = try c.decode(Int.self, forKey: .layers)
        horizon = try c.decode(Int.self, forKey: .horizon)
        encoder = try c.decode(CellKind.self, forKey: .encoder)
        self.decoder = try c.decode(CellKind.self, forKey: .decoder)
        decoderStart = try c.decode(DecoderStart.self, forKey: .decoderStart)
        dropout = try c.decode(Double.self, forKey: .dropout)
        futureSize = try c.decodeIfPresent(Int.self, forKey: .futureSize) ?? 0
    }
}

/// A trainable network mapping a (L, B, F) window batch to a (H, B, O) forecast batch: the
/// cell-independent face of `Seq2Seq`, for code that picks cells at run time.
///
/// `future` holds the known-future features, (H, B, Ff) time-major with Ff = `config.futureSize`:
/// it must be given exactly when `futureSize > 0`. The forms without `future:` pass `nil`.
package protocol SequenceModel: AnyObject {
    /// The configuration it was built from.
    var config: NetworkConfig { get }
    /// All parameters, named `encoder.0.kernel`, ..., `dense.bias`.
    var namedParameters: [(name: String, parameter: Parameter)] { get }
    /// Runs the network; the result (H, B, O) stays valid until the next forward.
    /// With `dropout` given (training), masks are drawn from it.
    func forward(_ x: UnsafePointer<Float>, future: UnsafePointer<Float>?, lookback L: Int, batch B: Int,
                 dropout: UnsafeMutablePointer<SeededGenerator>?) -> UnsafePointer<Float>
    /// Runs the network for prediction: the same result as `forward` without dropout, without
    /// keeping what `backward` needs (faster). Writes only to `workspace`, where the result lives
    /// until the workspace's next use; the network is not modified, so several threads may predict
    /// at once with one network, each with its own workspace (while nobody trains the network).
    func predict(_ x: UnsafePointer<Float>, future: UnsafePointer<Float>?, lookback L: Int, batch B: Int,
                 workspace: InferenceWorkspace) -> UnsafePointer<Float>
    /// Backpropagates dY (H, B, O) of the last forward, accumulating parameter gradients.
    func backward(_ dY: UnsafePointer<Float>)
    /// A copy sharing the weights, with separate gradients and traces (for another thread).
    func replica() -> any SequenceModel
}

extension SequenceModel {
    /// `forward` without known-future features (`config.futureSize` must be 0).
    package func forward(_ x: UnsafePointer<Float>, lookback L: Int, batch B: Int,
                        dropout: UnsafeMutablePointer<SeededGenerator>?) -> UnsafePointer<Float> {
        forward(x, future: nil, lookback: L, batch: B, dropout: dropout)
    }
    /// `predict` without known-future features (`config.futureSize` must be 0).
    package func predict(_ x: UnsafePointer<Float>, lookback L: Int, batch B: Int,
                        workspace: InferenceWorkspace) -> UnsafePointer<Float> {
        predict(x, future: nil, lookback: L, batch: B, workspace: workspace)
    }
    /// The parameters without names.
    package var parameters: [Parameter] { namedParameters.map(\.parameter) }
    /// The number of trainable scalars.
    package var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
    /// Sets every gradient to zero.
    package func zeroGradients() { for p in parameters { p.grad.zero() } }
}

/// The memory a `SequenceModel.predict` writes: every layer's outputs and scratch, and the
/// forecast. Make one per thread (or task) that predicts, and reuse it across that thread's
/// calls to avoid reallocating; the network's weights are only read, so predictions with
/// distinct workspaces may run at once. Buffers grow to the largest batch seen. Not `Sendable`:
/// one caller at a time.
package final class InferenceWorkspace {
    /// The buffers of the network that used this workspace last (made by it on first use).
    var storage: AnyObject?
    /// An empty workspace; the first prediction allocates what it needs.
    package init() {}
}

/// Builds the network a configuration names, choosing the cells and the state bridge, with weights
/// drawn from `seed`; a nil `seed` leaves them zero, for weights copied in next (loading a model
/// file, keeping a trained network's weights, a warm start), which skips drawing the orthogonal
/// recurrent kernels: O(H³) each, 1.5 s per cell at 1024 hidden units.
package func makeNetwork(_ config: NetworkConfig, seed: UInt64?) -> any SequenceModel {
    switch (config.encoder, config.decoder) {
    case (.lstm, .lstm): return Seq2Seq<LSTMCell, LSTMCell, IdentityBridge<LSTMState>>(config, bridge: IdentityBridge(), seed: seed)
    case (.gru, .gru): return Seq2Seq<GRUCell, GRUCell, IdentityBridge<GRUState>>(config, bridge: IdentityBridge(), seed: seed)
    case (.lstm, .gru): return Seq2Seq<LSTMCell, GRUCell, LSTMToGRUBridge>(config, bridge: LSTMToGRUBridge(), seed: seed)
    case (.gru, .lstm): return Seq2Seq<GRUCell, LSTMCell, GRUToLSTMBridge>(config, bridge: GRUToLSTMBridge(), seed: seed)
    }
}
