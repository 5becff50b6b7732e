import Testing
@testable import ForecastNN
import _ForecastTestSupport

/// A weighted sum of outputs (fixed random weights) makes every output's gradient distinct.
private func weightedSum(_ y: UnsafePointer<Float>, _ w: [Float]) -> Double {
    var s = 0.0
    for i in 0..<w.count { s += Double(y[i]) * Double(w[i]) }
    return s
}

private func named(_ ps: [Parameter], _ prefix: String) -> [(name: String, parameter: Parameter)] {
    ps.map { ("\(prefix).\($0.name)", $0) }
}

/// Runs one cell with a non-trivial initial state and output-gradient at every step, checking
/// parameters, the input gradient and the initial-state gradient.
private func checkCell<C: RecurrentCell>(_ make: (inout SeededGenerator) -> C, repeated: Bool,
                                         initial: (Int, Int) -> C.State, stateBuffers: (C.State) -> [FloatBuffer]) {
    var rng = SeededGenerator(seed: 11)
    let cell = make(&rng)
    let T = 4, B = 2, I = cell.inputSize, H = cell.hiddenSize
    let x = FloatBuffer(randomFloats((repeated ? 1 : T) * B * I, seed: 5))
    let s0 = initial(B, H)
    let wOut = randomFloats(T * B * H, seed: 6)
    let wFinal = randomFloats(B * H, seed: 7)
    func loss() -> Double {
        let f = cell.forward(x.pointer, steps: T, batch: B, repeated: repeated, initial: s0)
        return weightedSum(cell.outputs, wOut) + weightedSum(f.h.pointer, wFinal)
    }
    let dx = FloatBuffer(count: x.count)
    var dInitial: C.State?
    // The input and the initial state are checked as if they were parameters.
    let xParam = Parameter("x", shape: [x.count]); xParam.value.copy(from: x)
    func gradients() {
        _ = cell.forward(x.pointer, steps: T, batch: B, repeated: repeated, initial: s0)
        let dFinal = C.State.zeros(batch: B, hidden: H)
        for i in 0..<(B * H) { dFinal.h[i] = wFinal[i] }
        dInitial = cell.backward(dOutputs: wOut, dFinal: dFinal, dInput: dx.pointer)
    }
    let report = checkGradients(named(cell.parameters, "cell"), loss: loss, gradients: gradients)
    #expect(report.worstEntry < 2e-2, "\(report)")
    #expect(report.directional < 2e-3, "\(report)")
    // Input gradient and initial-state gradient, by finite differences on the buffers themselves.
    expectFiniteDifferences(of: x, match: dx, loss: loss, label: "dx")
    for (buffer, d) in zip(stateBuffers(s0), stateBuffers(dInitial!)) {
        expectFiniteDifferences(of: buffer, match: d, loss: loss, label: "dState")
    }
}

/// Checks every entry of `analytic` against a central difference of `loss` in `buffer` (step 1e-2,
/// tolerance 2% of the derivative with a 2e-4 floor: Float forward passes, see checkGradients).
private func expectFiniteDifferences(of buffer: FloatBuffer, match analytic: FloatBuffer, loss: () -> Double, label: String) {
    for i in 0..<buffer.count {
        let saved = buffer[i]
        buffer[i] = saved + 1e-2; let up = loss()
        buffer[i] = saved - 1e-2; let down = loss()
        buffer[i] = saved
        let numeric = (up - down) / 2e-2
        #expect(abs(numeric - Double(analytic[i])) <= 2e-2 * max(1e-2, abs(numeric)), "\(label)[\(i)]")
    }
}

@Suite struct GradientTests {
    /// Hidden size 5 runs the unfused step, 16 the fused one (`Kernels.lstmStep`, `gruStep`).
    @Test(arguments: [false, true], [5, 16])
    func lstmCell(repeated: Bool, hidden: Int) {
        checkCell({ LSTMCell(inputSize: 3, hiddenSize: hidden, rng: &$0) }, repeated: repeated,
                  initial: { b, h in LSTMState(h: FloatBuffer(randomFloats(b * h, seed: 8)), c: FloatBuffer(randomFloats(b * h, seed: 9))) },
                  stateBuffers: { [$0.h, $0.c] })
    }

    /// Input width 3 is projected inside the fused GRU step, 12 by a product before it.
    @Test(arguments: [false, true], [(3, 5), (3, 16), (12, 16)])
    func gruCell(repeated: Bool, sizes: (input: Int, hidden: Int)) {
        checkCell({ GRUCell(inputSize: sizes.input, hiddenSize: sizes.hidden, rng: &$0) }, repeated: repeated,
                  initial: { b, h in GRUState(h: FloatBuffer(randomFloats(b * h, seed: 8))) },
                  stateBuffers: { [$0.h] })
    }

