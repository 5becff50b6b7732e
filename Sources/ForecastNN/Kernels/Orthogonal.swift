/// Keras' `Orthogonal` initialiser, the default recurrent kernel: a (rows x cols) matrix with
/// orthonormal rows (rows <= cols) or columns, from the QR decomposition of a Gaussian matrix with
/// R's diagonal made positive. The QR is modified Gram–Schmidt on the columns of a (long x short)
/// Gaussian matrix, whose R has a positive diagonal by construction:
///
///     for j in 0..<short:
///         for k in 0..<j:  a_j -= (q_k · a_j) q_k      // the dot with the a_j updated so far
///         q_j = a_j / ‖a_j‖
///
/// `orthogonalNaive` is that loop over an array of arrays. `orthogonal` performs exactly the same
/// floating-point operations on every column, in the same order, so a seed gives the same weights
/// bit for bit (the Keras fixtures and recorded digests depend on it); only the memory traffic
/// changes. At 1024 hidden units (a 4096 x 1024 matrix) the loop over arrays took 15 s per cell
/// on the 2-vCPU test machine, spent on array-of-array overhead and on dots waiting for their own
/// additions, and `orthogonal` takes 1.5 s. The cost is 2·long·short² flops, O(H³): 12 s per cell
/// at 2048 units and 72 s at 4096, which is why `ForecasterConfig.maxHiddenSize` is 1024.
extension Initializer {
    /// Fills `w` (rows x cols, row-major) with an orthogonal matrix drawn from `rng`; see the
    /// extension's comment.
    ///
    /// - Complexity: 2·max(rows, cols)·min(rows, cols)² flops; 8·rows·cols bytes of scratch.
    package static func orthogonal(rows: Int, cols: Int, into w: FloatBuffer, rng: inout SeededGenerator) {
        if let stop = stopRequest, stop.isSet() { return }   // the caller drops the weights: draw none
        let long = max(rows, cols), short = min(rows, cols)
        // q: (short, long), column j of the Gaussian matrix at q[j * long ..< (j + 1) * long], drawn
        // column by column as the naive loop draws them.
        let q = UnsafeMutablePointer<Double>.allocate(capacity: short * long)
        defer { q.deallocate() }
        for t in 0..<(short * long) { q[t] = rng.normal() }
        orthonormalizeColumns(q, long: long, short: short)
        for r in 0..<rows {
            for c in 0..<cols { w[r * cols + c] = Float(rows < cols ? q[r * long + c] : q[c * long + r]) }
        }
    }

    /// Eight columns side by side: one row of a panel.
    typealias Panel = SIMD8<Double>

    /// Polled before the draw and between panels (a few milliseconds apart at 1024 units): once
    /// it is set, `orthogonal` returns at once, its weights unfinished. Task-local, set by a caller
    /// that then drops the network (`fit`: a network of 1024 units and 16 layers takes 50 s to
    /// build, which a stop request could not cut short).
    @TaskLocal package static var stopRequest: StopRequest? = nil

    /// Modified Gram–Schmidt, in place, on the `short` columns of length `long` at `q` (column j at
    /// j * long). Columns are taken eight at a time into a panel stored row by row, so that one
    /// `Panel` holds row i of all eight. Each lane's dot product is still a sequential sum over i,
    /// but eight run side by side (the naive loop's single sum waits on every addition), and each
    /// q_k is read once for the eight columns. Lanes never mix, and Swift neither fuses `a * b + c`
    /// nor reorders it, so each column sees the naive loop's operations exactly.
    static func orthonormalizeColumns(_ q: UnsafeMutablePointer<Double>, long: Int, short: Int) {
        let p = UnsafeMutablePointer<Panel>.allocate(capacity: long)   // (long, 8): row i at p[i]
        defer { p.deallocate() }
        let stop = stopRequest
        var first = 0
        while first < short {
            if let stop, stop.isSet() { return }
            let width = min(Panel.scalarCount, short - first)
            for i in 0..<long {
                var row = Panel()   // lanes past `width` stay zero: their dots are 0, they never change
                for lane in 0..<width { row[lane] = q[(first + lane) * long + i] }
                p[i] = row
            }
            projectFinished(q, out: p, long: long, count: first)
            finishPanel(q, p, long: long, first: first, width: width)
            first += width
        }
    }

