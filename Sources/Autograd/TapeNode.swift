/// One recorded value: an input or the result of an op. Plain data, so the tape is a flat
/// array that a training step refills without allocating. Pointers are untyped so the
/// layout is fixed whatever the element type (generic code then moves nodes cheaply).
@usableFromInline
struct TapeNode {
    /// nil for inputs (constants, variables and bound parameters).
    @usableFromInline var op: OpCode?
    @usableFromInline var shape: Shape
    @usableFromInline var value: UnsafeMutableRawPointer
    /// Allocated on the first contribution in backward, or supplied with a bound parameter.
    @usableFromInline var gradient: UnsafeMutableRawPointer?
    /// The operands are `operands[firstOperand ..< firstOperand + operandCount]`.
    @usableFromInline var firstOperand: Int32
    @usableFromInline var operandCount: Int32
    @usableFromInline var requiresGradient: Bool
    /// A gradient supplied by the caller (a parameter's) accumulates across backward passes;
    /// the tape's own gradients are cleared at the start of each pass.
    @usableFromInline var hasExternalGradient: Bool
    @usableFromInline var attributes: OpAttributes

    @inlinable
    init(op: OpCode?, shape: Shape, value: UnsafeMutableRawPointer, gradient: UnsafeMutableRawPointer?,
         firstOperand: Int32, operandCount: Int32, requiresGradient: Bool, hasExternalGradient: Bool,
         attributes: OpAttributes) {
        (self.op, self.shape, self.value, self.gradient) = (op, shape, value, gradient)
        (self.firstOperand, self.operandCount) = (firstOperand, operandCount)
        (self.requiresGradient, self.hasExternalGradient, self.attributes) = (requiresGradient, hasExternalGradient, attributes)
    }
}

/// What an op remembers besides its operands.
@usableFromInline
enum OpAttributes {
    case none
    /// An input made by `constant(0, shape:)`: a product with it is zero, which the linear
    /// op skips (a recurrent cell's first step, from the zero state).
    case zeros
    case matmul(transposeA: Bool, transposeB: Bool)
    case clamp(lower: Double, upper: Double)
    /// A bit set of the axes a `sum` reduces.
    case reducedAxes(UInt8)
    /// `transpose`: output axis i is input axis `permutation[i]` (four packed bytes).
    case permutation(UInt32)
    case concatenate(axis: Int)
    case slice(axis: Int, start: Int)
    /// `gather`, and `max` with its winning indices: the axis and one index per output element.
    case gather(axis: Int, indices: UnsafeMutablePointer<Int32>)
    case normal(standardDeviation: Double)
    /// `sampleNormal`: the negated advantage, broadcast to the sample's shape, once it is set.
    case stochastic(standardDeviation: Double, negatedAdvantage: UnsafeMutableRawPointer?)
    /// `convolution`: stride, padding and the unfolded input saved for the VJP (the rest of
    /// the geometry follows from the operands' shapes, which keeps nodes small).
    case convolution(stride: Int, padding: Int, columns: UnsafeMutableRawPointer)
    /// `linear`: how many (input, weight) terms, which of them have a bias (bit i for term
    /// i), and the activation.
    case linear(terms: UInt8, biases: UInt8, activation: Activation)
}
