// Elementwise ops: forward rules and their VJPs side by side, down to the per-element
// formulas of each operator (the kernels' loops below).

// MARK: Binary (broadcasting)

extension Variable {
    /// Elementwise sum, broadcasting like numpy.
    @inlinable
    public static func + (lhs: Variable, rhs: Variable) -> Variable { lhs.tape.binary(.add, lhs, rhs) }
    /// Elementwise difference, broadcasting like numpy.
    @inlinable
    public static func - (lhs: Variable, rhs: Variable) -> Variable { lhs.tape.binary(.subtract, lhs, rhs) }
    /// Elementwise product, broadcasting like numpy.
    @inlinable
    public static func * (lhs: Variable, rhs: Variable) -> Variable { lhs.tape.binary(.multiply, lhs, rhs) }
    /// Elementwise quotient, broadcasting like numpy.
    @inlinable
    public static func / (lhs: Variable, rhs: Variable) -> Variable { lhs.tape.binary(.divide, lhs, rhs) }

    @inlinable
    public static func + (lhs: Variable, rhs: Scalar) -> Variable { lhs + lhs.tape.constant(rhs) }
    @inlinable
    public static func - (lhs: Variable, rhs: Scalar) -> Variable { lhs - lhs.tape.constant(rhs) }
    @inlinable
    public static func * (lhs: Variable, rhs: Scalar) -> Variable { lhs * lhs.tape.constant(rhs) }
    @inlinable
    public static func / (lhs: Variable, rhs: Scalar) -> Variable { lhs / lhs.tape.constant(rhs) }
    @inlinable
    public static func + (lhs: Scalar, rhs: Variable) -> Variable { rhs.tape.constant(lhs) + rhs }
    @inlinable
    public static func - (lhs: Scalar, rhs: Variable) -> Variable { rhs.tape.constant(lhs) - rhs }
    @inlinable
    public static func * (lhs: Scalar, rhs: Variable) -> Variable { rhs.tape.constant(lhs) * rhs }
    @inlinable
    public static func / (lhs: Scalar, rhs: Variable) -> Variable { rhs.tape.constant(lhs) / rhs }
}

extension Tape {
    @inlinable
    func binary(_ op: BinaryOperator, _ a: Variable<Scalar>, _ b: Variable<Scalar>) -> Variable<Scalar> {
        check(a)
        check(b)
        let sa = nodes[Int(a.id)].shape
        let sb = nodes[Int(b.id)].shape
        let lhs = pointer(nodes[Int(a.id)].value)
        let rhs = pointer(nodes[Int(b.id)].value)
        if sa == sb {
            // The common case: nothing to broadcast, both operands read like the output.
            return record(.binary(op), a, b, shape: sa) { out in
                let contiguous = sa.strides4
                Scalar.kernels.binary(
                    op, extent: sa.extent4, lhs: lhs, lhsStrides: contiguous,
                    rhs: rhs, rhsStrides: contiguous, out: out)
            }
        }
        guard let shape = Shape.broadcast(sa, sb) else {
            fatalError("\(op): shapes \(sa) and \(sb) cannot be broadcast together")
        }
        return record(.binary(op), a, b, shape: shape) { out in
            Scalar.kernels.binary(
                op, extent: shape.extent4,
                lhs: lhs, lhsStrides: sa.broadcastStrides4(over: shape),
                rhs: rhs, rhsStrides: sb.broadcastStrides4(over: shape),
                out: out)
        }
    }