    /// a ← a − (q_k · a) q_k in every lane of the panel, for the finished columns k = 0..<count in
    /// order. The update by q_k and the dots with q_{k+1} share one pass over the panel: each dot
    /// reads an element just after its update wrote it, the value the naive loop's next pass reads.
    static func projectFinished(_ q: UnsafePointer<Double>, out p: UnsafeMutablePointer<Panel>, long: Int, count: Int) {
        guard count > 0 else { return }
        var d = dots(q, p, long: long)
        for k in 0..<(count - 1) {
            let qk = q + k * long, next = qk + long
            var e = Panel()
            for i in 0..<long {
                let a = p[i] - d * Panel(repeating: qk[i])
                p[i] = a
                e += Panel(repeating: next[i]) * a
            }
            d = e
        }
        subtract(d, q + (count - 1) * long, from: p, long: long)
    }

    /// Finishes the panel's columns first..<first + width, whose projections on the earlier panels
    /// are done: each is normalised into q, then projected out of the panel. Lanes up to its own
    /// change too, harmlessly: they are finished and not read again.
    static func finishPanel(_ q: UnsafeMutablePointer<Double>, _ p: UnsafeMutablePointer<Panel>, long: Int,
                            first: Int, width: Int) {
        for lane in 0..<width {
            var norm = 0.0
            for i in 0..<long { norm += p[i][lane] * p[i][lane] }
            norm = norm.squareRoot()
            let qk = q + (first + lane) * long
            for i in 0..<long { qk[i] = p[i][lane] / norm }
            if lane + 1 < width { subtract(dots(qk, p, long: long), qk, from: p, long: long) }
        }
    }

    /// q_k · a for each lane's column a, summed over i in order.
    @inline(__always)
    static func dots(_ qk: UnsafePointer<Double>, _ p: UnsafePointer<Panel>, long: Int) -> Panel {
        var d = Panel()
        for i in 0..<long { d += Panel(repeating: qk[i]) * p[i] }
        return d
    }

    /// a ← a − d q_k in each lane.
    @inline(__always)
    static func subtract(_ d: Panel, _ qk: UnsafePointer<Double>, from p: UnsafeMutablePointer<Panel>, long: Int) {
        for i in 0..<long { p[i] = p[i] - d * Panel(repeating: qk[i]) }
    }

    /// The reference twin of `orthogonal`: the same draws and the same modified Gram–Schmidt, as
    /// the textbook loop over `[[Double]]`. Tests check that both give the same bits.
    package static func orthogonalNaive(rows: Int, cols: Int, into w: FloatBuffer, rng: inout SeededGenerator) {
        let long = max(rows, cols), short = min(rows, cols)
        var q = [[Double]](repeating: [Double](repeating: 0, count: long), count: short)
        for j in 0..<short { for i in 0..<long { q[j][i] = rng.normal() } }
        orthonormalizeColumnsNaive(&q)
        for r in 0..<rows {
            for c in 0..<cols {
                w[r * cols + c] = Float(rows < cols ? q[r][c] : q[c][r])
            }
        }
    }

    /// The reference twin of `orthonormalizeColumns`: modified Gram–Schmidt on the columns `q[j]`.
    static func orthonormalizeColumnsNaive(_ q: inout [[Double]]) {
        for j in q.indices {
            for k in 0..<j {
                var dot = 0.0
                for i in q[j].indices { dot += q[k][i] * q[j][i] }
                for i in q[j].indices { q[j][i] -= dot * q[k][i] }
            }
            var norm = 0.0
            for i in q[j].indices { norm += q[j][i] * q[j][i] }
            norm = norm.squareRoot()
            for i in q[j].indices { q[j][i] /= norm }
        }
    }
}

/// A stop request that a long computation polls (`Initializer.stopRequest`). A class rather than a
/// bare closure: a task-local of optional function type crashes the Swift 6.3 runtime on Linux
/// (`swift_task_localValuePush` reads through a bad pointer).
package final class StopRequest: Sendable {
    /// Whether to stop; once it answers true it must keep doing so, as a stop request does.
    package let isSet: @Sendable () -> Bool

    /// A request read by calling `isSet`.
    package init(_ isSet: @escaping @Sendable () -> Bool) { self.isSet = isSet }
}
