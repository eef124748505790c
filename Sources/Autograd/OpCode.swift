/// The op registry: every differentiable op the tape can record.
///
/// Each case's forward rule and vector-Jacobian product live side by side in `Ops/`. A
/// node records its op as a case of the tape's internal `Op`, which carries the op's
/// attributes and maps to this enum by an exhaustive `switch`; `Tape.backward` dispatches on
/// it with another, and `Tape.gradients(of:withRespectTo:)` with a third, to the same VJP
/// written in recorded ops (differentiable again), so an op added without its VJPs or its
/// attributes does not compile. The tests walk `OpCode.allCases` and check every op's first
/// and second derivatives from a description that must exist for each case, so an op without
/// a test description does not compile either.
public enum OpCode: UInt8, CaseIterable, Sendable {
    // Elementwise, broadcasting like numpy (Ops/Elementwise.swift).
    case add, subtract, multiply, divide
    case negate, exp, log, tanh, sigmoid, relu, square, squareRoot, clamp
    // Linear algebra (Ops/Matmul.swift, Ops/Linear.swift, Ops/Convolution.swift).
    case matmul, linear, convolution
    // The convolution's two halves, each the other's VJP (Ops/Convolution.swift): patches as
    // columns (im2col) and back (col2im).
    case unfold, fold
    // Reductions (Ops/Reductions.swift).
    case sum, max, logSoftmax
    // Shapes and selection (Ops/Shaping.swift).
    case reshape, transpose, concatenate, slice, gather, stopGradient
    // Distributions (Ops/Distributions.swift): the Gaussian log-density with the sample held
    // constant, and the stochastic node that samples and feeds REINFORCE into the mean.
    case normalLogProbability, sampleNormal
    // An op defined outside the library with its own VJP (CustomOp.swift).
    case custom
}
