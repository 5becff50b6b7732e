import Foundation
import Testing
@testable import ForecastNN
import _ForecastTestSupport

/// Known-future decoder inputs (`NetworkConfig.futureSize`): gradients, prediction, causality,
/// decoding of older model files, and the unchanged futureSize-0 path.
@Suite struct FutureInputTests {
    static let pairs: [(CellKind, CellKind)] = [(.lstm, .lstm), (.gru, .gru), (.lstm, .gru), (.gru, .lstm)]

    /// Every cell pair, 1 and 2 layers, both starts, Ff 2 and 3 at hidden 4 (unfused steps; the GRU's
    /// decoder input H + Ff ≤ 8 is projected inside its step), and hidden 16 (fused steps, the GRU's
    /// input projected by a product before the loop).
    static let configurations: [NetworkConfig] = {
        var out: [NetworkConfig] = []
        for (e, d) in pairs {
            for start in DecoderStart.allCases {
                for layers in [1, 2] {
                    for future in [2, 3] {
                        out.append(NetworkConfig(inputSize: 2, horizon: 3, hiddenSize: 4, layers: layers, encoder: e, decoder: d,
                                                 decoderStart: start, futureSize: future))
                    }
                }
            }
            out.append(NetworkConfig(inputSize: 2, horizon: 2, hiddenSize: 16, layers: 2, encoder: e, decoder: d, futureSize: 2))
            out.append(NetworkConfig(inputSize: 1, horizon: 3, hiddenSize: 16, layers: 1, encoder: e, decoder: d,
                                     decoderStart: .zeros, futureSize: 3))
        }
        return out
    }()

    /// Every parameter of the whole network against central finite differences.
    @Test(arguments: configurations)
    func wholeModelGradients(config: NetworkConfig) {
        checkNetwork(config, dropoutSeed: nil)
    }

    /// The same with dropout between stacked layers: each run redraws the masks from one seed, so
    /// the loss is a fixed function of the weights.
    @Test(arguments: pairs.map { NetworkConfig(inputSize: 2, horizon: 3, hiddenSize: 4, layers: 2, encoder: $0.0, decoder: $0.1,
                                               dropout: 0.3, futureSize: 2) })
    func wholeModelGradientsWithDropout(config: NetworkConfig) {
        checkNetwork(config, dropoutSeed: 17)
    }

    private func checkNetwork(_ config: NetworkConfig, dropoutSeed: UInt64?) {
        let net = makeNetwork(config, seed: 21)
        let L = 4, B = 2, n = config.horizon * B
        let x = FloatBuffer(randomFloats(L * B * config.inputSize, seed: 4))
        let future = FloatBuffer(randomFloats(config.horizon * B * config.futureSize, seed: 6))
        let target = FloatBuffer(randomFloats(n, seed: 5))
        let dY = FloatBuffer(count: n)
        func run() -> UnsafePointer<Float> {
            guard let dropoutSeed else { return net.forward(x.pointer, future: future.pointer, lookback: L, batch: B, dropout: nil) }
            var rng = SeededGenerator(seed: dropoutSeed)
            return net.forward(x.pointer, future: future.pointer, lookback: L, batch: B, dropout: &rng)
        }
        func loss() -> Double { Loss.mse.evaluate(run(), target.pointer, count: n, gradient: nil) }
        let report = checkGradients(net.namedParameters, scale: 1e-3, loss: loss) {
            _ = Loss.mse.evaluate(run(), target.pointer, count: n, gradient: dY.pointer)
            net.backward(dY.pointer)
        }
        #expect(report.worstEntry < 3e-2, "\(config.testDescription): \(report)")
        #expect(report.directional < 2e-3, "\(config.testDescription): \(report)")
    }

    @Test(arguments: pairs.map { $0.0 }, [4, 16])
    func decoderInputWidth(encoder: CellKind, hidden: Int) {
        let config = NetworkConfig(inputSize: 2, horizon: 3, hiddenSize: hidden, layers: 2, encoder: encoder, decoder: encoder, futureSize: 3)
        let shapes = Dictionary(uniqueKeysWithValues: makeNetwork(config, seed: 1).namedParameters.map { ($0.name, $0.parameter.shape) })
        let gates = encoder == .lstm ? 4 : 3
        #expect(shapes["decoder.0.kernel"] == [hidden + 3, gates * hidden])
        #expect(shapes["decoder.1.kernel"] == [hidden, gates * hidden])
        #expect(shapes["encoder.0.kernel"] == [2, gates * hidden])
    }

