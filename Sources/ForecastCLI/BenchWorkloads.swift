import Foundation
import ForecastKit

/// Implementations of the benchmark workloads; see `Bench` and shared/BENCHMARKS.md.
enum BenchWorkloads {
    static let L = 48, H = 12
    /// Windows per training batch (the protocol's).
    static let batch = 32

    /// The protocol's series: sin(2πt/24) + 0.5 sin(2πt/168) + 0.1 N(0,1), z-scored, as Float.
    static func series(_ n: Int = 10_000) -> [Float] {
        var rng = SeededGenerator(seed: 2024)
        let x = (0..<n).map { t in sin(2 * .pi * Double(t) / 24) + 0.5 * sin(2 * .pi * Double(t) / 168) + 0.1 * rng.normal() }
        let s = Scaler(fitting: x, kind: .standard)
        return x.map { Float(s.transform($0)) }
    }

    /// Matrix-product flops per window, forward, as the protocol counts them.
    static func flopsPerWindow(cell: CellKind, hidden: Int) -> Double {
        let g = Double(cell == .lstm ? 4 : 3) * Double(hidden)
        return Double(L) * 2 * (1 + Double(hidden)) * g + Double(H) * 2 * (2 * Double(hidden)) * g + Double(H) * 2 * Double(hidden)
    }

    static func network(_ cell: CellKind, hidden: Int) -> any SequenceModel {
        makeNetwork(NetworkConfig(inputSize: 1, horizon: H, hiddenSize: hidden, encoder: cell, decoder: cell, decoderStart: .zeros), seed: 1)
    }