    @inlinable
    func binaryVJP(_ op: BinaryOperator, _ node: TapeNode, _ g: UnsafeMutablePointer<Scalar>) {
        let a = operand(node, 0)
        let b = operand(node, 1)
        let shape = node.shape
        if nodes[Int(a)].shape == shape && nodes[Int(b)].shape == shape {
            // Nothing was broadcast: one fused pass writes both gradients, with no scratch.
            let da = gradientTarget(a)
            let db = gradientTarget(b)
            Scalar.kernels.binaryBackward(
                op, count: shape.count,
                a: pointer(nodes[Int(a)].value), b: pointer(nodes[Int(b)].value),
                y: pointer(node.value), g: g,
                da: da?.buffer, overwriteA: da?.isFresh ?? false,
                db: db?.buffer, overwriteB: db?.isFresh ?? false)
            return
        }
        let na = nodes[Int(a)]
        let nb = nodes[Int(b)]
        let contiguous = shape.strides4
        /// `g op other`, with `other` read broadcast to the output's shape.
        func product(_ op: BinaryOperator, _ other: TapeNode) -> UnsafeMutablePointer<Scalar> {
            let out = scratch(shape.count)
            Scalar.kernels.binary(
                op, extent: shape.extent4, lhs: g, lhsStrides: contiguous,
                rhs: pointer(other.value), rhsStrides: other.shape.broadcastStrides4(over: shape),
                out: out)
            return out
        }
        switch op {
        case .add:
            accumulate(g, shape: shape, into: a)
            accumulate(g, shape: shape, into: b)
        case .subtract:
            accumulate(g, shape: shape, into: a)
            accumulate(g, shape: shape, into: b, alpha: -1)
        case .multiply:
            if na.requiresGradient { accumulate(product(.multiply, nb), shape: shape, into: a) }
            if nb.requiresGradient { accumulate(product(.multiply, na), shape: shape, into: b) }
        case .divide:
            // d(a/b)/da = 1/b; d(a/b)/db = -(a/b)/b, reusing the output a/b.
            if na.requiresGradient { accumulate(product(.divide, nb), shape: shape, into: a) }
            if nb.requiresGradient {
                let t = scratch(shape.count)
                Scalar.kernels.binary(
                    .multiply, extent: shape.extent4, lhs: g, lhsStrides: contiguous,
                    rhs: pointer(node.value), rhsStrides: contiguous, out: t)
                Scalar.kernels.binary(
                    .divide, extent: shape.extent4, lhs: t, lhsStrides: contiguous,
                    rhs: pointer(nb.value), rhsStrides: nb.shape.broadcastStrides4(over: shape), out: t)
                accumulate(t, shape: shape, into: b, alpha: -1)
            }
        }
    }

    /// The same rules in recorded ops; the pass undoes broadcasting.
    @inlinable
    func binaryRecordedVJP(_ op: BinaryOperator, _ c: RecordedVJP<Scalar>) -> [Variable<Scalar>?] {
        let (a, b, g) = (c.operand(0), c.operand(1), c.g)
        switch op {
        case .add: return [g, g]
        case .subtract: return [g, c.wants[1] ? -g : nil]
        case .multiply: return [c.wants[0] ? g * b : nil, c.wants[1] ? g * a : nil]
        case .divide: return [c.wants[0] ? g / b : nil, c.wants[1] ? -(g * c.output / b) : nil]
        }
    }
}

// MARK: Unary

extension Variable {
    public static prefix func - (x: Variable) -> Variable { x.tape.unary(.negate, x) }
    /// e^x.
    @inlinable
    public func exp() -> Variable { tape.unary(.exp, self) }
    /// The natural logarithm.
    @inlinable
    public func log() -> Variable { tape.unary(.log, self) }
    /// The hyperbolic tangent; its VJP reuses the output: 1 - y^2.
    @inlinable
    public func tanh() -> Variable { tape.unary(.tanh, self) }
    /// The logistic function 1 / (1 + e^-x); its VJP reuses the output: y (1 - y).
    @inlinable
    public func sigmoid() -> Variable { tape.unary(.sigmoid, self) }
    /// max(x, 0). Its derivative at 0 is taken to be 0, as in PyTorch.
    @inlinable
    public func relu() -> Variable { tape.unary(.relu, self) }
    /// x^2.
    @inlinable
    public func squared() -> Variable { tape.unary(.square, self) }
    /// The square root; its VJP reuses the output: 1 / (2 y).
    @inlinable
    public func squareRoot() -> Variable { tape.unary(.squareRoot, self) }
    /// min(max(x, lower), upper). The gradient passes where lower <= x <= upper, bounds
    /// included (as in PyTorch), and is 0 outside.
    @inlinable
    public func clamped(to range: ClosedRange<Scalar>) -> Variable {
        tape.unary(.clamp, self, lower: range.lowerBound, upper: range.upperBound)
    }
}

