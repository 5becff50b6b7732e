import Testing
@testable import ForecastNN

/// The orthogonal initialiser (`Initializer.orthogonal`): the same bits as its naive twin, so
/// every seed keeps its weights (the Keras fixtures and recorded digests depend on them), and an
/// orthogonal result at sizes where the panel code does most of the work.
@Suite struct OrthogonalTests {
    /// The orthonormalised columns equal the twin's in every bit of every Double, and so the
    /// Float weights and the generator's state after the draw: recurrent-kernel shapes (H, 4H) and
    /// (H, 3H) around the panel width of 8 (one partial panel, exact panels, a partial last one),
    /// square and tall matrices. Checked against: the fused pass taking its dots from the elements
    /// before their update (the same in real arithmetic, the q's being orthogonal): from H = 9,
    /// where a second panel begins, 60 to 37,521 Doubles differed, while the Float weights did not,
    /// which is why the Doubles are compared.
    @Test(arguments: [1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 24, 31, 33, 64])
    func matchesNaiveTwinBitForBit(hidden H: Int) {
        for (rows, cols) in [(H, 4 * H), (H, 3 * H), (H, H), (4 * H, H)] {
            let (long, short) = (max(rows, cols), min(rows, cols))
            var rng = SeededGenerator(seed: UInt64(H))
            var nested = (0..<short).map { _ in (0..<long).map { _ in rng.normal() } }
            var flat = nested.flatMap { $0 }
            flat.withUnsafeMutableBufferPointer { Initializer.orthonormalizeColumns($0.baseAddress!, long: long, short: short) }
            Initializer.orthonormalizeColumnsNaive(&nested)
            let differing = zip(flat, nested.flatMap { $0 }).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(rows)x\(cols): \(differing) of \(flat.count) Doubles differ")

            var r1 = SeededGenerator(seed: 42), r2 = SeededGenerator(seed: 42)
            let fast = FloatBuffer(count: rows * cols), naive = FloatBuffer(count: rows * cols)
            Initializer.orthogonal(rows: rows, cols: cols, into: fast, rng: &r1)
            Initializer.orthogonalNaive(rows: rows, cols: cols, into: naive, rng: &r2)
            #expect(fast.array.map(\.bitPattern) == naive.array.map(\.bitPattern), "\(rows)x\(cols): the weights")
            #expect(r1.next() == r2.next(), "\(rows)x\(cols): both draw the same numbers")
        }
    }

    /// W·Wᵀ = I for a wide (300 x 1200) matrix and WᵀW = I for a tall one, to Float precision:
    /// 38 panels, where a lane mixed up between columns or a missed projection would show.
    @Test(arguments: [(300, 1200), (1200, 300)])
    func isOrthogonal(shape: (rows: Int, cols: Int)) {
        let (rows, cols) = shape
        var rng = SeededGenerator(seed: 3)
        let w = FloatBuffer(count: rows * cols)
        Initializer.orthogonal(rows: rows, cols: cols, into: w, rng: &rng)
        // Orthonormal vectors: rows when rows <= cols, else columns; vector a's element i at
        // w[a * step + i * stride].
        let (n, length) = (min(rows, cols), max(rows, cols))
        let (step, stride) = rows <= cols ? (cols, 1) : (1, cols)
        var worst = 0.0
        for a in 0..<n {
            for b in a..<n {
                var dot = 0.0
                for i in 0..<length { dot += Double(w[a * step + i * stride]) * Double(w[b * step + i * stride]) }
                worst = max(worst, abs(dot - (a == b ? 1 : 0)))
            }
        }
        #expect(worst < 1e-5, "largest |QᵀQ − I| entry: \(worst)")
    }

    /// A seed gives the same matrix every time, and another seed another matrix.
    @Test func deterministicForASeed() {
        func draw(_ seed: UInt64) -> [Float] {
            var rng = SeededGenerator(seed: seed)
            let w = FloatBuffer(count: 40 * 160)
            Initializer.orthogonal(rows: 40, cols: 160, into: w, rng: &rng)
            return w.array
        }
        #expect(draw(7) == draw(7))
        #expect(draw(7) != draw(8))
    }

    /// The stop request polled between panels: answering false leaves every bit as it was, and
    /// answering true returns before drawing, the weights unfinished (the caller drops them).
    @Test func pollsTheStopRequestBetweenPanels() {
        func draw(_ stop: (@Sendable () -> Bool)?) -> [Float] {
            var rng = SeededGenerator(seed: 7)
            let w = FloatBuffer(count: 40 * 160)
            Initializer.$stopRequest.withValue(stop.map(StopRequest.init)) { Initializer.orthogonal(rows: 40, cols: 160, into: w, rng: &rng) }
            return w.array
        }
        let plain = draw(nil)
        #expect(draw { false } == plain)
        #expect(draw { true } != plain)
    }

    /// A network built without a seed, for weights copied in next (loading a model file, keeping
    /// a trained network's weights), has the seeded network's parameters with every weight zero:
    /// nothing is drawn.
    @Test(arguments: CellKind.allCases)
    func unseededNetworkHasZeroWeights(cell: CellKind) {
        let config = NetworkConfig(inputSize: 2, horizon: 3, hiddenSize: 9, layers: 2, encoder: cell, decoder: cell, futureSize: 1)
        let seeded = makeNetwork(config, seed: 1), unseeded = makeNetwork(config, seed: nil)
        #expect(seeded.namedParameters.map(\.name) == unseeded.namedParameters.map(\.name))
        #expect(seeded.parameters.map(\.shape) == unseeded.parameters.map(\.shape))
        #expect(unseeded.parameters.allSatisfy { $0.value.array.allSatisfy { $0 == 0 } })
        #expect(seeded.parameters.contains { $0.value.array.contains { $0 != 0 } })
    }
}
