/// The state a recurrent cell carries from one step to the next. Each cell has its own state
/// type — an LSTM carries `(h, c)`, a GRU only `h` — so passing one where the other is expected
/// does not compile. Buffers are (B, H), row-major.
package protocol RecurrentState {
    /// The hidden output h, (B, H).
    var h: FloatBuffer { get }
    /// A state of zeros.
    static func zeros(batch: Int, hidden: Int) -> Self
}

/// A recurrent layer run over whole sequences with hand-written backpropagation through time.
///
/// Sequences are time-major and contiguous: the input is (T, B, I), or (B, I) used at every step
/// when `repeated` (the RepeatVector pattern, which lets the input projection be computed once).
/// `forward` keeps what `backward` needs inside the cell, so each cell trains on one sequence at a
/// time; a `replica()` shares the weights with separate gradients and traces, for another thread.
/// `infer` writes only to the workspace it is given and reads the weights, so one cell serves any
/// number of concurrent predictions, each with its own workspace (while nobody trains it).
package protocol RecurrentCell: AnyObject {
    /// The state type this cell carries between steps.
    associatedtype State: RecurrentState
    /// Everything a run writes besides its result: the outputs, the state sequence and scratch.
    associatedtype Workspace: CellWorkspace

    /// Input features per step (I).
    var inputSize: Int { get }
    /// Hidden units (H).
    var hiddenSize: Int { get }
    /// The trainable parameters, in Keras' order.
    var parameters: [Parameter] { get }
    /// The outputs h_1...h_T of the last `forward` pass, (T, B, H).
    var outputs: UnsafePointer<Float> { get }

    /// A cell with fresh Keras-style initial weights.
    init(inputSize: Int, hiddenSize: Int, rng: inout SeededGenerator)
    /// A cell whose weights are all zero, for weights copied in next (a model file's, a trained
    /// network's): drawing the orthogonal recurrent kernel costs O(H³), 1.5 s at 1024 units.
    init(inputSize: Int, hiddenSize: Int)
    /// A cell sharing this one's weights, with its own gradients and trace.
    func replica() -> Self

    /// Runs T steps from `initial` (zeros when `nil`) and returns the final state.
    func forward(_ input: UnsafePointer<Float>, steps T: Int, batch B: Int, repeated: Bool, initial: State?) -> State
    /// Runs T steps like `forward` without keeping what `backward` needs (for prediction: less
    /// memory traffic), writing only to `workspace`, whose `outputs` hold h_1...h_T afterwards.
    /// The cell itself is not modified, so concurrent calls with distinct workspaces are safe.
    func infer(_ input: UnsafePointer<Float>, steps T: Int, batch B: Int, repeated: Bool, initial: State?,
               workspace: Workspace) -> State
    /// `infer` for a caller that reads only the final state (an encoder's last layer): the same
    /// state, bit for bit, with the workspace's `outputs` left undefined; the fused path then holds
    /// two steps of h instead of T + 1 (4 MB less per prediction batch of 256 windows of 126 steps
    /// at 32 units).
    func inferFinal(_ input: UnsafePointer<Float>, steps T: Int, batch B: Int, repeated: Bool, initial: State?,
                    workspace: Workspace) -> State
    /// Backpropagates the last forward pass. `dOutputs` (T, B, H) is the loss gradient of each
    /// output (nil: none), `dFinal` that of the final state. Parameter gradients are accumulated;
    /// the input gradient is written to `dInput` ((T, B, I), or (B, I) when repeated) when given.
    /// Returns the gradient of the initial state.
    @discardableResult
    func backward(dOutputs: UnsafePointer<Float>?, dFinal: State?, dInput: UnsafeMutablePointer<Float>?) -> State
}

/// Converts an encoder's final state into a decoder's initial state, and carries the gradient back.
/// Required whenever the two cells' states differ, so a mismatch is explicit and checked by types.
package protocol StateBridge: Sendable {
    associatedtype Source: RecurrentState
    associatedtype Target: RecurrentState
    /// The decoder's initial state made from the encoder's final one.
    func carry(_ s: Source, batch: Int, hidden: Int) -> Target
    /// The gradient with respect to the encoder's final state, from that of the decoder's initial state.
    func pullback(_ d: Target, batch: Int, hidden: Int) -> Source
}

/// Hands a state over unchanged (encoder and decoder of the same kind).
package struct IdentityBridge<S: RecurrentState>: StateBridge {
    package init() {}
    package func carry(_ s: S, batch: Int, hidden: Int) -> S { s }
    package func pullback(_ d: S, batch: Int, hidden: Int) -> S { d }
}

/// LSTM encoder to GRU decoder: the GRU starts from the LSTM's h; the cell state c is dropped,
/// so its gradient is zero.
package struct LSTMToGRUBridge: StateBridge {
    package init() {}
    package func carry(_ s: LSTMState, batch: Int, hidden: Int) -> GRUState { GRUState(h: s.h) }
    package func pullback(_ d: GRUState, batch: Int, hidden: Int) -> LSTMState {
        LSTMState(h: d.h, c: FloatBuffer(count: batch * hidden))
    }
}

/// GRU encoder to LSTM decoder: the LSTM starts from the GRU's h with c = 0.
package struct GRUToLSTMBridge: StateBridge {
    package init() {}
    package func carry(_ s: GRUState, batch: Int, hidden: Int) -> LSTMState {
        LSTMState(h: s.h, c: FloatBuffer(count: batch * hidden))
    }
    package func pullback(_ d: LSTMState, batch: Int, hidden: Int) -> GRUState { GRUState(h: d.h) }
}

/// The state of an LSTM: hidden output h and cell state c, each (B, H).
package struct LSTMState: RecurrentState {
    package var h: FloatBuffer
    package var c: FloatBuffer
    package init(h: FloatBuffer, c: FloatBuffer) { self.h = h; self.c = c }
    package static func zeros(batch: Int, hidden: Int) -> LSTMState {
        LSTMState(h: FloatBuffer(count: batch * hidden), c: FloatBuffer(count: batch * hidden))
    }
}

/// The state of a GRU: the hidden output h, (B, H).
package struct GRUState: RecurrentState {
    package var h: FloatBuffer
    package init(h: FloatBuffer) { self.h = h }
    package static func zeros(batch: Int, hidden: Int) -> GRUState { GRUState(h: FloatBuffer(count: batch * hidden)) }
}

/// The memory one run of a recurrent cell writes: its outputs, the state sequence, scratch (and,
/// for a training `forward`, what `backward` reads). A cell keeps one for training; a prediction
/// brings its own, so predictions running at once share nothing they write. Buffers grow to the
/// largest (T, B) seen and are reused, so a workspace kept across calls allocates only once.
///
/// Not `Sendable`: a workspace serves one caller at a time.
package protocol CellWorkspace: AnyObject {
    /// An empty workspace (buffers are allocated on first use).
    init()
    /// h_1...h_T of the last run into this workspace, (T, B, H).
    var outputs: UnsafePointer<Float> { get }
}

/// Grows-only trace storage shared by the cells: reallocated only when a larger (T, B) arrives.
struct TraceBuffer {
    private(set) var buffer = FloatBuffer(count: 0)
    mutating func ensure(_ n: Int) -> UnsafeMutablePointer<Float> {
        if buffer.count < n { buffer = FloatBuffer(count: n) }
        return buffer.pointer
    }
    var pointer: UnsafeMutablePointer<Float> { buffer.pointer }
}
