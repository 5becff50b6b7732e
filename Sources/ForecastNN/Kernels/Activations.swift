#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Vectorised activations. A 64-unit LSTM evaluates ~8k gate activations per step at batch 32;
/// with scalar `expf` they would cost more than the matrix products, so `exp` is computed on
/// SIMD16 lanes (Cephes' polynomial after range reduction, about 1 ulp on the clamped range).
/// The naive twins use libm and are the tests' reference. On x86-64 the passes over arrays run in C
/// (CForecastKernels; see `Kernels.backend`), with the code here as their twin.
package enum Activations {
    typealias V = SIMD16<Float>

    /// e^x on 16 lanes; inputs are clamped to [-87.3, 88.7] (the finite range of Float); NaN gives NaN.
    ///
    /// Only plain lane-wise float and integer arithmetic is used, so the whole function compiles to
    /// vector instructions: rounding to the nearest integer and building 2^n both come from adding
    /// 1.5·2^23, whose low mantissa bits then hold n (generic SIMD conversions and `rounded` are
    /// lowered lane by lane and cost 10x more).
    @inline(__always)
    static func exp(_ x0: V) -> V {
        // Trap: not pointwiseMax/pointwiseMin, which are IEEE maxNum/minNum and return the number when
        // the other operand is NaN (NaN became -87.3: sigmoid(NaN) was 1, tanh(NaN) -1, hiding
        // divergence). These selects are false for NaN, which then flows through the polynomial.
        let lo = V(repeating: -87.3), hi = V(repeating: 88.7)
        var x = x0.replacing(with: lo, where: x0 .< lo)
        x.replace(with: hi, where: x .> hi)
        let magic = V(repeating: 12582912)              // 1.5 * 2^23
        let shifted = magic.addingProduct(x, V(repeating: 1.44269504088896341))  // low mantissa bits: round(x / ln 2)
        let n = shifted - magic
        // r = x - n·ln 2 in two parts (Cody–Waite), then the polynomial, each step one fused multiply-add.
        let r = x.addingProduct(n, V(repeating: -0.693359375)).addingProduct(n, V(repeating: 2.12194440e-4))
        var p = V(repeating: 1.9875691500e-4)
        p = V(repeating: 1.3981999507e-3).addingProduct(p, r)
        p = V(repeating: 8.3334519073e-3).addingProduct(p, r)
        p = V(repeating: 4.1665795894e-2).addingProduct(p, r)
        p = V(repeating: 1.6666665459e-1).addingProduct(p, r)
        p = V(repeating: 5.0000001201e-1).addingProduct(p, r)
        p = (r + 1).addingProduct(p, r * r)
        // 2^n: the integer in `shifted`'s mantissa, re-based on the exponent bias, moved into place.
        let k = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- SIMD16<Int32>(repeating: 0x4B40_0000 - 127)
        return p * unsafeBitCast(k &* SIMD16<Int32>(repeating: 1 << 23), to: V.self)
    }

    /// The logistic function 1/(1 + e^{-x}): exactly 0 and 1 at ∓∞, NaN for NaN.
    @inline(__always) static func sigmoid(_ x: V) -> V { 1 / (1 + exp(-x)) }

    /// tanh as 1 - 2/(e^{2x} + 1): exact at ±∞ and 0, absolute error below 1e-7, NaN for NaN.
    @inline(__always) static func tanh(_ x: V) -> V { 1 - 2 / (exp(x + x) + 1) }

    /// x[i] = sigmoid(x[i]) for i in 0..<n.
    package static func sigmoid(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        if Kernels.reference { for k in 0..<n { x[k] = sigmoidNaive(x[k]) }; return }
        if let native = Kernels.native { return native.sigmoid(x, n) }
        var i = 0
        while i + 16 <= n {
            Kernels.store(sigmoid(Kernels.load(x + i)), x + i); i += 16
        }
        while i < n { x[i] = scalarSigmoid(x[i]); i += 1 }
    }

    /// x[i] = tanh(x[i]) for i in 0..<n.
    package static func tanh(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        if Kernels.reference { for k in 0..<n { x[k] = tanhNaive(x[k]) }; return }
        if let native = Kernels.native { return native.tanh(x, n) }
        var i = 0
        while i + 16 <= n {
            Kernels.store(tanh(Kernels.load(x + i)), x + i); i += 16
        }
        while i < n { x[i] = scalarTanh(x[i]); i += 1 }
    }

    /// The scalar versions use the same formulas (for remainders, so results never depend on
    /// where an element falls in a vector).
    @inline(__always) static func scalarSigmoid(_ x: Float) -> Float {
        var v = V(); v[0] = x
        return sigmoid(v)[0]
    }

    @inline(__always) static func scalarTanh(_ x: Float) -> Float {
        var v = V(); v[0] = x
        return tanh(v)[0]
    }

    /// Reference: libm's logistic function.
    package static func sigmoidNaive(_ x: Float) -> Float { 1 / (1 + expf(-x)) }
    /// Reference: libm's tanh.
    package static func tanhNaive(_ x: Float) -> Float { tanhf(x) }
}
