import Testing
@testable import ForecastNN
import _ForecastTestSupport

/// The fused steps against their twin, the unfused path (one gate product, then activation passes):
/// same sums in the same order, same activation functions, so every output, state, trace-driven
/// gradient and prediction must be bit-identical — for full and partial 4-row blocks, inputs
/// projected inside or outside the step, repeated inputs, and the inference path.
@Suite struct FusedStepTests {
    struct Run: Equatable {
        var outputs: [Float], final: [[Float]], gradients: [[Float]], dInput: [Float], inferred: [Float]
    }

    /// Forward, backward and inference of a fresh cell, fused or not.
    func run<C: RecurrentCell>(_ make: (inout SeededGenerator) -> C, fused: Bool, T: Int, B: Int, repeated: Bool,
                               initial: (Int, Int) -> C.State, state: (C.State) -> [FloatBuffer]) -> Run {
        Kernels.$fusedSteps.withValue(fused) {
            var rng = SeededGenerator(seed: 5)
            let cell = make(&rng)
            let I = cell.inputSize, H = cell.hiddenSize
            let x = FloatBuffer(randomFloats((repeated ? 1 : T) * B * I, seed: 1))
            let s0 = initial(B, H)
            let f = cell.forward(x.pointer, steps: T, batch: B, repeated: repeated, initial: s0)
            let outputs = Array(UnsafeBufferPointer(start: cell.outputs, count: T * B * H))
            let dOut = randomFloats(T * B * H, seed: 2)
            let dFinal = C.State.zeros(batch: B, hidden: H)
            for (i, v) in randomFloats(B * H, seed: 3).enumerated() { dFinal.h[i] = v }
            let dx = FloatBuffer(count: x.count)
            let d0 = cell.backward(dOutputs: dOut, dFinal: dFinal, dInput: dx.pointer)
            let g = cell.parameters.map(\.grad.array) + state(d0).map(\.array)
            let w = C.Workspace()
            _ = cell.infer(x.pointer, steps: T, batch: B, repeated: repeated, initial: s0, workspace: w)
            let inferred = withExtendedLifetime(w) { Array(UnsafeBufferPointer(start: w.outputs, count: T * B * H)) }
            // Inference writes only to its workspace: the training trace is untouched.
            #expect(Array(UnsafeBufferPointer(start: cell.outputs, count: T * B * H)) == outputs)
            return Run(outputs: outputs, final: state(f).map(\.array), gradients: g, dInput: dx.array, inferred: inferred)
        }
    }

    static let shapes: [(input: Int, hidden: Int, batch: Int)] = [(1, 16, 1), (1, 32, 7), (3, 16, 8), (12, 16, 5), (1, 64, 9), (2, 16, 17), (1, 32, 12)]

    @Test(arguments: shapes, [false, true])
    func lstmMatchesUnfused(shape: (input: Int, hidden: Int, batch: Int), repeated: Bool) {
        let make = { (r: inout SeededGenerator) in LSTMCell(inputSize: shape.input, hiddenSize: shape.hidden, rng: &r) }
        let initial = { (b: Int, h: Int) in LSTMState(h: FloatBuffer(randomFloats(b * h, seed: 8)), c: FloatBuffer(randomFloats(b * h, seed: 9))) }
        let fused = run(make, fused: true, T: 5, B: shape.batch, repeated: repeated, initial: initial, state: { [$0.h, $0.c] })
        let unfused = run(make, fused: false, T: 5, B: shape.batch, repeated: repeated, initial: initial, state: { [$0.h, $0.c] })
        #expect(fused == unfused)
        #expect(fused.inferred == fused.outputs, "inference equals the training forward")
    }

    @Test(arguments: shapes, [false, true])
    func gruMatchesUnfused(shape: (input: Int, hidden: Int, batch: Int), repeated: Bool) {
        let make = { (r: inout SeededGenerator) in GRUCell(inputSize: shape.input, hiddenSize: shape.hidden, rng: &r) }
        let initial = { (b: Int, h: Int) in GRUState(h: FloatBuffer(randomFloats(b * h, seed: 8))) }
        let fused = run(make, fused: true, T: 5, B: shape.batch, repeated: repeated, initial: initial, state: { [$0.h] })
        let unfused = run(make, fused: false, T: 5, B: shape.batch, repeated: repeated, initial: initial, state: { [$0.h] })
        #expect(fused == unfused)
        #expect(fused.inferred == fused.outputs, "inference equals the training forward")
    }

    /// A whole network: `predict` returns exactly what `forward` does, fused or not.
    @Test(arguments: CellKind.allCases)
    func networkPredictionMatchesForward(cell: CellKind) {
        let config = NetworkConfig(inputSize: 2, horizon: 3, hiddenSize: 16, layers: 2, encoder: cell, decoder: cell == .lstm ? .gru : .lstm)
        var results: [[Float]] = []
        for fused in [true, false] {
            Kernels.$fusedSteps.withValue(fused) {
                let net = makeNetwork(config, seed: 4)
                let x = FloatBuffer(randomFloats(6 * 9 * 2, seed: 6))
                let a = Array(UnsafeBufferPointer(start: net.forward(x.pointer, lookback: 6, batch: 9, dropout: nil), count: 27))
                let w = InferenceWorkspace()
                let b = withExtendedLifetime(w) {
                    Array(UnsafeBufferPointer(start: net.predict(x.pointer, lookback: 6, batch: 9, workspace: w), count: 27))
                }
                #expect(a == b)
                results.append(a)
            }
        }
        #expect(results[0] == results[1])
    }
}
