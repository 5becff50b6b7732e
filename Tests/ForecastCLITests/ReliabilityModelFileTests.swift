import Foundation
import Testing

/// Issue 14, "Model files: trust nothing that was decoded". Each case takes a valid model file,
/// edits one decoded header field, writes it back with a correct CRC-32 (as an editor or a buggy
/// writer would) and checks that `predict` and `inspect` refuse it with exit code 1 and one
/// sentence naming the field, never crash, and write nothing.
@Suite(.serialized) struct ReliabilityModelFileTests {
    /// The shared small airline model (`smallAirlineModel`).
    static let model = smallAirlineModel

    /// One edit of a decoded field, and the field the error must name.
    enum Edit: String, CaseIterable, CustomTestStringConvertible {
        case lookbackBeyondTail, memberLookbackBeyondConfig, tensorShapeTransposed, tensorShapeHuge,
             negativeHiddenSize, hugeHiddenSize, negativeHorizon, networkInputSize, nanScaler, zeroScaler, tinyScaler,
             infiniteOffset, tailLengthsDisagree, residualListsMissing, unsortedResiduals, negativeCount,
             hugeTimestamp, zeroFrequency, negativeBaselinePeriod, ensembleSizeDisagrees, parameterCount,
             unknownChoice, missingLookback, covariateColumnsDisagree, shortSeriesTimesDisagree
        var testDescription: String { rawValue }

        /// (path, new value, the field named in the message) in a file of format `version`. Format 3
        /// keeps the tails and residuals in binary blocks after the weights, with their sizes and
        /// the tail's first time in the header: the edits of those fields edit the sizes and the
        /// start (an unsorted residual list is edited in the blocks, see `editedFieldIsNamed`).
        func change(version: UInt32) -> (path: [AnyHashable], value: Any, field: String) {
            if version >= 3 {
                switch self {
                case .tailLengthsDisagree: return (["series", 0, "tail"], 1 << 40, "series[0].tail")
                case .residualListsMissing: return (["residualCounts"], [1], "residualCounts")
                case .hugeTimestamp: return (["series", 0, "tailStart"], Int64.max - 10, "series[0].tailStart")
                case .unsortedResiduals: return ([], 0, "residuals[0]")
                default: break
                }
            }
            switch self {
            case .lookbackBeyondTail: return (["config", "lookback"], 400, "config.lookback")
            case .memberLookbackBeyondConfig: return (["members", 1, "lookback"], 4000, "members[1].lookback")
            case .tensorShapeTransposed: return (["tensors", 0, "shape"], [16, 1], "tensors[0].shape")
            case .tensorShapeHuge: return (["tensors", 0, "shape"], [Int.max / 2, 16], "tensors[0].shape")
            case .negativeHiddenSize: return (["config", "hiddenSize"], -4, "config.hiddenSize")
            case .hugeHiddenSize: return (["config", "hiddenSize"], 1 << 40, "config.hiddenSize")
            case .negativeHorizon: return (["config", "horizon"], -3, "config.horizon")
            case .networkInputSize: return (["network", "inputSize"], 3, "network.inputSize")
            case .nanScaler: return (["series", 0, "targetScaler", "scale"], "nan", "series[0].targetScaler.scale")
            case .zeroScaler: return (["series", 0, "targetScaler", "scale"], 0, "series[0].targetScaler.scale")
            case .tinyScaler: return (["series", 0, "targetScaler", "scale"], 1e-300, "series[0].targetScaler.scale")
            case .infiniteOffset: return (["series", 0, "targetScaler", "offset"], "inf", "series[0].targetScaler.offset")
            case .tailLengthsDisagree: return (["series", 0, "tailTimes"], [0, 1], "series[0].tailTimes")
            case .residualListsMissing: return (["residuals"], [[0.1]], "residuals")
            case .unsortedResiduals: return (["residuals", 0], [0.5, 0.1], "residuals[0]")
            case .negativeCount: return (["series", 0, "count"], -1, "series[0].count")
            case .hugeTimestamp: return (["series", 0, "tailTimes", 0], Int64.max - 10, "series[0].tailTimes")
            case .zeroFrequency: return (["series", 0, "frequency", "months", "_0"], 0, "series[0].frequency")
            case .negativeBaselinePeriod: return (["series", 0, "baselinePeriod"], -12, "series[0].baselinePeriod")
            case .ensembleSizeDisagrees: return (["config", "ensembleSize"], 5, "config.ensembleSize")
            case .parameterCount: return (["parameterCount"], 7, "parameterCount")
            case .unknownChoice: return (["series", 0, "choice"], "arima", "series[0].choice")
            case .missingLookback: return (["config", "lookback"], NSNull(), "config.lookback")
            case .covariateColumnsDisagree: return (["covariateNames"], ["extra"], "series[0].tailCovariates")
            case .shortSeriesTimesDisagree: return (["shortSeries"], [], "shortSeries[0].times")
            }
        }
    }

