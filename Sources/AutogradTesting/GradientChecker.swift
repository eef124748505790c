import Autograd

/// Checks a function's gradients from the tape against central finite differences, in Double.
///
/// Users call it from their own tests for their own ops and layers:
///
/// ```swift
/// let result = checkGradients(at: [x, w]) { tape, inputs in
///     inputs[0].matmul(inputs[1]).tanh()
/// }
/// #expect(result.passed, "\(result)")
/// ```
///
/// Small problems get a full Jacobian (every output against every input element); larger
/// ones get random directional derivatives (JAX's `check_grads` idea):
/// `<u, J v>` from differences against `<J^T u, v>` from one backward pass. Beyond the
/// derivatives, it checks that a zero cotangent gives zero gradients, that gradient shapes
/// equal input shapes, that two backward passes agree exactly, and that an input used twice
/// accumulates (the gradient of `f + f` is twice that of `f`).
///
/// The tolerances are PyTorch's gradcheck defaults, which hold in double precision:
/// an entry passes when `|analytic - numeric| <= atol + rtol * |numeric|`.
///
/// At `order: 2` (PyTorch's `gradgradcheck`), it also checks the gradient pass that records
/// (`Tape.gradients(of:withRespectTo:)`): its gradients must equal `backward`'s, and the
/// gradient as a function of the inputs and the cotangent, `(x, u) -> J(x)^T u`, is itself
/// checked as above, so its derivatives (the second derivatives of `f`) meet central
/// differences of first derivatives. Higher orders recurse the same way.
public struct GradientChecker: Sendable {
    /// The finite-difference step.
    public var epsilon: Double = 1e-6
    public var absoluteTolerance: Double = 1e-5
    public var relativeTolerance: Double = 1e-3
    /// Full Jacobians are used while outputs x inputs stays at or below this.
    public var fullJacobianLimit: Int = 4096
    /// Random directions tried for larger problems.
    public var directionCount: Int = 4
    /// Seeds the random cotangents and directions.
    public var seed: UInt64 = 0x5EED

    public init() {}

    /// The function under test: records ops on `tape` from `inputs` and returns the output.
    public typealias Function = (Tape<Double>, [Variable<Double>]) -> Variable<Double>

    /// Checks `function` at `inputs` up to derivatives of `order` (1: gradients; 2: gradients
    /// of gradients too). Inputs whose `differentiable` flag is false are recorded as
    /// constants and not checked (labels, samples held fixed).
    public func check(
        at inputs: [Tensor<Double>], differentiable: [Bool]? = nil, order: Int = 1,
        _ function: Function
    ) -> GradientCheckResult {
        let mask = differentiable ?? Array(repeating: true, count: inputs.count)
        require(mask.count == inputs.count, "GradientChecker: \(mask.count) flags for \(inputs.count) inputs")
        require(order >= 1, "GradientChecker: order \(order) is not a derivative's order (1, 2, ...)")
        var result = checkFirstOrder(at: inputs, mask: mask, function)
        if order >= 2 && mask.contains(true) {
            result.add(checkRecordedGradients(at: inputs, mask: mask, order: order, function), as: "order \(order)")
        }
        return result
    }

    private func checkFirstOrder(
        at inputs: [Tensor<Double>], mask: [Bool], _ function: Function
    ) -> GradientCheckResult {
        var result = GradientCheckResult()
        var generator = SeededGenerator(seed: seed)
        let tape = Tape<Double>()

        let output = evaluate(function, at: inputs, mask: mask, on: tape)
        let outputShape = output.shape
        let checkedCount = zip(inputs, mask).reduce(0) { $0 + ($1.1 ? $1.0.shape.count : 0) }

        // Derivatives.
        if outputShape.count * checkedCount <= fullJacobianLimit {
            compareFullJacobian(function, inputs, mask, outputShape, tape, &result)
        } else {
            for _ in 0..<directionCount {
                compareDirection(function, inputs, mask, outputShape, tape, &generator, &result)
            }
        }

        // Properties of the backward pass.
        let cotangent = Tensor<Double>.normal(outputShape, using: &generator)
        let first = gradients(function, inputs, mask, seed: cotangent, tape)
        let second = gradients(function, inputs, mask, seed: cotangent, tape)
        for (i, gradient) in first.enumerated() where mask[i] {
            if gradient.shape != inputs[i].shape {
                result.fail("input \(i): gradient shape \(gradient.shape) differs from input shape \(inputs[i].shape)")
            }
            if gradient.scalars != second[i].scalars {
                result.fail("input \(i): two backward passes gave different gradients")
            }
        }
        let zero = gradients(function, inputs, mask, seed: .zeros(outputShape), tape)
        for (i, gradient) in zero.enumerated() where mask[i] && gradient.scalars.contains(where: { $0 != 0 }) {
            result.fail("input \(i): a zero cotangent gave a non-zero gradient")
        }
        let doubled = gradients(
            { tape, variables in function(tape, variables) + function(tape, variables) },
            inputs, mask, seed: cotangent, tape)
        for (i, gradient) in doubled.enumerated() where mask[i] {
            for (j, (twice, once)) in zip(gradient.scalars, first[i].scalars).enumerated()
            where abs(twice - 2 * once) > 1e-12 * max(1, abs(twice)) {
                result.fail("input \(i)[\(j)]: using the input twice gave \(twice), expected twice \(once)")
                break
            }
        }
        return result
    }

