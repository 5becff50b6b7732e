/// A fully connected layer y = x·W + b, applied to every row of its input — which is how
/// Keras' `TimeDistributed(Dense(O))` acts on a (T, B, H) sequence stored as T·B rows.
///
/// `kernel` W is (I, O), glorot-uniform; `bias` b is (O), zeros (Keras' defaults).
///
/// - Complexity: 2·N·I·O flops forward for N rows.
package final class Dense {
    /// Input features (I).
    package let inputSize: Int
    /// Output features (O).
    package let outputSize: Int
    /// W, (I, O).
    package let kernel: Parameter
    /// b, (O).
    package let bias: Parameter
    /// The parameters, in Keras' order.
    package var parameters: [Parameter] { [kernel, bias] }

    private var rows = 0
    private var xs = TraceBuffer()   // (N, I), kept for backward
    private var ys = TraceBuffer()   // (N, O)
    private var wt = TraceBuffer()   // Wᵀ and xᵀ scratch

    /// A layer with fresh Keras-style weights.
    package convenience init(inputSize: Int, outputSize: Int, rng: inout SeededGenerator) {
        self.init(inputSize: inputSize, outputSize: outputSize)
        Initializer.glorotUniform(rows: inputSize, cols: outputSize, into: kernel.value, rng: &rng)
    }

    /// A layer whose weights are all zero, for weights copied in next.
    package init(inputSize: Int, outputSize: Int) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        kernel = Parameter("kernel", shape: [inputSize, outputSize])
        bias = Parameter("bias", shape: [outputSize])
    }

    private init(sharing other: Dense) {
        inputSize = other.inputSize
        outputSize = other.outputSize
        kernel = Parameter(sharing: other.kernel)
        bias = Parameter(sharing: other.bias)
    }

    /// A layer sharing this one's weights with its own gradients and trace.
    package func replica() -> Dense { Dense(sharing: self) }

    /// y (N, O) for x (N, I); the result stays valid until the next forward.
    package func forward(_ x: UnsafePointer<Float>, rows N: Int) -> UnsafePointer<Float> {
        let I = inputSize, O = outputSize
        rows = N
        let xc = xs.ensure(N * I)
        xc.update(from: x, count: N * I)
        let y = ys.ensure(N * O)
        infer(xc, rows: N, into: y)
        return UnsafePointer(y)
    }

    /// Writes y (N, O) for x (N, I) to `y` without keeping x for `backward` (prediction). Reads
    /// only the weights, so concurrent calls writing to distinct `y` are safe.
    package func infer(_ x: UnsafePointer<Float>, rows N: Int, into y: UnsafeMutablePointer<Float>) {
        let O = outputSize
        for r in 0..<N { (y + r * O).update(from: bias.value.pointer, count: O) }
        Kernels.gemm(N, O, inputSize, x, inputSize, kernel.value.pointer, O, y, O, accumulate: true)
    }

    /// Accumulates dW += xᵀ·dy and db += Σ dy; writes dx = dy·Wᵀ (N, I).
    package func backward(_ dy: UnsafePointer<Float>, dInput dx: UnsafeMutablePointer<Float>) {
        let I = inputSize, O = outputSize, N = rows
        let s = wt.ensure(O * I + I * N)
        Kernels.transpose(I, O, kernel.value.pointer, O, s)
        Kernels.gemm(N, I, O, dy, O, s, I, dx, I, accumulate: false)
        let xt = s + O * I
        Kernels.transpose(N, I, xs.pointer, I, xt)
        Kernels.gemm(I, O, N, xt, N, dy, O, kernel.grad.pointer, O, accumulate: true)
        Kernels.addColumnSums(N, O, dy, bias.grad.pointer)
    }
}
