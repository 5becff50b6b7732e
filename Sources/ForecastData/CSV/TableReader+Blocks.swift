/// Reading a long-format panel as blocks of whole series (see `CSVTable.stream`), so that a large
/// panel never holds the whole file's columns: each block becomes series and is freed while the
/// rest of the file is read.
struct BlockSplitter {
    /// The rows of whole series from which a block is handed on.
    let rows: Int
    /// Receives each block (its rows in file order, the id column's codes local to the block).
    var emit: (TableReader) throws -> Void
    /// The id code of the last row, and whether a block was handed on already.
    var lastCode: Int32 = -1
    var emitted = false
    /// Keep the first series out of the blocks (the second half of a two-halves read starts inside
    /// a series that the first half may hold the start of): it goes to `head` instead.
    var holdsFirst = false
    var held: [TableReader] = []   // `head`, in an array: a struct cannot hold its own type
    var head: TableReader? { held.first }
    /// The row at which the second series starts.
    var secondStart: Int?
}

/// Thrown by a streaming read when a series' rows are not together in the file (an id comes
/// back after other ids) once blocks were handed on: the caller reads the file again whole.
struct RowsNotGrouped: Error {}

extension TableReader {
    /// After each row of a splitting read: at the first row of a new series, hands on every row
    /// before it once there are `splitter.rows` of them. An id that comes back after another
    /// stops the splitting (rows are then kept to the end, as without a splitter), or throws
    /// `RowsNotGrouped` when a block was already handed on.
    mutating func splitBlock() throws {
        guard let code = codes.first?.last else {
            splitter = nil   // no id column: nothing to split on
            return
        }
        guard code != splitter!.lastCode else { return }
        guard Int(code) == textValues[0].count - 1 else {
            if splitter!.emitted { throw RowsNotGrouped() }
            splitter = nil
            return
        }
        if splitter!.lastCode >= 0 && splitter!.secondStart == nil { splitter!.secondStart = lines.count - 1 }
        splitter!.lastCode = code
        let row = lines.count - 1
        guard row >= splitter!.rows else { return }
        // Integer times are read as years or dates by looking at the whole column
        // (`SeriesLoader.calendarTimes`); a block needs the one id column and one time column.
        guard textFields.count == 1, timeFields.count == 1,
              slots[timeFields[0].slot].timeFormat.map({ !$0.isIndex }) == true else {
            splitter = nil
            return
        }
        if splitter!.holdsFirst && splitter!.head == nil {
            let first = splitter!.secondStart!
            splitter!.held = [takeBlock(rows: first)]
            guard row - first > 0 else { return }
            splitter!.emitted = true
            try splitter!.emit(takeBlock(rows: row - first))
            return
        }
        splitter!.emitted = true
        try splitter!.emit(takeBlock(rows: row))
    }

    /// Rebuilds the text columns' lookups from their values (a block's are empty), so that
    /// `absorb` recognises the ids it already holds.
    mutating func rebuildLookups() {
        for k in textValues.indices {
            lookup[k] = Dictionary(uniqueKeysWithValues: textValues[k].enumerated().map { ($1, Int32($0)) })
        }
    }

    /// The first `n` rows as a reader of their own (ids coded 0, 1, ... within it), removed from this one.
    mutating func takeBlock(rows n: Int) -> TableReader {
        var block = TableReader(file: file, requested: [:])
        block.lookup = lookup.map { _ in [:] }
        block.lastText = lastText.map { _ in nil }
        block.lastDate = lastDate.map { _ in nil }
        block.slots = slots
        block.header = header
        block.numberFields = numberFields
        block.timeFields = timeFields
        block.textFields = textFields
        for k in numbers.indices {
            block.numbers.append(Array(numbers[k][..<n]))
            numbers[k].removeFirst(n)
        }
        for k in times.indices {
            block.times.append(Array(times[k][..<n]))
            times[k].removeFirst(n)
        }
        for k in codes.indices {
            // Grouped rows: the block's ids are one run of consecutive codes.
            let low = codes[k][0], high = codes[k][n - 1]
            block.codes.append(codes[k][..<n].map { $0 - low })
            block.textValues.append(Array(textValues[k][Int(low)...Int(high)]))
            codes[k].removeFirst(n)
        }
        var kept = LineNumbers()
        for row in lines.indices {
            if row < n { block.lines.append(lines[row]) } else { kept.append(lines[row]) }
        }
        lines = kept
        return block
    }
}
