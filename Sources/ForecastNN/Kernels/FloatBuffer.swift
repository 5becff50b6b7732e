/// A fixed-size, heap-allocated array of `Float` with a stable address, for numeric kernels.
///
/// Layers and optimisers hold their weights, gradients and activations in these buffers so that
/// kernels can take raw pointers without copies or exclusivity checks. It is `@unchecked Sendable`
/// under one rule: concurrent writers must touch disjoint ranges.
package final class FloatBuffer: @unchecked Sendable {
    /// The number of elements.
    package let count: Int
    /// The first element; valid for the buffer's lifetime.
    package let pointer: UnsafeMutablePointer<Float>

    /// A buffer of `count` zeros.
    package init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// A buffer holding a copy of `values`.
    package convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { pointer.deallocate() }

    /// Element `i`.
    @inlinable package subscript(i: Int) -> Float {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }

    /// A copy of the contents.
    package var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// Sets every element to zero.
    package func zero() { pointer.update(repeating: 0, count: count) }

    /// Copies another buffer of the same size into this one.
    package func copy(from other: FloatBuffer) {
        precondition(other.count == count, "copy between buffers of \(other.count) and \(count) elements")
        pointer.update(from: other.pointer, count: count)
    }
}
