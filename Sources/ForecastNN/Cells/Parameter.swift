/// A trainable tensor: its values, its gradient (accumulated with `+=` by backward passes), its
/// shape and a name in Keras' spelling (`kernel`, `recurrent_kernel`, `bias`).
public final class Parameter: @unchecked Sendable {
    /// The name, unique within its layer.
    public let name: String
    /// The shape, row-major.
    public let shape: [Int]
    /// The values.
    public let value: FloatBuffer
    /// The gradient of the loss with respect to `value`.
    public let grad: FloatBuffer

    /// A zero-initialised parameter.
    public init(_ name: String, shape: [Int]) {
        self.name = name
        self.shape = shape
        let n = shape.reduce(1, *)
        value = FloatBuffer(count: n)
        grad = FloatBuffer(count: n)
    }

    /// A parameter that shares `other`'s values but has its own gradient (a per-thread replica).
    public init(sharing other: Parameter) {
        name = other.name
        shape = other.shape
        value = other.value
        grad = FloatBuffer(count: other.value.count)
    }

    /// The number of elements.
    public var count: Int { value.count }
}