    @Test(arguments: Edit.allCases)
    func editedFieldIsNamed(_ edit: Edit) throws {
        let dir = tempDir()
        var m = try EditableModel(Self.model)
        #expect(m.version == 10)   // ModelFile.formatVersion
        let (path, value, field) = edit.change(version: m.version)
        if edit == .unsortedResiduals && m.version >= 3 {
            // The residuals are the last block: make the first value of step 0 the largest.
            let counts = m.header["residualCounts"] as! [Int]
            #expect(counts[0] >= 2)
            let at = m.weights.count - 4 * counts.reduce(0, +)
            m.weights.replaceSubrange(at..<(at + 4), with: [0x00, 0x00, 0x80, 0x7E])   // 8.5e37
        } else if edit == .shortSeriesTimesDisagree {
            // A series left out of training whose times and values differ in number.
            let first = (m.header["series"] as! [[String: Any]])[0]
            m.header["shortSeries"] = [["id": "x", "frequency": first["frequency"]!, "timeFormat": first["timeFormat"]!,
                                        "times": [0], "target": [1.0, 2.0], "covariates": [[Double]]()]]
        } else if edit == .missingLookback {
            var config = m.header["config"] as! [String: Any]
            config.removeValue(forKey: "lookback")
            m.header["config"] = config
        } else {
            m.header = setting(m.header, path[...], to: value) as! [String: Any]
        }
        let file = "\(dir)/edited.fcm"
        try m.write(to: file)
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        for args in [["predict", "--model", file, "--horizon", "3", "--output", "\(dir)/f.csv"], ["inspect", file]] {
            let r = try forecast(args)
            #expect(r.status == 1, "\(args[0]) \(edit): status \(r.status)\n\(r.stderr)")
            #expect(r.stderr.contains("the header field '\(field)'"), "\(args[0]) \(edit): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "one sentence: \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        #expect(files(in: dir) == ["edited.fcm"], "nothing written")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before)
    }

    /// A model of more hidden units than `ForecasterConfig.maxHiddenSize` (earlier versions wrote
    /// up to 4096) is refused with the bound and what to do, not called damaged; nothing is written.
    @Test func hiddenSizeAboveTheBoundIsRefusedWithIt() throws {
        let dir = tempDir()
        var m = try EditableModel(Self.model)
        m.header = setting(m.header, ["config", "hiddenSize"], to: 2048) as! [String: Any]
        let file = "\(dir)/large.fcm"
        try m.write(to: file)
        for args in [["predict", "--model", file, "--horizon", "3", "--output", "\(dir)/f.csv"], ["inspect", file]] {
            let r = try forecast(args)
            #expect(r.status == 1, "\(args[0]): status \(r.status)\n\(r.stderr)")
            #expect(r.stderr.contains("large.fcm: the model has 2048 hidden units, more than the 1024 this version supports; fit it again with --hidden 1024 or fewer"), "\(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        #expect(files(in: dir) == ["large.fcm"], "nothing written")
    }

    /// The control: the same round trip without an edit loads and forecasts (so the cases above
    /// fail for their edit, not for the re-encoding).
    @Test func uneditedRoundTripLoads() throws {
        let dir = tempDir()
        try EditableModel(Self.model).write(to: "\(dir)/same.fcm")
        let r = try forecast(["predict", "--model", "\(dir)/same.fcm", "--horizon", "3"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").count == 4)
    }
}