    /// `predict(future:)` returns exactly what `forward(future:)` does, fused or not, and so does a replica.
    @Test(arguments: pairs.map { NetworkConfig(inputSize: 2, horizon: 3, hiddenSize: 16, layers: 2, encoder: $0.0, decoder: $0.1, futureSize: 3) }
              + pairs.map { NetworkConfig(inputSize: 3, horizon: 4, hiddenSize: 5, layers: 1, encoder: $0.0, decoder: $0.1,
                                          decoderStart: .zeros, futureSize: 2) })
    func predictionMatchesForward(config: NetworkConfig) {
        let L = 6, B = 9, n = config.horizon * B * config.outputSize
        let x = FloatBuffer(randomFloats(L * B * config.inputSize, seed: 6))
        let future = FloatBuffer(randomFloats(config.horizon * B * config.futureSize, seed: 7))
        var results: [[Float]] = []
        for fused in [true, false] {
            Kernels.$fusedSteps.withValue(fused) {
                let net = makeNetwork(config, seed: 4)
                let a = Array(UnsafeBufferPointer(start: net.forward(x.pointer, future: future.pointer, lookback: L, batch: B, dropout: nil), count: n))
                let w = InferenceWorkspace()   // kept alive: the results point into its buffers
                let b = withExtendedLifetime(w) {
                    Array(UnsafeBufferPointer(start: net.predict(x.pointer, future: future.pointer, lookback: L, batch: B, workspace: w), count: n))
                }
                let r = net.replica()
                let c = withExtendedLifetime(w) {
                    Array(UnsafeBufferPointer(start: r.predict(x.pointer, future: future.pointer, lookback: L, batch: B, workspace: w), count: n))
                }
                #expect(a == b)
                #expect(a == c, "a replica predicts the same")
                results.append(a)
            }
        }
        #expect(results[0] == results[1])
    }

    /// Changing f_h for one batch row changes that row's output at step h and maybe later, and
    /// nothing else: not earlier steps, not other rows.
    @Test(arguments: pairs.map { NetworkConfig(inputSize: 2, horizon: 4, hiddenSize: 16, layers: 2, encoder: $0.0, decoder: $0.1, futureSize: 2) }
              + pairs.map { NetworkConfig(inputSize: 2, horizon: 4, hiddenSize: 5, layers: 1, encoder: $0.0, decoder: $0.1,
                                          decoderStart: .zeros, futureSize: 3) })
    func decoderIsCausal(config: NetworkConfig) {
        let L = 5, B = 3, F = config.futureSize, steps = config.horizon, O = config.outputSize
        let net = makeNetwork(config, seed: 8)
        let x = FloatBuffer(randomFloats(L * B * config.inputSize, seed: 1))
        let base = randomFloats(steps * B * F, seed: 2)
        func outputs(_ f: [Float]) -> [Float] {
            let fb = FloatBuffer(f)
            let w = InferenceWorkspace()
            return withExtendedLifetime((fb, w)) {
                Array(UnsafeBufferPointer(start: net.predict(x.pointer, future: fb.pointer, lookback: L, batch: B, workspace: w), count: steps * B * O))
            }
        }
        let y0 = outputs(base)
        let row = 1
        for h in 0..<steps {
            var f = base
            for j in 0..<F { f[(h * B + row) * F + j] += 0.5 }
            let y = outputs(f)
            for t in 0..<steps {
                for b in 0..<B {
                    let i = (t * B + b) * O
                    let same = y[i..<(i + O)] == y0[i..<(i + O)]
                    if t < h || b != row { #expect(same, "step \(t) row \(b) changed by f at step \(h)") }
                    if t == h && b == row { #expect(!same, "step \(h) row \(b) did not change with f at step \(h)") }
                }
            }
        }
    }

    /// Model files written before `futureSize` existed decode with 0; encoding writes the key.
    @Test func decodesOlderConfigurations() throws {
        let old = #"{"inputSize":3,"outputSize":1,"hiddenSize":8,"layers":2,"horizon":5,"encoder":"gru","decoder":"lstm","decoderStart":"zeros","dropout":0.1}"#
        let config = try JSONDecoder().decode(NetworkConfig.self, from: Data(old.utf8))
        #expect(config == NetworkConfig(inputSize: 3, horizon: 5, hiddenSize: 8, layers: 2, encoder: .gru, decoder: .lstm,
                                        decoderStart: .zeros, dropout: 0.1))
        #expect(config.futureSize == 0)

        let withFuture = NetworkConfig(inputSize: 3, horizon: 5, hiddenSize: 8, futureSize: 4)
        let data = try JSONEncoder().encode(withFuture)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(object?["futureSize"] as? Int == 4)
        #expect(try JSONDecoder().decode(NetworkConfig.self, from: data) == withFuture)
        // Other keys stay required, as in the synthesized conformance.
        let missing = #"{"inputSize":3,"outputSize":1,"layers":2,"horizon":5,"encoder":"gru","decoder":"lstm","decoderStart":"zeros","dropout":0.1}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(NetworkConfig.self, from: Data(missing.utf8)) }
    }