    /// The recorded gradient pass: its numbers against `backward`'s, then the gradient as a
    /// function `(inputs, u) -> J^T u` checked at one order less.
    private func checkRecordedGradients(
        at inputs: [Tensor<Double>], mask: [Bool], order: Int, _ function: Function
    ) -> GradientCheckResult {
        var result = GradientCheckResult()
        var generator = SeededGenerator(seed: seed &+ UInt64(order))
        let tape = Tape<Double>()
        let outputShape = evaluate(function, at: inputs, mask: mask, on: tape).shape
        let cotangent = Tensor<Double>.normal(outputShape, using: &generator)
        let checked = mask.indices.filter { mask[$0] }

        let fast = gradients(function, inputs, mask, seed: cotangent, tape)
        tape.reset()
        let variables = zip(inputs, mask).map { $1 ? tape.variable($0) : tape.constant($0) }
        let recorded = tape.gradients(
            of: function(tape, variables), withRespectTo: checked.map { variables[$0] },
            seed: tape.constant(cotangent))
        for (k, i) in checked.enumerated() {
            for (j, (value, expected)) in zip(recorded[k].scalars, fast[i].scalars).enumerated()
            where abs(value - expected) > 1e-10 * max(1, abs(expected)) {
                result.fail("input \(i)[\(j)]: the recorded gradient is \(value), backward's \(expected)")
                break
            }
        }

        let gradientFunction: Function = { tape, variables in
            let u = variables[variables.count - 1]
            let y = function(tape, Array(variables.dropLast()))
            let gradients = tape.gradients(of: y, withRespectTo: checked.map { variables[$0] }, seed: u)
            return concatenate(gradients.map { $0.reshaped(to: [$0.shape.count]) }, alongAxis: 0)
        }
        result.add(
            check(at: inputs + [cotangent], differentiable: mask + [true], order: order - 1, gradientFunction),
            as: "the gradient (x, u) -> J^T u")
        return result
    }

    // MARK: Pieces

    private func evaluate(
        _ function: Function, at inputs: [Tensor<Double>], mask: [Bool],
        on tape: Tape<Double>
    ) -> Variable<Double> {
        tape.reset()
        let variables = zip(inputs, mask).map { $1 ? tape.variable($0) : tape.constant($0) }
        return function(tape, variables)
    }

    private func outputValues(
        _ function: Function, _ inputs: [Tensor<Double>], _ mask: [Bool],
        _ tape: Tape<Double>
    ) -> [Double] {
        evaluate(function, at: inputs, mask: mask, on: tape).value.scalars
    }

    /// Gradients of `<seed, f(inputs)>` with respect to each input.
    private func gradients(
        _ function: Function, _ inputs: [Tensor<Double>], _ mask: [Bool],
        seed: Tensor<Double>, _ tape: Tape<Double>
    ) -> [Tensor<Double>] {
        tape.reset()
        let variables = zip(inputs, mask).map { $1 ? tape.variable($0) : tape.constant($0) }
        let output = function(tape, variables)
        tape.backward(from: output, seed: seed)
        // An input the output does not depend on has a zero derivative, as the differences say.
        return variables.map { tape.gradient(of: $0) ?? .zeros($0.shape) }
    }

