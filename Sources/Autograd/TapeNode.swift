/// One recorded value: an input or the result of an op. Plain data, so the tape is a flat
/// array that a training step refills without allocating. Pointers are untyped so the
/// layout is fixed whatever the element type (generic code then moves nodes cheaply).
@usableFromInline
struct TapeNode {
    /// What made the value, with everything its VJP needs.
    @usableFromInline var op: Op
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

    @inlinable
    init(
        op: Op, shape: Shape, value: UnsafeMutableRawPointer, gradient: UnsafeMutableRawPointer?,
        firstOperand: Int32, operandCount: Int32, requiresGradient: Bool, hasExternalGradient: Bool
    ) {
        (self.op, self.shape, self.value, self.gradient) = (op, shape, value, gradient)
        (self.firstOperand, self.operandCount) = (firstOperand, operandCount)
        (self.requiresGradient, self.hasExternalGradient) = (requiresGradient, hasExternalGradient)
    }
}

/// What made a node: one case per `OpCode` (the elementwise ones as one case per arity,
/// holding their operator), carrying what that op's VJP needs, plus the inputs. `backward`
/// switches over it exhaustively and each VJP receives its attributes by pattern, so an op
/// recorded without them, or a case without a VJP, does not compile.
@usableFromInline
enum Op {
    /// A constant, a variable or a bound parameter. `zeros` marks `constant(0, shape:)`: a
    /// product with it is zero, which the linear op skips (a recurrent cell's first step).
    case input(zeros: Bool)
    /// An elementwise binary op, broadcasting.
    case binary(BinaryOperator)
    /// An elementwise unary op; the bounds are clamp's (the other operators ignore them).
    case unary(UnaryOperator, lower: Double, upper: Double)
    case matmul(transposeA: Bool, transposeB: Bool)
    /// How many (input, weight) terms, which of them have a bias (bit i for term i), and the
    /// activation.
    case linear(terms: UInt8, biases: UInt8, activation: Activation)
    /// Stride, padding and the unfolded input saved for the VJP (the rest of the geometry
    /// follows from the operands' shapes, which keeps nodes small).
    case convolution(stride: Int, padding: Int, columns: UnsafeMutableRawPointer)
    /// The window's geometry; the image side's shape gives the rest.
    case unfold(kernel: Int, stride: Int, padding: Int)
    case fold(kernel: Int, stride: Int, padding: Int)
    /// A bit set of the axes summed.
    case sum(reducedAxes: UInt8)
    /// The winning index of each output element; its VJP scatters there like a gather's.
    case max(axis: Int, argmax: UnsafeMutablePointer<Int32>)
    case logSoftmax
    case reshape
    /// Output axis i is input axis `permutation[i]` (four packed bytes).
    case transpose(permutation: UInt32)
    case concatenate(axis: Int)
    case slice(axis: Int, start: Int)
    /// One index per output element.
    case gather(axis: Int, indices: UnsafeMutablePointer<Int32>)
    case stopGradient
    case normalLogProbability(standardDeviation: Double)
    /// The negated advantage, broadcast to the sample's shape, once `setAdvantage` set it.
    case sampleNormal(standardDeviation: Double, negatedAdvantage: UnsafeMutableRawPointer?)
    /// Output `output` of `outputCount` of a user's op, whose VJP is the tape's
    /// `customEntries[entry]`; the last output's node holds the op's inputs as operands.
    case custom(entry: Int32, output: Int32, outputCount: Int32)

    /// The registry's name of the op; nil for inputs.
    @inlinable
    var code: OpCode? {
        switch self {
        case .input: nil
        case .binary(let op): op.code
        case .unary(let op, _, _): op.code
        case .matmul: .matmul
        case .linear: .linear
        case .convolution: .convolution
        case .unfold: .unfold
        case .fold: .fold
        case .sum: .sum
        case .max: .max
        case .logSoftmax: .logSoftmax
        case .reshape: .reshape
        case .transpose: .transpose
        case .concatenate: .concatenate
        case .slice: .slice
        case .gather: .gather
        case .stopGradient: .stopGradient
        case .normalLogProbability: .normalLogProbability
        case .sampleNormal: .sampleNormal
        case .custom: .custom
        }
    }

    @inlinable
    var isInput: Bool {
        if case .input = self { return true }
        return false
    }
}