    /// With futureSize 0 the forms with and without `future:` agree bit for bit: outputs, predictions
    /// and gradients.
    @Test(arguments: pairs.map { NetworkConfig(inputSize: 2, horizon: 3, hiddenSize: 16, layers: 2, encoder: $0.0, decoder: $0.1) }
              + pairs.map { NetworkConfig(inputSize: 2, horizon: 3, hiddenSize: 5, layers: 2, encoder: $0.0, decoder: $0.1,
                                          decoderStart: .zeros, dropout: 0.2) })
    func futureSizeZeroMatchesOldSignature(config: NetworkConfig) {
        let L = 5, B = 3, n = config.horizon * B
        let x = FloatBuffer(randomFloats(L * B * config.inputSize, seed: 3))
        let dY = FloatBuffer(randomFloats(n, seed: 4))
        func run(_ withFuture: Bool) -> (out: [Float], predicted: [Float], grads: [[Float]]) {
            let net = makeNetwork(config, seed: 9)
            var rng = SeededGenerator(seed: 5)
            let y = withFuture ? net.forward(x.pointer, future: nil, lookback: L, batch: B, dropout: &rng)
                               : net.forward(x.pointer, lookback: L, batch: B, dropout: &rng)
            let out = Array(UnsafeBufferPointer(start: y, count: n))
            net.backward(dY.pointer)
            let w = InferenceWorkspace()
            let p = withFuture ? net.predict(x.pointer, future: nil, lookback: L, batch: B, workspace: w)
                               : net.predict(x.pointer, lookback: L, batch: B, workspace: w)
            let predicted = withExtendedLifetime(w) { Array(UnsafeBufferPointer(start: p, count: n)) }
            return (out, predicted, net.parameters.map(\.grad.array))
        }
        let new = run(true), old = run(false)
        #expect(new.out == old.out)
        #expect(new.predicted == old.predicted)
        #expect(new.grads == old.grads)
    }

    /// Weights are drawn in the same order whatever futureSize is: the encoder's are identical,
    /// and futureSize 0 equals a configuration that never mentions it.
    @Test(arguments: CellKind.allCases)
    func weightsDrawnInTheSameOrder(cell: CellKind) {
        let plain = NetworkConfig(inputSize: 2, horizon: 3, hiddenSize: 5, layers: 2, encoder: cell, decoder: cell)
        var zero = plain; zero.futureSize = 0
        var two = plain; two.futureSize = 2
        let a = makeNetwork(plain, seed: 3).namedParameters, b = makeNetwork(zero, seed: 3).namedParameters
        let c = makeNetwork(two, seed: 3).namedParameters
        #expect(a.map(\.parameter.value.array) == b.map(\.parameter.value.array))
        #expect(a.map(\.name) == c.map(\.name))
        for (p, q) in zip(a, c) where p.name.hasPrefix("encoder.") {
            #expect(p.parameter.value.array == q.parameter.value.array, "\(p.name)")
        }
    }
}