    @Test func dense() {
        var rng = SeededGenerator(seed: 3)
        let d = Dense(inputSize: 4, outputSize: 3, rng: &rng)
        for i in 0..<3 { d.bias.value[i] = Float(i) * 0.1 }
        let x = FloatBuffer(randomFloats(5 * 4, seed: 1))
        let w = randomFloats(15, seed: 2)
        let dx = FloatBuffer(count: 20)
        let report = checkGradients(named(d.parameters, "dense"),
                                    loss: { weightedSum(d.forward(x.pointer, rows: 5), w) },
                                    gradients: { _ = d.forward(x.pointer, rows: 5); d.backward(w, dInput: dx.pointer) })
        #expect(report.worstEntry < 1e-2, "\(report)")
        for i in 0..<20 {
            var expected: Float = 0
            for o in 0..<3 { expected += w[(i / 4) * 3 + o] * d.kernel.value[(i % 4) * 3 + o] }
            #expect(abs(dx[i] - expected) < 1e-5)
        }
    }

    static let configurations: [NetworkConfig] = {
        var out: [NetworkConfig] = []
        for (e, d) in [(CellKind.lstm, CellKind.lstm), (.gru, .gru), (.lstm, .gru), (.gru, .lstm)] {
            for start in DecoderStart.allCases {
                out.append(NetworkConfig(inputSize: 3, horizon: 3, hiddenSize: 4, layers: 2, encoder: e, decoder: d, decoderStart: start))
            }
            out.append(NetworkConfig(inputSize: 1, horizon: 2, hiddenSize: 5, layers: 1, encoder: e, decoder: d))
            out.append(NetworkConfig(inputSize: 2, horizon: 2, hiddenSize: 16, layers: 2, encoder: e, decoder: d))   // fused steps
        }
        return out
    }()

    @Test(arguments: configurations)
    func wholeModel(config: NetworkConfig) {
        let net = makeNetwork(config, seed: 21)
        let L = 5, B = 2
        let x = FloatBuffer(randomFloats(L * B * config.inputSize, seed: 4))
        let target = FloatBuffer(randomFloats(config.horizon * B, seed: 5))
        let n = config.horizon * B
        let dY = FloatBuffer(count: n)
        func loss() -> Double { Loss.mse.evaluate(net.forward(x.pointer, lookback: L, batch: B, dropout: nil), target.pointer, count: n, gradient: nil) }
        let report = checkGradients(net.namedParameters, scale: 1e-3, loss: loss) {
            let y = net.forward(x.pointer, lookback: L, batch: B, dropout: nil)
            _ = Loss.mse.evaluate(y, target.pointer, count: n, gradient: dY.pointer)
            net.backward(dY.pointer)
        }
        #expect(report.worstEntry < 3e-2, "\(config.encoder)->\(config.decoder) \(config.decoderStart) \(config.layers) layers: \(report)")
        #expect(report.directional < 2e-3, "\(report)")
    }

    @Test(arguments: Loss.allCases)
    func losses(loss: Loss) {
        let p = FloatBuffer([0.3, -2, 1.5, 0.9]), t = FloatBuffer([0, 0, 0, 1])
        let g = FloatBuffer(count: 4)
        _ = loss.evaluate(p.pointer, t.pointer, count: 4, gradient: g.pointer)
        for i in 0..<4 {
            let saved = p[i]
            p[i] = saved + 1e-3; let up = loss.evaluate(p.pointer, t.pointer, count: 4, gradient: nil)
            p[i] = saved - 1e-3; let down = loss.evaluate(p.pointer, t.pointer, count: 4, gradient: nil)
            p[i] = saved
            #expect(abs((up - down) / 2e-3 - Double(g[i])) < 1e-3)
        }
        #expect(abs(Loss.mse.evaluate(p.pointer, t.pointer, count: 4, gradient: nil) - (0.09 + 4 + 2.25 + 0.01) / 4) < 1e-6)
        #expect(abs(Loss.huber.evaluate(p.pointer, t.pointer, count: 4, gradient: nil) - (0.045 + 1.5 + 1.0 + 0.005) / 4) < 1e-6)
    }
}

extension NetworkConfig: CustomTestStringConvertible {
    public var testDescription: String {
        "\(encoder)->\(decoder) start=\(decoderStart.rawValue) layers=\(layers) I=\(inputSize) H=\(hiddenSize)"
            + (futureSize > 0 ? " Ff=\(futureSize)" : "") + (dropout > 0 ? " dropout=\(dropout)" : "")
    }
}
