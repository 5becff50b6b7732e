/// The times of a series' observations: seconds since the epoch (or index values), one per
/// observation, strictly increasing.
///
/// Times on a frequency's grid (every series the loader makes: it inserts the missing ones) are
/// computed from the first one when read, so they cost no memory however long the series (a panel
/// of ten million hourly points saves 80 MB); other times are stored as given.
///
///     let t = TimeGrid([0, 3600, 7200], frequency: .seconds(3600))   // computed, not stored
///     t[2]            // 7200
///     Array(t)        // [0, 3600, 7200]
package struct TimeGrid: RandomAccessCollection, Sendable, Equatable, CustomStringConvertible {
    private enum Storage: Sendable {
        /// Observation i is `frequency.advance(anchor, by: offset + i)`.
        case grid(anchor: Int64, frequency: Frequency, offset: Int)
        case stored([Int64])
    }
    private let storage: Storage

    package let startIndex = 0
    /// The number of times.
    package let endIndex: Int

    /// `times`, computed from the first when each is `frequency.advance(times[0], by: i)`, else stored.
    package init(_ times: [Int64], frequency: Frequency) {
        endIndex = times.count
        if let first = times.first, times.indices.allSatisfy({ frequency.advance(first, by: $0) == times[$0] }) {
            storage = .grid(anchor: first, frequency: frequency, offset: 0)
        } else {
            storage = .stored(times)
        }
    }

    /// `count` times on `frequency`'s grid, the first `offset` steps after `anchor`.
    package init(anchor: Int64, offset: Int = 0, count: Int, frequency: Frequency) {
        endIndex = count
        storage = .grid(anchor: anchor, frequency: frequency, offset: offset)
    }

    private init(storage: Storage, count: Int) {
        self.storage = storage
        endIndex = count
    }

    package subscript(i: Int) -> Int64 {
        precondition(i >= 0 && i < endIndex, "time index out of range")
        switch storage {
        case .grid(let anchor, let frequency, let offset): return frequency.advance(anchor, by: offset + i)
        case .stored(let times): return times[i]
        }
    }

    /// The times in `range`, computed or stored as these are.
    package func slice(_ range: Range<Int>) -> TimeGrid {
        precondition(range.lowerBound >= 0 && range.upperBound <= endIndex, "time range out of range")
        switch storage {
        case .grid(let anchor, let frequency, let offset):
            return TimeGrid(storage: .grid(anchor: anchor, frequency: frequency, offset: offset + range.lowerBound),
                            count: range.count)
        case .stored(let times):
            return TimeGrid(storage: .stored(Array(times[range])), count: range.count)
        }
    }

    /// The frequency the times are computed on; nil when they are stored.
    package var gridFrequency: Frequency? {
        if case .grid(_, let frequency, _) = storage { return frequency }
        return nil
    }

    /// Whether the times are stored (not on a frequency's grid) rather than computed.
    package var isStored: Bool {
        if case .stored = storage { return true }
        return false
    }

    package static func == (a: TimeGrid, b: TimeGrid) -> Bool { a.elementsEqual(b) }

    package var description: String { Array(self).description }
}

extension TimeGrid: Codable, ExpressibleByArrayLiteral {
    /// Times written as a list (`[]` is no times).
    package init(arrayLiteral times: Int64...) {
        self.init(storage: .stored(times), count: times.count)
    }

    /// Reads the list of times `encode(to:)` writes (kept as given).
    package init(from decoder: any Decoder) throws {
        let times = try decoder.singleValueContainer().decode([Int64].self)
        self.init(storage: .stored(times), count: times.count)
    }

    /// Writes the times as a list, whether they are computed or stored.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(Array(self))
    }
}
