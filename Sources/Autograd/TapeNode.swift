/// One recorded value: an input or the result of an op. Plain data, so the tape is a flat
/// array that a training step refills without allocating. Pointers are untyped so the
/// layout is fixed whatever the element type (generic code then moves nodes cheaply).
@usableFromInline
struct TapeNode {
    /// nil for inputs (constants, variables and bound parameters).
    var op: OpCode?
    var shape: Shape
    var value: UnsafeMutableRawPointer
    /// Allocated on the first contribution in backward, or supplied with a bound parameter.
    var gradient: UnsafeMutableRawPointer?
    /// The operands are `operands[firstOperand ..< firstOperand + operandCount]`.
    var firstOperand: Int32
    var operandCount: Int32
    var requiresGradient: Bool
    /// A gradient supplied by the caller (a parameter's) accumulates across backward passes;
    /// the tape's own gradients are cleared at the start of each pass.
    var hasExternalGradient: Bool
    var attributes: OpAttributes
}

/// What an op remembers besides its operands.
@usableFromInline
enum OpAttributes {
    case none
    case matmul(transposeA: Bool, transposeB: Bool)
    case clamp(lower: Double, upper: Double)
    /// A bit set of the axes a `sum` reduces.
    case reducedAxes(UInt8)
    /// `max`: the reduced axis and the winning index of each output element.
    case maximum(axis: Int, argmax: UnsafeMutablePointer<Int32>)
    /// `transpose`: output axis i is input axis `permutation[i]` (four packed bytes).
    case permutation(UInt32)
    case concatenate(axis: Int)
    case slice(axis: Int, start: Int)
    case gather(axis: Int, indices: UnsafeMutablePointer<Int32>)
    case normal(standardDeviation: Double)
    /// `sampleNormal`: the negated advantage, broadcast to the sample's shape, once it is set.
    case stochastic(standardDeviation: Double, negatedAdvantage: UnsafeMutableRawPointer?)
    /// `convolution`: stride, padding and the unfolded input saved for the VJP (the rest of
    /// the geometry follows from the operands' shapes, which keeps nodes small).
    case convolution(stride: Int, padding: Int, columns: UnsafeMutableRawPointer)
}
