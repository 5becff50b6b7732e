import Foundation
import Testing

/// `forecast bench` checks its options before any workload runs: out-of-range values are usage
/// errors (exit 2, one sentence) instead of a trap in the network's initialiser (`--hidden 0`), a
/// failed 160 GB allocation (`--hidden 100000`) or nonsense (`--threads 0`); a file it cannot read
/// is the CSV reader's sentence (exit 1) instead of a Foundation error dump.
@Suite struct BenchOptionTests {
    @Test(arguments: [
        (["--workload", "train", "--hidden", "0"], "--hidden must be between 1 and 1024, got 0"),
        (["--workload", "infer", "--hidden=-1"], "--hidden must be between 1 and 1024, got -1"),
        (["--workload", "latency", "--hidden", "0"], "--hidden must be between 1 and 1024, got 0"),
        (["--workload", "train", "--hidden", "100000"], "--hidden must be between 1 and 1024, got 100000"),
        (["--workload", "train", "--threads", "0"], "--threads must be between 1 and 32 (the batch of 32 windows is split across them), got 0"),
        (["--threads", "33"], "--threads must be between 1 and 32"),
        (["--workload", "train", "--epochs", "0"], "--epochs must be between 2 and 1000 (the first is warm-up), got 0"),
        (["--workload", "nope"], "unknown workload 'nope'; use one of peak, train, infer, latency, csv, fit or all"),
        (["--workload", "csv", "--csv-file", "-"], "--csv-file takes a file name"),
    ])
    func outOfRangeOptionIsAUsageError(_ args: [String], message: String) throws {
        let r = try forecast(["bench"] + args)
        #expect(r.status == 2, "\(args): status \(r.status)\n\(r.stderr)")
        #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        #expect(r.stdout.isEmpty, "no workload ran: \(r.stdout)")
    }

    /// A missing file, a directory and a FIFO (which the csv workload could not read three times),
    /// each refused in one sentence naming it, before the first workload.
    @Test func unreadableCSVFileIsOneSentence() throws {
        let dir = tempDir()
        #expect(mkfifo("\(dir)/fifo", 0o600) == 0)
        for (path, message) in [("\(dir)/none.csv", "cannot open the file (No such file or directory)"),
                                (dir, "is a directory; expected a CSV file"),
                                ("\(dir)/fifo", "is not a regular file; the csv workload reads its file three times")] {
            let r = try forecast(["bench", "--workload", "csv", "--csv-file", path])
            #expect(r.status == 1, "\(path): status \(r.status)\n\(r.stderr)")
            #expect(r.stderr == "forecast: error: \(path): \(message)\n", "\(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
    }
}
