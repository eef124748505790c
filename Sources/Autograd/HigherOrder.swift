// Derivatives of functions of one tensor, beyond a gradient: Jacobian-vector products,
// Hessian-vector products, full Jacobians and Hessians. Each records `f` on a fresh tape and
// builds on `Tape.gradients(of:withRespectTo:)`, the backward pass that records.
//
// Forward mode is the double-VJP trick (J. Townsend, 2017): `J^T u`,
// recorded as a function of a placeholder `u`, is linear in `u`, and its own VJP with
// cotangent `v` is `J v`. It costs about two reverse passes instead of one forward pass with
// tangents, and in exchange every op has one derivative rule, its VJP, and no second table of
// tangent rules to keep in step with it.

/// `f(x)` and the Jacobian-vector product `J v`, the derivative of `f` at `x` in the
/// direction `v` (forward mode, through two recorded reverse passes).
///
/// ```swift
/// let (y, ydot) = jvp(of: { $0.tanh() }, at: x, direction: v)   // ydot = (1 - y^2) v
/// ```
@inlinable
public func jvp<Scalar>(
    of f: (Variable<Scalar>) -> Variable<Scalar>, at x: Tensor<Scalar>, direction v: Tensor<Scalar>
) -> (value: Tensor<Scalar>, tangent: Tensor<Scalar>) {
    require(v.shape == x.shape, "jvp: direction shape \(v.shape) differs from the point's shape \(x.shape)")
    let tape = Tape<Scalar>()
    let input = tape.variable(x)
    let y = f(input)
    let u = tape.variable(.zeros(y.shape))  // any value: J^T u is linear in it
    let transposed = tape.gradients(of: y, withRespectTo: [input], seed: u, reinforce: false)[0]
    tape.backward(from: transposed, seed: v, reinforce: false)
    return (y.value, tape.gradient(of: u) ?? .zeros(y.shape))
}

/// The Hessian-vector product `H v` of a scalar function `f` at `x` (Pearlmutter's trick,
/// reverse over reverse): the gradient of `<grad f(x), v>`, without forming `H`.
@inlinable
public func hvp<Scalar>(
    of f: (Variable<Scalar>) -> Variable<Scalar>, at x: Tensor<Scalar>, direction v: Tensor<Scalar>
) -> Tensor<Scalar> {
    require(v.shape == x.shape, "hvp: direction shape \(v.shape) differs from the point's shape \(x.shape)")
    let tape = Tape<Scalar>()
    let input = tape.variable(x)
    let gradient = tape.gradients(of: scalarOutput(f, input, "hvp"), withRespectTo: [input])[0]
    tape.backward(from: gradient, seed: v, reinforce: false)
    return tape.gradient(of: input) ?? .zeros(x.shape)
}

/// The Hessian of a scalar function `f` at `x`, as an `[n, n]` matrix over the elements of
/// `x` in row-major order: one recorded gradient, then one reverse pass per row.
@inlinable
public func hessian<Scalar>(of f: (Variable<Scalar>) -> Variable<Scalar>, at x: Tensor<Scalar>) -> Tensor<Scalar> {
    let tape = Tape<Scalar>()
    let input = tape.variable(x)
    let gradient = tape.gradients(of: scalarOutput(f, input, "hessian"), withRespectTo: [input])[0]
    return rowsOfJacobian(of: gradient, at: input)
}

/// The Jacobian of `f` at `x`, as an `[m, n]` matrix: row `i` is the gradient of output
/// element `i` (row-major) with respect to the elements of `x`. One reverse pass per row.
@inlinable
public func jacobian<Scalar>(of f: (Variable<Scalar>) -> Variable<Scalar>, at x: Tensor<Scalar>) -> Tensor<Scalar> {
    let tape = Tape<Scalar>()
    let input = tape.variable(x)
    return rowsOfJacobian(of: f(input), at: input)
}

/// The Jacobian of a recorded `output` with respect to `input`, one reverse pass per row.
@inlinable
func rowsOfJacobian<Scalar>(of output: Variable<Scalar>, at input: Variable<Scalar>) -> Tensor<Scalar> {
    let (m, n) = (output.shape.count, input.shape.count)
    var rows: [Scalar] = []
    rows.reserveCapacity(m * n)
    for i in 0..<m {
        var seed = Tensor<Scalar>.zeros(output.shape)
        seed.withUnsafeMutableBufferPointer { $0[i] = 1 }
        output.tape.backward(from: output, seed: seed, reinforce: false)
        rows += output.tape.gradient(of: input)?.scalars ?? Array(repeating: 0, count: n)
    }
    return Tensor(shape: [m, n], scalars: rows)
}

@inlinable
func scalarOutput<Scalar>(
    _ f: (Variable<Scalar>) -> Variable<Scalar>, _ input: Variable<Scalar>, _ caller: String
) -> Variable<Scalar> {
    let y = f(input)
    require(y.shape.count == 1, "\(caller): f must return one number, got shape \(y.shape)")
    return y
}
