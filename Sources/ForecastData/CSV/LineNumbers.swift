/// The file line of each data row, for error messages. While rows follow each other one line
/// apart (no blank lines, no multi-line quoted fields) nothing is stored per row; from the first
/// gap on, lines are stored explicitly. A 100 MB file of short rows saves a 4-byte entry per row.
package struct LineNumbers: RandomAccessCollection, Sendable, Equatable {
    /// The line of row 0 (when `regular` > 0).
    private var first: Int32 = 0
    /// Rows 0..<regular are at lines first, first + 1, ...
    private var regular = 0
    /// The lines of rows regular..<count.
    private var explicit: [Int32] = []

    package init() {}

    package var startIndex: Int { 0 }
    package var endIndex: Int { regular + explicit.count }

    package subscript(row: Int) -> Int32 {
        row < regular ? first + Int32(truncatingIfNeeded: row) : explicit[row - regular]
    }

    /// Equal when they list the same lines, however they are stored.
    package static func == (a: LineNumbers, b: LineNumbers) -> Bool { a.elementsEqual(b) }

    /// Adds the next row's line.
    mutating func append(_ line: Int32) {
        if explicit.isEmpty && (regular == 0 || line == first &+ Int32(truncatingIfNeeded: regular)) {
            if regular == 0 { first = line }
            regular += 1
        } else {
            explicit.append(line)
        }
    }

    /// Adds the rows of `other`, which follow these.
    mutating func append(contentsOf other: LineNumbers) {
        if regular == 0 && explicit.isEmpty { self = other; return }
        if explicit.isEmpty && other.regular > 0 && other.first == first &+ Int32(truncatingIfNeeded: regular) {
            regular += other.regular
            explicit = other.explicit
            return
        }
        explicit.reserveCapacity(explicit.count + other.count)
        for row in other.indices { explicit.append(other[row]) }
    }
}
