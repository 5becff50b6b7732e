import Foundation
import ForecastData
import ForecastNN

/// Format 3: the per-series numbers and the calibration residuals as binary blocks.
///
/// In formats 1 and 2 the JSON header held everything; a 10,000-series panel model spent most of
/// `predict` decoding its tails and residuals from JSON. Format 3 keeps the small fields in the
/// JSON header (`CompactHeader`: each series' scalers, times, choice...) with only the counts of
/// its arrays, and stores the arrays after the weights, in this order (little-endian, no padding):
///
///     for each series, in the header's order:
///       tailTimes          tail × Int64     only when the header has no `tailStart` (irregular times)
///       tailTarget         tail × Float64
///       tailCovariates     (covariateScalers.count) × tail × Float64, covariate by covariate
///       statForecast       statForecastCount × Float64
///       calibrationErrors  calibrationCount × Float64
///       networkCalibrationErrors  networkCalibrationCount × Float64   (format 7 on)
///       linearForecast     linearForecastCount × Float64   (format 9 on)
///     residuals            for each horizon step h: residualCounts[h] × Float32
///
/// The CRC at the end of the file covers them. With `tailStart` the tail's times are
/// `frequency.advance(tailStart, by: k)` (the writer stores it only when that gives back every
/// stored time). After reading, the header is the same `Header` a format-2 file gives, and every
/// field goes through the same `validate`.
extension ModelFile {
    /// A series in a format-3 header: `SeriesState` without its arrays, plus their sizes.
    package struct CompactSeries: Codable, Sendable {
        package var id: String?
        package var frequency: Frequency
        package var timeFormat: TimeFormat
        package var targetScaler: Scaler
        package var covariateScalers: [Scaler]
        package var firstTime: String
        package var lastTime: String
        package var count: Int
        package var baselinePeriod: Int?
        package var nonNegative: Bool?
        package var choice: String?
        package var validationErrors: [String: Double]?
        package var statWeight: Double?
        /// Points in the stored tail.
        package var tail: Int
        /// The tail's first time, when its times follow from it and the frequency.
        package var tailStart: Int64?
        /// Values of `statForecast` (absent: none).
        package var statForecastCount: Int?
        /// Values of `calibrationErrors` (absent: none).
        package var calibrationCount: Int?
        /// Values of `networkCalibrationErrors` (absent: none; always absent before format 7).
        package var networkCalibrationCount: Int? = nil
        /// `SeriesState.scaleChanged` (absent: false; always absent before format 8).
        package var scaleChanged: Bool? = nil
        /// Values of `linearForecast` (absent: none; always absent before format 9).
        package var linearForecastCount: Int? = nil
        /// `SeriesState.linearWeight` (absent: 0.5; always absent before format 10).
        package var linearWeight: Double? = nil
    }

    /// A format-3 header as stored: `Header` with compact series and the residuals' counts.
    package struct CompactHeader: Codable, Sendable {
        package var formatVersion: UInt32
        package var libraryVersion: String
        package var config: ForecasterConfig
        package var network: NetworkConfig
        package var targetName: String
        package var covariateNames: [String]
        package var timeColumn: String
        package var idColumn: String?
        package var series: [CompactSeries]
        /// Residuals per horizon step.
        package var residualCounts: [Int]
        package var summary: TrainingSummary
        package var tensors: [Header.Tensor]
        package var parameterCount: Int
        package var members: [Header.Member]?
        package var shortSeries: [Header.StoredSeries]?
    }

    /// The format-3 header of `h` and its blocks' bytes (all in memory: `encode(_:)`).
    static func compact(_ h: Header) -> (CompactHeader, [UInt8]) {
        var data: [UInt8] = []
        let doubles = h.series.reduce(0) { n, s in
            n + s.tailTarget.count * (2 + s.tailCovariates.count) + (s.statForecast?.count ?? 0) + (s.calibrationErrors?.count ?? 0)
                + (s.networkCalibrationErrors?.count ?? 0) + (s.linearForecast?.count ?? 0)
        }
        data.reserveCapacity(8 * doubles + 4 * h.residuals.reduce(0) { $0 + $1.count })
        let header = compactHeader(h)
        appendBlocks(h, header, to: &data, flushAbove: .max) { _ in }
        return (header, data)
    }

