import ArgumentParser
import Foundation
import ForecastKit

/// The workloads of the benchmark protocol (shared/BENCHMARKS.md), runnable on any machine.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure training, inference and CSV throughput on this machine.",
        discussion: """
        Workloads (BENCHMARKS.md): train (S2S-TRAIN: windows/s over epochs 2-3), infer (S2S-INFER: batch 256), \
        latency (one window, median of 1000 calls), csv (CSV-INGEST of a generated 100 MB file), fit (a default \
        fit of a 20,000-point series, end to end), peak (this build's matrix-product kernel on a cache-resident \
        shape). Hidden size 64 is the protocol's, not the model's default. With --format json, one JSON object \
        per line.

        Examples:
          forecast bench --workload train --cell lstm
          forecast bench --workload csv --format json
        """)

    @Option(help: "train, infer, latency, csv, fit, peak or all.")
    var workload: String = "all"

    @Option(help: "lstm or gru.")
    var cell: CellKind = .lstm

    @Option(parsing: .unconditional, help: "Threads for training, 1 to \(BenchWorkloads.batch) (the batch of \(BenchWorkloads.batch) windows is split across them).")
    var threads: Int = 1

    @Option(parsing: .unconditional, help: "Hidden units, at most \(ForecasterConfig.maxHiddenSize) (the benchmark protocol's 64, not the model's default).")
    var hidden: Int = 64

    @Option(parsing: .unconditional, help: "Training epochs, 2 to \(Self.maxEpochs) (the first is warm-up).")
    var epochs: Int = 3

    @Option(name: .customLong("csv-file"), help: "CSV file for the csv workload (default: generate 100 MB in a temporary directory).")
    var csvFile: String?

    @OptionGroup var output: ReportFormatOption

    /// The workloads, in the order `all` runs them.
    static let workloads = ["peak", "train", "infer", "latency", "csv", "fit"]

    /// The most training epochs the train workload accepts.
    static let maxEpochs = 1000

    /// Every option's range, before anything runs: exit 2 with one sentence (a hidden size of 0
    /// trapped in the network's initialiser, 100,000 failed to allocate 160 GB, 0 threads printed
    /// nonsense).
    func validate() throws {
        guard workload == "all" || Self.workloads.contains(workload) else {
            throw ValidationError("unknown workload '\(workload)'; use one of \(Self.workloads.joined(separator: ", ")) or all")
        }
        guard (1...BenchWorkloads.batch).contains(threads) else {
            throw ValidationError("--threads must be between 1 and \(BenchWorkloads.batch) (the batch of \(BenchWorkloads.batch) windows is split across them), got \(threads)")
        }
        guard (1...ForecasterConfig.maxHiddenSize).contains(hidden) else {
            throw ValidationError("--hidden must be between 1 and \(ForecasterConfig.maxHiddenSize), got \(hidden)")
        }
        guard (2...Self.maxEpochs).contains(epochs) else {
            throw ValidationError("--epochs must be between 2 and \(Self.maxEpochs) (the first is warm-up), got \(epochs)")
        }
        if csvFile == "-" { throw ValidationError("--csv-file takes a file name; the csv workload reads it three times, so '-' (standard input) is not accepted") }
    }

    func run() throws {
        try reportingErrors { try measure() }
    }

    /// Runs the chosen workloads and prints one record each.
    func measure() throws {
        let chosen = workload == "all" ? Self.workloads : [workload]
        if let csvFile { try BenchWorkloads.checkCSVFile(csvFile) }
        let peak = BenchWorkloads.peakGFLOPS()
        for w in chosen {
            var r: [String: Any] = ["workload": w, "cell": cell.rawValue, "threads": threads, "kernel_peak_gflops": peak]
            switch w {
            case "peak": r["gflops"] = peak
            case "train":
                let (wps, gf) = BenchWorkloads.train(cell: cell, hidden: hidden, threads: threads, epochs: epochs)
                r["windows_per_second"] = wps; r["gflops"] = gf; r["fraction_of_kernel_peak"] = gf / peak
            case "infer":
                let (wps, gf) = BenchWorkloads.infer(cell: cell, hidden: hidden)
                r["windows_per_second"] = wps; r["gflops"] = gf; r["fraction_of_kernel_peak"] = gf / peak
            case "latency":
                r["latency_us"] = BenchWorkloads.latency(cell: cell, hidden: hidden)
            case "fit":
                let (seconds, epochs) = try BenchWorkloads.defaultFit(points: 20_000)
                r["seconds"] = seconds; r["epochs"] = epochs; r["points"] = 20_000
            case "csv":
                let (mbps, bytes, kept, rss) = try BenchWorkloads.csv(file: csvFile)
                r["mb_per_second"] = mbps; r["file_bytes"] = bytes; r["numeric_bytes_kept"] = kept
                r["peak_rss_bytes"] = rss
                // Quote-free files of 8 MB and more are read as two halves on two cores.
                r["threads"] = min(2, ProcessInfo.processInfo.activeProcessorCount)
            default: break
            }
            if r["peak_rss_bytes"] == nil { r["peak_rss_bytes"] = BenchWorkloads.peakRSS() }
            switch output.resolved {
            case .json:
                r["schema"] = schema("bench")
                let d = try JSONSerialization.data(withJSONObject: r, options: [.sortedKeys])
                print(String(decoding: d, as: UTF8.self))
            case .csv:
                let keys = r.keys.sorted()
                print(csvText(keys, [keys.map { k in r[k].map { v in (v as? Double).map { "\($0)" } ?? "\(v)" } ?? "" }]), terminator: "")
            case .table:
                print(r.keys.sorted().map { k in "\(k)=\(r[k].map { v in (v as? Double).map { String(format: "%.4g", $0) } ?? "\(v)" } ?? "")" }.joined(separator: " "))
            }
        }
    }
}
