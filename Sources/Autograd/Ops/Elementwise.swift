// Elementwise ops: forward rules and their VJPs side by side.

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

extension OpCode {
    // Small enough to inline into every op and VJP (the message lives out of line).
    @inlinable @inline(__always)
    var binaryOperator: BinaryOperator {
        switch self {
        case .add: .add
        case .subtract: .subtract
        case .multiply: .multiply
        case .divide: .divide
        default: notElementwise(self, "binary")
        }
    }

    @inlinable @inline(__always)
    var unaryOperator: UnaryOperator {
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
        default: notElementwise(self, "unary")
        }
    }
}

@usableFromInline
func notElementwise(_ op: OpCode, _ kind: String) -> Never {
    fatalError("\(op) is not a \(kind) elementwise op")
}

extension Tape {
    @inlinable
    func binary(_ op: OpCode, _ a: Variable<Scalar>, _ b: Variable<Scalar>) -> Variable<Scalar> {
        check(a)
        check(b)
        let sa = nodes[Int(a.id)].shape, sb = nodes[Int(b.id)].shape
        let lhs = pointer(nodes[Int(a.id)].value), rhs = pointer(nodes[Int(b.id)].value)
        if sa == sb {
            // The common case: nothing to broadcast, both operands read like the output.
            return record(op, a, b, shape: sa) { out in
                let contiguous = sa.strides4
                Scalar.Kernels.binary(op.binaryOperator, extent: sa.extent4, lhs: lhs, lhsStrides: contiguous,
                                      rhs: rhs, rhsStrides: contiguous, out: out)
            }
        }
        guard let shape = Shape.broadcast(sa, sb) else {
            fatalError("\(op): shapes \(sa) and \(sb) cannot be broadcast together")
        }
        return record(op, a, b, shape: shape) { out in
            Scalar.Kernels.binary(op.binaryOperator, extent: shape.extent4,
                                  lhs: lhs, lhsStrides: sa.broadcastStrides4(over: shape),
                                  rhs: rhs, rhsStrides: sb.broadcastStrides4(over: shape),
                                  out: out)
        }
    }

    @inlinable
    func binaryVJP(_ op: OpCode, _ node: TapeNode, _ g: UnsafeMutablePointer<Scalar>) {
        let a = operand(node, 0), b = operand(node, 1)
        let shape = node.shape
        if nodes[Int(a)].shape == shape && nodes[Int(b)].shape == shape {
            // Nothing was broadcast: one fused pass writes both gradients, with no scratch.
            let da = gradientTarget(a), db = gradientTarget(b)
            Scalar.Kernels.binaryBackward(op.binaryOperator, count: shape.count,
                                          a: pointer(nodes[Int(a)].value), b: pointer(nodes[Int(b)].value),
                                          y: pointer(node.value), g: g,
                                          da: da?.buffer, overwriteA: da?.isFresh ?? false,
                                          db: db?.buffer, overwriteB: db?.isFresh ?? false)
            return
        }
        let na = nodes[Int(a)], nb = nodes[Int(b)]
        let contiguous = shape.strides4
        /// `g op other`, with `other` read broadcast to the output's shape.
        func product(_ op: BinaryOperator, _ other: TapeNode) -> UnsafeMutablePointer<Scalar> {
            let out = scratch(shape.count)
            Scalar.Kernels.binary(op, extent: shape.extent4, lhs: g, lhsStrides: contiguous,
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
                Scalar.Kernels.binary(.multiply, extent: shape.extent4, lhs: g, lhsStrides: contiguous,
                                      rhs: pointer(node.value), rhsStrides: contiguous, out: t)
                Scalar.Kernels.binary(.divide, extent: shape.extent4, lhs: t, lhsStrides: contiguous,
                                      rhs: pointer(nb.value), rhsStrides: nb.shape.broadcastStrides4(over: shape), out: t)
                accumulate(t, shape: shape, into: b, alpha: -1)
            }
        default:
            fatalError("\(op) is not a binary elementwise op")
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
    func unary(_ op: OpCode, _ x: Variable<Scalar>, lower: Scalar = 0, upper: Scalar = 0) -> Variable<Scalar> {
        check(x)
        let shape = nodes[Int(x.id)].shape, input = pointer(nodes[Int(x.id)].value)
        let attributes: OpAttributes = op == .clamp ? .clamp(lower: Double(lower), upper: Double(upper)) : .none
        return record(op, x, shape: shape, attributes: attributes) { out in
            Scalar.Kernels.unary(op.unaryOperator, count: shape.count, x: input, y: out, lower: lower, upper: upper)
        }
    }

    @inlinable
    func unaryVJP(_ op: OpCode, _ node: TapeNode, _ g: UnsafeMutablePointer<Scalar>) {
        let x = operand(node, 0)
        guard let (dx, isFresh) = gradientTarget(x) else { return }
        var lower: Scalar = 0, upper: Scalar = 0
        if case let .clamp(l, u) = node.attributes { (lower, upper) = (Scalar(l), Scalar(u)) }
        Scalar.Kernels.unaryBackward(op.unaryOperator, count: node.shape.count, x: pointer(nodes[Int(x)].value),
                                     y: pointer(node.value), g: g, dx: dx, lower: lower, upper: upper,
                                     overwrite: isFresh)
    }
}