    static func gather(_ v: [Float], _ starts: ArraySlice<Int>, _ x: FloatBuffer, _ y: FloatBuffer) {
        let B = starts.count
        for (b, s) in starts.enumerated() {
            for t in 0..<L { x[t * B + b] = v[s + t] }
            for h in 0..<H { y[h * B + b] = v[s + L + h] }
        }
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// S2S-TRAIN: windows per second over epochs 2...epochs, and achieved GFLOP/s (3x forward flops).
    static func train(cell: CellKind, hidden: Int, threads: Int, epochs: Int) -> (Double, Double) {
        let v = series()
        let n = v.count - L - H + 1
        let net = network(cell, hidden: hidden)
        let params = net.parameters
        let adam = Adam(parameters: params, learningRate: 1e-3)
        let B = batch
        let replicas = threads > 1 ? (0..<threads).map { _ in net.replica() } : []
        var order = Array(0..<n)
        var rng = SeededGenerator(seed: 5)
        let xs = (0..<threads).map { _ in FloatBuffer(count: L * B) }, ys = (0..<threads).map { _ in FloatBuffer(count: H * B) }
        let ds = (0..<threads).map { _ in FloatBuffer(count: H * B) }
        var timed = 0.0, windows = 0
        for epoch in 1...max(2, epochs) {
            rng.shuffle(&order)
            let t0 = now()
            var i = 0
            while i < n {
                let batch = order[i..<min(i + B, n)]
                i += B
                net.zeroGradients()
                if threads == 1 {
                    gather(v, batch, xs[0], ys[0])
                    let out = net.forward(xs[0].pointer, lookback: L, batch: batch.count, dropout: nil)
                    _ = Loss.mse.evaluate(out, ys[0].pointer, count: H * batch.count, gradient: ds[0].pointer)
                    net.backward(ds[0].pointer)
                } else {
                    let parts = (0..<threads).map { k in (batch.count * k / threads)..<(batch.count * (k + 1) / threads) }
                    for (k, p) in parts.enumerated() {
                        gather(v, batch[(batch.startIndex + p.lowerBound)..<(batch.startIndex + p.upperBound)], xs[k], ys[k])
                    }
                    nonisolated(unsafe) let reps = replicas
                    let (xu, yu, du) = (xs, ys, ds)
                    let total = batch.count
                    DispatchQueue.concurrentPerform(iterations: threads) { k in
                        let r = reps[k], m = parts[k].count
                        r.zeroGradients()
                        let out = r.forward(xu[k].pointer, lookback: L, batch: m, dropout: nil)
                        _ = Loss.mse.evaluate(out, yu[k].pointer, count: H * m, gradient: du[k].pointer)
                        for q in 0..<(H * m) { du[k][q] *= Float(m) / Float(total) }
                        r.backward(du[k].pointer)
                    }
                    for r in replicas { for (p, q) in zip(params, r.parameters) { for j in 0..<p.count { p.grad[j] += q.grad[j] } } }
                }
                adam.update(params)
            }
            if epoch > 1 { timed += now() - t0; windows += n }
        }
        let wps = Double(windows) / timed
        return (wps, wps * 3 * flopsPerWindow(cell: cell, hidden: hidden) / 1e9)
    }

    /// Seconds and epochs of a default fit (horizon 24, everything else default) on a seeded
    /// 20,000-point hourly series with daily and weekly seasons, trend and noise.
    static func defaultFit(points n: Int) throws -> (Double, Int) {
        var rng = SeededGenerator(seed: 20_000)
        let start = CivilCalendar.timestamp(year: 2020, month: 1, day: 1)
        var y = [Double](repeating: 0, count: n)
        for t in 0..<n {
            let x = Double(t)
            let daily: Double = 3 * sin(2 * Double.pi * x / 24)
            let weekly: Double = 1.5 * sin(2 * Double.pi * x / 168)
            y[t] = 10 + daily + weekly + 0.002 * x + 0.5 * rng.normal()
        }
        let s = TimeSeries(timeColumn: "time", timeFormat: .dateTime(separator: "T", seconds: true, zoneOffset: nil),
                           frequency: .seconds(3600), timestamps: (0..<Int64(n)).map { start + $0 * 3600 }, targetName: "load", target: y)
        var warnings: [String] = []
        let t0 = now()
        let f = try Forecaster.fit([s], config: ForecasterConfig(horizon: 24), warnings: &warnings)
        return (now() - t0, f.summary.epochsRun)
    }

    /// S2S-INFER: windows per second at batch 256 over all windows, median of 5 passes.
    static func infer(cell: CellKind, hidden: Int) -> (Double, Double) {
        let v = series()
        let n = v.count - L - H + 1
        let net = network(cell, hidden: hidden)
        let workspace = InferenceWorkspace()   // one per caller, reused across calls
        let B = 256
        let x = FloatBuffer(count: L * B), y = FloatBuffer(count: H * B)
        var times: [Double] = []
        for _ in 0..<5 {
            let t0 = now()
            var i = 0
            while i < n {
                let batch = (i..<min(i + B, n))
                gather(v, ArraySlice(batch), x, y)
                _ = net.predict(x.pointer, lookback: L, batch: batch.count, workspace: workspace)
                i += B
            }
            times.append(now() - t0)
        }
        let wps = Double(n) / times.sorted()[2]
        return (wps, wps * flopsPerWindow(cell: cell, hidden: hidden) / 1e9)
    }

    /// Single-window latency in microseconds, median of 1000 calls.
    static func latency(cell: CellKind, hidden: Int) -> Double {
        let v = series(200)
        let net = network(cell, hidden: hidden)
        let workspace = InferenceWorkspace()   // one per caller, reused across calls
        let x = FloatBuffer(count: L), y = FloatBuffer(count: H)
        gather(v, [0], x, y)
        var times: [Double] = []
        for _ in 0..<1100 {
            let t0 = now()
            _ = net.predict(x.pointer, lookback: L, batch: 1, workspace: workspace)
            times.append(now() - t0)
        }
        return times.dropFirst(100).sorted()[500] * 1e6
    }

    /// This build's gemm on a cache-resident 128x256x256 product, best of 20 (GFLOP/s).
    static func peakGFLOPS() -> Double {
        let M = 128, N = 256, K = 256
        let a = FloatBuffer(count: M * K), b = FloatBuffer(count: K * N), c = FloatBuffer(count: M * N)
        for i in 0..<a.count { a[i] = Float(i % 7) * 0.1 }
        for i in 0..<b.count { b[i] = Float(i % 5) * 0.1 }
        var best = Double.infinity
        for _ in 0..<20 {
            let t0 = now()
            for _ in 0..<10 { Kernels.gemm(M, N, K, a.pointer, K, b.pointer, N, c.pointer, N, accumulate: false) }
            best = min(best, (now() - t0) / 10)
        }
        return 2 * Double(M * N * K) / best / 1e9
    }

    /// CSV-INGEST: MB/s reading a date-time column and five float columns into Double columns,
    /// median of 3 reads (as the pandas reference does); the peak RSS after the first read.
    static func csv(file: String?) throws -> (mbPerSecond: Double, bytes: Int, kept: Int, peakRSS: Int) {
        let path = file ?? generateCSV()   // a given file was checked first (`checkCSVFile`)
        let size = CSVInput.regularFileSize(path) ?? 0
        var times: [Double] = []
        var kept = 0, rss = 0
        for k in 0..<3 {
            let t0 = now()
            let (header, _) = try CSVTable.peek(path)
            var cols: [String: CSVTable.Kind] = [header[0]: .time(nil)]
            for h in header.dropFirst() { cols[h] = .number }
            let table = try CSVTable(contentsOf: path, columns: cols)
            times.append(now() - t0)
            kept = table.rowCount * 8 * header.count
            if k == 0 { rss = peakRSS() }   // later reads reuse freed memory unevenly
        }
        return (Double(size) / 1e6 / times.sorted()[1], size, kept, rss)
    }

    /// Refuses a `--csv-file` that the csv workload could not read three times, with the CSV
    /// reader's own sentence (missing, unreadable, a directory, empty) or as not a regular file.
    static func checkCSVFile(_ path: String) throws {
        var st = stat()
        if stat(path, &st) == 0, case let kind = st.st_mode & S_IFMT, kind != S_IFREG && kind != S_IFDIR {
            throw ForecastError(file: path, message: "is not a regular file; the csv workload reads its file three times")
        }
        _ = try CSVTable.peek(path)
    }

    /// A 100 MB file: ISO date-times (hourly from 2000-01-01) and five floats, seeded.
    static func generateCSV() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("forecast-bench-100mb.csv").path
        if let s = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int, s >= 100_000_000 { return path }
        var rng = SeededGenerator(seed: 9)
        var out = "datetime,a,b,c,d,e\n"
        out.reserveCapacity(101_000_000)
        var t: Int64 = CivilCalendar.timestamp(year: 2000, month: 1, day: 1)
        let fmt = TimeFormat.dateTime(separator: " ", seconds: true, zoneOffset: nil)
        while out.utf8.count < 100_000_000 {
            out += fmt.format(t)
            for _ in 0..<5 { out += String(format: ",%.6f", rng.normal() * 100) }
            out += "\n"
            t += 3600
        }
        _ = FileManager.default.createFile(atPath: path, contents: Data(out.utf8))
        return path
    }

    static func peakRSS() -> Int {
        var u = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
        return Int(u.ru_maxrss) * 1024
    }
}
