import Foundation
import Testing
@testable import ForecastNN

/// Fixtures written once by scripts/make_keras_fixtures.py (Keras 3, TensorFlow CPU): the plain
/// Keras RepeatVector model, its weights, a batch, its forward output, and the weights after one
/// Adam step on MSE.
private struct KerasFixture: Decodable {
    struct Tensor: Decodable { var shape: [Int]; var values: [Float] }
    var keras_version: String
    var cell: String
    var lookback: Int, features: Int, hidden: Int, horizon: Int, batch: Int
    var weights: [String: Tensor]
    var x_batch_major: [Float]
    var y_batch_major: [Float]
    var prediction_batch_major: [Float]
    var loss: Double
    var weights_after_one_adam_step: [String: Tensor]

    static func load(_ cell: String) throws -> KerasFixture {
        let url = Bundle.module.url(forResource: "keras_\(cell)", withExtension: "json", subdirectory: "Fixtures")!
        return try JSONDecoder().decode(KerasFixture.self, from: Data(contentsOf: url))
    }

    /// (B, T, F) batch-major → (T, B, F) time-major.
    func timeMajor(_ v: [Float], steps T: Int, features F: Int) -> [Float] {
        var out = [Float](repeating: 0, count: v.count)
        for b in 0..<batch { for t in 0..<T { for f in 0..<F { out[(t * batch + b) * F + f] = v[(b * T + t) * F + f] } } }
        return out
    }
}

@Suite struct KerasParityTests {
    @Test(arguments: ["lstm", "gru"])
    func forwardAndOneAdamStepMatchKeras(cell: String) throws {
        let fx = try KerasFixture.load(cell)
        let kind = CellKind(rawValue: cell)!
        let net = makeNetwork(NetworkConfig(inputSize: fx.features, horizon: fx.horizon, hiddenSize: fx.hidden,
                                            encoder: kind, decoder: kind, decoderStart: .zeros), seed: 1)
        for (name, p) in net.namedParameters {
            let t = try #require(fx.weights[name], "fixture has no \(name)")
            #expect(t.shape == p.shape, "\(name): Keras shape \(t.shape), ours \(p.shape)")
            p.value.copy(from: FloatBuffer(t.values))
        }
        let x = FloatBuffer(fx.timeMajor(fx.x_batch_major, steps: fx.lookback, features: fx.features))
        let y = FloatBuffer(fx.timeMajor(fx.y_batch_major, steps: fx.horizon, features: 1))
        let expected = fx.timeMajor(fx.prediction_batch_major, steps: fx.horizon, features: 1)
        let out = net.forward(x.pointer, lookback: fx.lookback, batch: fx.batch, dropout: nil)
        var worst: Float = 0
        for i in 0..<expected.count { worst = max(worst, abs(out[i] - expected[i])) }
        #expect(worst <= 1e-5, "forward: max |ours - Keras| = \(worst)")

        let n = fx.horizon * fx.batch
        let dY = FloatBuffer(count: n)
        let loss = Loss.mse.evaluate(out, y.pointer, count: n, gradient: dY.pointer)
        #expect(abs(loss - fx.loss) <= 1e-5)
        net.zeroGradients()
        net.backward(dY.pointer)
        let adam = Adam(parameters: net.parameters, learningRate: 1e-3)
        adam.update(net.parameters)
        var worstStep: Float = 0
        for (name, p) in net.namedParameters {
            let after = fx.weights_after_one_adam_step[name]!.values
            for i in 0..<p.count { worstStep = max(worstStep, abs(p.value[i] - after[i])) }
        }
        #expect(worstStep <= 1e-4, "after one Adam step: max |ours - Keras| = \(worstStep)")
    }
}