extension Tape {
    @inlinable
    func unary(_ op: UnaryOperator, _ x: Variable<Scalar>, lower: Scalar = 0, upper: Scalar = 0) -> Variable<Scalar> {
        check(x)
        let shape = nodes[Int(x.id)].shape
        let input = pointer(nodes[Int(x.id)].value)
        return record(.unary(op, lower: Double(lower), upper: Double(upper)), x, shape: shape) { out in
            Scalar.kernels.unary(op, count: shape.count, x: input, y: out, lower: lower, upper: upper)
        }
    }

    @inlinable
    func unaryVJP(
        _ op: UnaryOperator, _ node: TapeNode, _ g: UnsafeMutablePointer<Scalar>,
        lower: Scalar = 0, upper: Scalar = 0
    ) {
        let x = operand(node, 0)
        guard let (dx, isFresh) = gradientTarget(x) else { return }
        Scalar.kernels.unaryBackward(
            op, count: node.shape.count, x: pointer(nodes[Int(x)].value),
            y: pointer(node.value), g: g, dx: dx, lower: lower, upper: upper,
            overwrite: isFresh)
    }

    /// The same rules in recorded ops. ReLU's and clamp's derivatives are masks, constants:
    /// their own derivative is zero wherever they are defined.
    @inlinable
    func unaryRecordedVJP(
        _ op: UnaryOperator, _ c: RecordedVJP<Scalar>, lower: Scalar, upper: Scalar
    ) -> [Variable<Scalar>?] {
        let (x, y, g) = (c.operand(0), c.output, c.g)
        switch op {
        case .negate: return [-g]
        case .exp: return [g * y]
        case .log: return [g / x]
        case .tanh: return [g * (1 - y.squared())]
        case .sigmoid: return [g * y * (1 - y)]
        case .relu: return [g * c.mask(of: x) { $0 > 0 }]
        case .square: return [g * x * 2]
        case .squareRoot: return [g / (y * 2)]
        case .clamp: return [g * c.mask(of: x) { $0 >= lower && $0 <= upper }]
        }
    }
}

// MARK: The per-element rules

/// The elementwise binary operators; they broadcast like numpy.
@usableFromInline
package enum BinaryOperator: UInt8, Sendable { case add, subtract, multiply, divide }

/// The elementwise unary operators.
@usableFromInline
package enum UnaryOperator: UInt8, Sendable {
    case negate, exp, log, tanh, sigmoid, relu, square, squareRoot, clamp
}

extension UnaryOperator {
    /// The registry's name of this operator.
    @inlinable
    var code: OpCode {
        switch self {
        case .negate: .negate
        case .exp: .exp
        case .log: .log
        case .tanh: .tanh
        case .sigmoid: .sigmoid
        case .relu: .relu
        case .square: .square
        case .squareRoot: .squareRoot
        case .clamp: .clamp
        }
    }
}

extension BinaryOperator {
    /// The registry's name of this operator.
    @inlinable
    var code: OpCode {
        switch self {
        case .add: .add
        case .subtract: .subtract
        case .multiply: .multiply
        case .divide: .divide
        }
    }
}