    private func compareFullJacobian(
        _ function: Function, _ inputs: [Tensor<Double>], _ mask: [Bool],
        _ outputShape: Shape, _ tape: Tape<Double>, _ result: inout GradientCheckResult
    ) {
        // Analytic rows: one backward pass per output element.
        var analytic: [[Tensor<Double>]] = []
        for j in 0..<outputShape.count {
            var seed = Tensor<Double>.zeros(outputShape)
            seed.withUnsafeMutableBufferPointer { $0[j] = 1 }
            analytic.append(gradients(function, inputs, mask, seed: seed, tape))
        }
        // Numeric columns: one pair of evaluations per input element.
        for (i, input) in inputs.enumerated() where mask[i] {
            for e in 0..<input.shape.count {
                var plus = inputs
                var minus = inputs
                plus[i].withUnsafeMutableBufferPointer { $0[e] += epsilon }
                minus[i].withUnsafeMutableBufferPointer { $0[e] -= epsilon }
                let up = outputValues(function, plus, mask, tape)
                let down = outputValues(function, minus, mask, tape)
                for j in 0..<outputShape.count {
                    let numeric = (up[j] - down[j]) / (2 * epsilon)
                    let exact = analytic[j][i].scalars[e]
                    if !withinTolerance(exact, numeric) {
                        result.fail("input \(i)[\(e)] -> output[\(j)]: analytic \(exact), numeric \(numeric)")
                    }
                }
            }
        }
    }

    private func compareDirection(
        _ function: Function, _ inputs: [Tensor<Double>], _ mask: [Bool],
        _ outputShape: Shape, _ tape: Tape<Double>,
        _ generator: inout SeededGenerator, _ result: inout GradientCheckResult
    ) {
        let cotangent = Tensor<Double>.normal(outputShape, using: &generator)
        let directions = inputs.enumerated().map { i, input in
            mask[i] ? Tensor<Double>.normal(input.shape, using: &generator) : .zeros(input.shape)
        }
        let grads = gradients(function, inputs, mask, seed: cotangent, tape)
        var analytic = 0.0
        for (gradient, direction) in zip(grads, directions) {
            analytic += zip(gradient.scalars, direction.scalars).reduce(0) { $0 + $1.0 * $1.1 }
        }
        func shifted(_ sign: Double) -> [Tensor<Double>] {
            zip(inputs, directions).map { input, direction in
                Tensor(
                    shape: input.shape, scalars: zip(input.scalars, direction.scalars).map { $0 + sign * epsilon * $1 })
            }
        }
        let up = outputValues(function, shifted(1), mask, tape)
        let down = outputValues(function, shifted(-1), mask, tape)
        var numeric = 0.0
        for j in 0..<outputShape.count { numeric += cotangent.scalars[j] * (up[j] - down[j]) / (2 * epsilon) }
        if !withinTolerance(analytic, numeric) {
            result.fail("random direction: analytic <J^T u, v> = \(analytic), numeric <u, J v> = \(numeric)")
        }
    }

    private func withinTolerance(_ analytic: Double, _ numeric: Double) -> Bool {
        abs(analytic - numeric) <= absoluteTolerance + relativeTolerance * abs(numeric)
    }
}

/// The outcome of a gradient check: passed, or the list of what disagreed.
public struct GradientCheckResult: CustomStringConvertible, Sendable {
    /// One line per disagreement (at most `maximumReported` are kept).
    public private(set) var failures: [String] = []
    /// How many disagreements there were in all.
    public private(set) var failureCount = 0
    static let maximumReported = 20

    public var passed: Bool { failureCount == 0 }

    mutating func fail(_ message: String) {
        failureCount += 1
        if failures.count < Self.maximumReported { failures.append(message) }
    }

    /// Takes in another check's disagreements, each line prefixed with what was checked.
    mutating func add(_ other: GradientCheckResult, as part: String) {
        for failure in other.failures where failures.count < Self.maximumReported {
            failures.append("\(part): \(failure)")
        }
        failureCount += other.failureCount
    }

    public var description: String {
        passed
            ? "gradient check passed"
            : "gradient check failed (\(failureCount) disagreements):\n" + failures.joined(separator: "\n")
    }
}

/// Checks `function`'s derivatives at `inputs` up to `order` with PyTorch's default
/// tolerances. See `GradientChecker` for what is checked and how to change the tolerances.
public func checkGradients(
    at inputs: [Tensor<Double>], differentiable: [Bool]? = nil, order: Int = 1,
    _ function: GradientChecker.Function
) -> GradientCheckResult {
    GradientChecker().check(at: inputs, differentiable: differentiable, order: order, function)
}
