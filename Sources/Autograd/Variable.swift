/// A value recorded on a tape: the handle that ops take and return.
///
/// A variable is valid until its tape's next `reset()`.
public struct Variable<Scalar: TensorScalar> {
    /// The tape that recorded this value.
    public let tape: Tape<Scalar>
    @usableFromInline let id: Int32
    @usableFromInline let generation: UInt32

    @usableFromInline
    init(tape: Tape<Scalar>, id: Int32, generation: UInt32) {
        self.tape = tape
        self.id = id
        self.generation = generation
    }

    /// The dimensions of the value.
    public var shape: Shape { tape.node(self).shape }

    /// A copy of the value.
    public var value: Tensor<Scalar> { tape.value(of: self) }

    /// A copy of the value's elements in row-major order: `value.scalars` without the tensor.
    public var scalars: [Scalar] {
        let node = tape.node(self)
        return Array(UnsafeBufferPointer(start: tape.pointer(node.value), count: node.shape.count))
    }
}