    /// The format-3 header of `h`: its series without their arrays, with the arrays' sizes.
    static func compactHeader(_ h: Header) -> CompactHeader {
        var series: [CompactSeries] = []
        series.reserveCapacity(h.series.count)
        for s in h.series {
            series.append(CompactSeries(id: s.id, frequency: s.frequency, timeFormat: s.timeFormat, targetScaler: s.targetScaler,
                                        covariateScalers: s.covariateScalers, firstTime: s.firstTime, lastTime: s.lastTime,
                                        count: s.count, baselinePeriod: s.baselinePeriod, nonNegative: s.nonNegative,
                                        choice: s.choice, validationErrors: s.validationErrors, statWeight: s.statWeight,
                                        tail: s.tailTarget.count, tailStart: hasRegularTail(s) ? s.tailTimes[0] : nil,
                                        statForecastCount: s.statForecast?.count, calibrationCount: s.calibrationErrors?.count,
                                        networkCalibrationCount: s.networkCalibrationErrors?.count,
                                        scaleChanged: s.scaleChanged, linearForecastCount: s.linearForecast?.count,
                                        linearWeight: s.linearWeight))
        }
        return CompactHeader(formatVersion: h.formatVersion, libraryVersion: h.libraryVersion, config: h.config,
                             network: h.network, targetName: h.targetName, covariateNames: h.covariateNames,
                             timeColumn: h.timeColumn, idColumn: h.idColumn, series: series,
                             residualCounts: h.residuals.map(\.count), summary: h.summary, tensors: h.tensors,
                             parameterCount: h.parameterCount, members: h.members, shortSeries: h.shortSeries)
    }

    /// Appends the blocks of `h`, as its compact header `c` describes them (in the order above), to
    /// `out`, handing `out` to `flush` whenever it holds more than `limit` bytes (`flush` empties
    /// it): the model file is written without its blocks ever being whole in memory (a
    /// 10,000-series panel model holds about 40 MB of them).
    static func appendBlocks(_ h: Header, _ c: CompactHeader, to out: inout [UInt8], flushAbove limit: Int,
                             flush: (inout [UInt8]) throws -> Void) rethrows {
        for (s, stored) in zip(h.series, c.series) {
            if stored.tailStart == nil { appendLE(&out, s.tailTimes.map { UInt64(bitPattern: $0) }) }
            appendLE(&out, s.tailTarget.map(\.bitPattern))
            for column in s.tailCovariates { appendLE(&out, column.map(\.bitPattern)) }
            appendLE(&out, (s.statForecast ?? []).map(\.bitPattern))
            appendLE(&out, (s.calibrationErrors ?? []).map(\.bitPattern))
            appendLE(&out, (s.networkCalibrationErrors ?? []).map(\.bitPattern))
            appendLE(&out, (s.linearForecast ?? []).map(\.bitPattern))
            if out.count > limit { try flush(&out) }
        }
        for list in h.residuals {
            appendLE(&out, list.map(\.bitPattern))
            if out.count > limit { try flush(&out) }
        }
    }

    /// The tail's times follow from its first time and the frequency (then only the first is stored).
    private static func hasRegularTail(_ s: SeriesState) -> Bool {
        !s.tailTimes.isEmpty && s.tailTimes.indices.allSatisfy { s.frequency.advance(s.tailTimes[0], by: $0) == s.tailTimes[$0] }
    }

    /// The bytes of the blocks `c` describes, with each count checked against the bytes the file
    /// can hold (`available`) before anything is multiplied or allocated.
    static func blockBytes(_ c: CompactHeader, available: Int, _ bad: (String, String) -> ForecastError) throws -> Int {
        var total = 0
        func add(_ count: Int, _ size: Int, _ field: String) throws {
            guard count >= 0 else { throw bad(field, "is \(count), negative") }
            guard count <= (available - total) / size else {
                throw bad(field, "is \(count), more values than the file holds")
            }
            total += count * size
        }
        for (i, s) in c.series.enumerated() {
            let f = "series[\(i)]"
            if s.tailStart == nil { try add(s.tail, 8, "\(f).tail") }
            for _ in 0..<(1 + s.covariateScalers.count) { try add(s.tail, 8, "\(f).tail") }
            if let n = s.statForecastCount { try add(n, 8, "\(f).statForecastCount") }
            if let n = s.calibrationCount { try add(n, 8, "\(f).calibrationCount") }
            if let n = s.networkCalibrationCount { try add(n, 8, "\(f).networkCalibrationCount") }
            if let n = s.linearForecastCount { try add(n, 8, "\(f).linearForecastCount") }
        }
        // (A horizon out of range is left to `validate`, which names config.horizon.)
        guard c.residualCounts.count == c.config.horizon || !(1...10_000).contains(c.config.horizon) else {
            throw bad("residualCounts", "has \(c.residualCounts.count) counts for a horizon of \(c.config.horizon)")
        }
        for (h, n) in c.residualCounts.enumerated() { try add(n, 4, "residualCounts[\(h)]") }
        return total
    }