extension TensorKernels {
    @inlinable
    package static func unary(
        _ op: UnaryOperator, count n: Int, x: UnsafePointer<Scalar>,
        y: UnsafeMutablePointer<Scalar>, lower: Scalar, upper: Scalar
    ) {
        switch op {
        case .negate: for i in 0..<n { y[i] = -x[i] }
        case .exp: vectorExp(n, x, y)
        case .log: vectorLog(n, x, y)
        case .tanh: vectorTanh(n, x, y)
        case .sigmoid: vectorSigmoid(n, x, y)
        // Both operands loaded before the select, so it compiles without a branch (a
        // mispredicted branch per element cost more than the arithmetic).
        case .relu:
            for i in 0..<n {
                let v = x[i]
                y[i] = v > 0 ? v : 0
            }
        case .square: for i in 0..<n { y[i] = x[i] * x[i] }
        case .squareRoot: for i in 0..<n { y[i] = x[i].squareRoot() }
        case .clamp: for i in 0..<n { y[i] = Swift.min(Swift.max(x[i], lower), upper) }
        }
    }

    @inlinable
    package static func unaryBackward(
        _ op: UnaryOperator, count n: Int, x: UnsafePointer<Scalar>,
        y: UnsafePointer<Scalar>, g: UnsafePointer<Scalar>,
        dx: UnsafeMutablePointer<Scalar>, lower: Scalar, upper: Scalar,
        overwrite: Bool
    ) {
        // One loop per operator and mode; adding to zeros and overwriting give the same numbers.
        @inline(__always)
        func run(_ term: (Int) -> Scalar) {
            if overwrite {
                for i in 0..<n { dx[i] = term(i) }
            } else {
                for i in 0..<n { dx[i] += term(i) }
            }
        }
        switch op {
        case .negate: run { -g[$0] }
        case .exp: run { g[$0] * y[$0] }
        case .log: run { g[$0] / x[$0] }
        case .tanh: run { g[$0] * (1 - y[$0] * y[$0]) }
        case .sigmoid: run { g[$0] * y[$0] * (1 - y[$0]) }
        // Convention (as PyTorch): the derivative of ReLU at 0 is 0.
        case .relu:
            run {
                let (xi, gi) = (x[$0], g[$0])
                return xi > 0 ? gi : 0
            }
        case .square: run { 2 * x[$0] * g[$0] }
        case .squareRoot: run { g[$0] / (2 * y[$0]) }
        // Convention (as PyTorch): the gradient passes at the bounds, where lower <= x <= upper.
        case .clamp: run { (x[$0] >= lower && x[$0] <= upper) ? g[$0] : 0 }
        }
    }

    @inlinable
    package static func binaryBackward(
        _ op: BinaryOperator, count n: Int, a: UnsafePointer<Scalar>, b: UnsafePointer<Scalar>,
        y: UnsafePointer<Scalar>, g: UnsafePointer<Scalar>,
        da: UnsafeMutablePointer<Scalar>?, overwriteA: Bool,
        db: UnsafeMutablePointer<Scalar>?, overwriteB: Bool
    ) {
        @inline(__always)
        func run(_ d: UnsafeMutablePointer<Scalar>?, _ overwrite: Bool, _ term: (Int) -> Scalar) {
            guard let d else { return }
            if overwrite {
                for i in 0..<n { d[i] = term(i) }
            } else {
                for i in 0..<n { d[i] += term(i) }
            }
        }
        switch op {
        case .add:
            run(da, overwriteA) { g[$0] }
            run(db, overwriteB) { g[$0] }
        case .subtract:
            run(da, overwriteA) { g[$0] }
            run(db, overwriteB) { -g[$0] }
        case .multiply:
            run(da, overwriteA) { g[$0] * b[$0] }
            run(db, overwriteB) { g[$0] * a[$0] }
        case .divide:
            // d(a/b)/da = 1/b; d(a/b)/db = -(a/b)/b, reusing the output a/b.
            run(da, overwriteA) { g[$0] / b[$0] }
            run(db, overwriteB) { -(g[$0] * y[$0] / b[$0]) }
        }
    }
}
