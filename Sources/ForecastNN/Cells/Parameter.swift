/// A trainable tensor: its values, its gradient (accumulated with `+=` by backward passes), its
/// shape and a name in Keras' spelling (`kernel`, `recurrent_kernel`, `bias`).
package final class Parameter: @unchecked Sendable {
    /// The name, unique within its layer.
    package let name: String
    /// The shape, row-major.
    package let shape: [Int]
    /// The values.
    package let value: FloatBuffer
    /// The gradient of the loss with respect to `value`.
    package let grad: FloatBuffer

    /// A zero-initialised parameter.
    package init(_ name: String, shape: [Int]) {
        self.name = name
        self.shape = shape
        let n = shape.reduce(1, *)
        value = FloatBuffer(count: n)
        grad = FloatBuffer(count: n)
    }

    /// A parameter that shares `other`'s values but has its own gradient (a per-thread replica).
    package init(sharing other: Parameter) {
        name = other.name
        shape = other.shape
        value = other.value
        grad = FloatBuffer(count: other.value.count)
    }

    /// The number of elements.
    package var count: Int { value.count }
}