    /// The full header: `c` with the arrays read from `bytes` (exactly `blockBytes(c)` of them).
    static func expand(_ c: CompactHeader, blocks bytes: UnsafeRawBufferPointer, _ bad: (String, String) -> ForecastError) throws -> Header {
        var o = 0
        func doubles(_ n: Int) -> [Double] {
            defer { o += 8 * n }
            return [Double](unsafeUninitializedCapacity: n) { buf, count in
                for i in 0..<n { buf[i] = Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: o + 8 * i, as: UInt64.self))) }
                count = n
            }
        }
        var series: [SeriesState] = []
        series.reserveCapacity(c.series.count)
        for (i, s) in c.series.enumerated() {
            let times: [Int64]
            if let start = s.tailStart {
                times = try derivedTimes(start: start, count: s.tail, s.frequency, field: "series[\(i)]", bad)
            } else {
                times = doubles(s.tail).map { Int64(bitPattern: $0.bitPattern) }
            }
            let target = doubles(s.tail)
            let covariates = s.covariateScalers.map { _ in doubles(s.tail) }
            let stat = s.statForecastCount.map { doubles($0) }
            let calibration = s.calibrationCount.map { doubles($0) }
            let networkCalibration = s.networkCalibrationCount.map { doubles($0) }
            let linear = s.linearForecastCount.map { doubles($0) }
            series.append(SeriesState(id: s.id, frequency: s.frequency, timeFormat: s.timeFormat, targetScaler: s.targetScaler,
                                      covariateScalers: s.covariateScalers, tailTimes: TimeGrid(times, frequency: s.frequency), tailTarget: target,
                                      tailCovariates: covariates, firstTime: s.firstTime, lastTime: s.lastTime, count: s.count,
                                      baselinePeriod: s.baselinePeriod, nonNegative: s.nonNegative, choice: s.choice,
                                      validationErrors: s.validationErrors, statForecast: stat, statWeight: s.statWeight,
                                      calibrationErrors: calibration, networkCalibrationErrors: networkCalibration,
                                      scaleChanged: s.scaleChanged, linearForecast: linear, linearWeight: s.linearWeight))
        }
        let residuals = c.residualCounts.map { n in
            defer { o += 4 * n }
            return [Float](unsafeUninitializedCapacity: n) { buf, count in
                for i in 0..<n { buf[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: o + 4 * i, as: UInt32.self))) }
                count = n
            }
        }
        precondition(o == bytes.count, "blockBytes and expand disagree")
        return Header(formatVersion: c.formatVersion, libraryVersion: c.libraryVersion, config: c.config, network: c.network,
                      targetName: c.targetName, covariateNames: c.covariateNames, timeColumn: c.timeColumn, idColumn: c.idColumn,
                      series: series, residuals: residuals, summary: c.summary, tensors: c.tensors,
                      parameterCount: c.parameterCount, members: c.members, shortSeries: c.shortSeries)
    }

    /// The `count` times from `start` on the frequency's grid, after checks that keep every one
    /// inside the range `validateTime` accepts (so nothing overflows or leaves the calendar);
    /// `validateTime` checks them again with the rest of the series.
    static func derivedTimes(start: Int64, count n: Int, _ frequency: Frequency, field f: String,
                             _ bad: (String, String) -> ForecastError) throws -> [Int64] {
        guard n >= 1 else { return [] }
        // The frequency first (the probe has no times), then the start against the same limits.
        let probe = SeriesState(id: nil, frequency: frequency, timeFormat: .index, targetScaler: Scaler(fitting: [Double](), kind: .none),
                                covariateScalers: [], tailTimes: [], tailTarget: [], tailCovariates: [],
                                firstTime: "", lastTime: "", count: 0)
        try validateTime(probe, field: f, bad)
        let limit: Int64
        var step: Int64 = 0
        switch frequency {
        case .steps(let v): limit = Int64.max / 2 - v * maxForecastSteps; step = v
        case .seconds(let v): limit = maxTimestamp; step = v
        case .months(let k, _):
            limit = maxTimestamp
            // 12 million years of months at most: inside the calendar's arithmetic.
            guard (n - 1) <= 144_000_000 / k else { throw bad("\(f).tail", "is \(n), too many \(k)-month steps from tailStart") }
        }
        guard start <= limit && start >= -limit else { throw bad("\(f).tailStart", "is \(start), outside ±\(limit)") }
        if step > 0 {
            let (span, o1) = step.multipliedReportingOverflow(by: Int64(n - 1))
            let (end, o2) = start.addingReportingOverflow(span)
            guard !o1 && !o2 && end <= limit else { throw bad("\(f).tail", "is \(n): its last time is past the range of times") }
        }
        return (0..<n).map { frequency.advance(start, by: $0) }
    }

    /// Appends `values` little-endian.
    static func appendLE<T: FixedWidthInteger>(_ out: inout [UInt8], _ values: [T]) {
        values.map(\.littleEndian).withUnsafeBytes { out.append(contentsOf: $0) }
    }
}
