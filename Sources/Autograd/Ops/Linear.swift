// The fused linear op: forward rule and VJP side by side.

extension Variable {
    /// `activation(x W^T + b)` as one op, `x` being this variable: a fully connected layer,
    /// weight `[out, in]` as in PyTorch, bias `[out]` (optional), input `[batch, in]`.
    ///
    /// ```
    /// z = x W^T + b      y = act(z)      dz = g act'(z)      db = sum over rows of dz
    /// dW = dz^T x        dx = dz W
    /// ```
    /// One op instead of a product, a broadcast sum and an activation: the output is written
    /// once and read once more for the activation while it is still in cache, the backward pass
    /// makes one pass for the activation and the bias together, and the weight and input
    /// gradients, independent products, run at once on the kernels' threads. The numbers are
    /// those of the unfused ops.
    @inlinable
    public func linear(weight: Variable, bias: Variable? = nil, activation: Activation = .identity) -> Variable {
        tape.linear(self, weight, bias, nil, nil, nil, activation: activation)
    }

    /// `activation((x W^T + b) + (x2 W2^T + b2))` as one op: two layers summed, as a recurrent
    /// cell sums its input and recurrent projections. The two products run at once; when `x2`
    /// is `constant(0, shape:)` (a zero state), its product is skipped and `b2` still added.
    @inlinable
    public func linear(
        weight: Variable, bias: Variable?, plus x2: Variable, weight weight2: Variable, bias bias2: Variable?,
        activation: Activation = .identity
    ) -> Variable {
        tape.linear(self, weight, bias, x2, weight2, bias2, activation: activation)
    }
}

@available(*, deprecated, message: "use x.linear(weight:bias:activation:)")
@inlinable
public func linear<Scalar>(
    _ x: Variable<Scalar>, weight: Variable<Scalar>, bias: Variable<Scalar>? = nil,
    activation: Activation = .identity
) -> Variable<Scalar> {
    x.linear(weight: weight, bias: bias, activation: activation)
}

@available(*, deprecated, message: "use x.linear(weight:bias:plus:weight:bias:activation:)")
@inlinable
public func linear<Scalar>(
    _ x: Variable<Scalar>, weight: Variable<Scalar>, bias: Variable<Scalar>?,
    plus x2: Variable<Scalar>, weight weight2: Variable<Scalar>, bias bias2: Variable<Scalar>?,
    activation: Activation = .identity
) -> Variable<Scalar> {
    x.linear(weight: weight, bias: bias, plus: x2, weight: weight2, bias: bias2, activation: activation)
}

extension Tape {
    @inlinable
    func linear(
        _ x: Variable<Scalar>, _ w: Variable<Scalar>, _ b: Variable<Scalar>?,
        _ x2: Variable<Scalar>?, _ w2: Variable<Scalar>?, _ b2: Variable<Scalar>?,
        activation: Activation
    ) -> Variable<Scalar> {
        let nx = node(x)
        let nw = node(w)
        require(
            nx.shape.rank == 2 && nw.shape.rank == 2 && nx.shape[1] == nw.shape[1],
            "linear: input \(nx.shape) and weight \(nw.shape) do not fit: need [batch, in] and [out, in]")
        let (batch, outputs) = (nx.shape[0], nw.shape[0])
        checkLinearBias(b, weight: nw.shape)
        if let x2, let w2 {
            let s2 = node(x2).shape
            let sw2 = node(w2).shape
            require(
                s2.rank == 2 && sw2.rank == 2 && s2[1] == sw2[1],
                "linear: input \(s2) and weight \(sw2) do not fit: need [batch, in] and [out, in]")
            require(
                s2[0] == batch && sw2[0] == outputs,
                "linear: the two terms' outputs differ: [\(batch), \(outputs)] and [\(s2[0]), \(sw2[0])]")
            checkLinearBias(b2, weight: nw.shape)
        }
        // A second term on an input of zeros (a recurrent cell's zero state) is left out, its
        // bias kept: x2 W2^T is exactly zero, and W2 gets nothing from it.
        var (x2, w2) = (x2, w2)
        if let input = x2, case .input(zeros: true) = nodes[Int(input.id)].op {
            (x2, w2) = (nil, nil)
        }
        let terms = x2 == nil ? 1 : 2
        // Operands: x, W, (x2, W2), then the biases present.
        let first = Int32(operands.count)
        operands.append(x.id)
        operands.append(w.id)
        if let x2, let w2 {
            operands.append(x2.id)
            operands.append(w2.id)
        }
        if let b { operands.append(b.id) }
        if let b2 { operands.append(b2.id) }
        let biases = UInt8(b == nil ? 0 : 1) | UInt8(b2 == nil ? 0 : 2)
        let second = x2.map { node($0) }
        let secondWeight = w2.map { node($0) }
        let biasValue = b.map { pointer(node($0).value) }
        let secondBiasValue = b2.map { pointer(node($0).value) }
        // The second product goes to room of its own, so the two can run at once; the
        // epilogue adds it in, so it needs no place in the value arena.
        let secondOut = second == nil ? nil : forwardScratch(batch * outputs)
        return record(
            .linear(terms: UInt8(terms), biases: biases, activation: activation), operandsFrom: first,
            shape: Shape(rows: batch, columns: outputs)
        ) { out in
            withUnsafeTemporaryAllocation(of: GemmProduct<Scalar>.self, capacity: 2) { products in
                products[0] = GemmProduct(
                    transposeB: true, m: batch, n: outputs, k: nx.shape[1],
                    a: pointer(nx.value), lda: nx.shape[1], b: pointer(nw.value),
                    ldb: nw.shape[1], beta: 0, c: out, ldc: outputs)
                if let second, let secondWeight, let secondOut {
                    products[1] = GemmProduct(
                        transposeB: true, m: batch, n: outputs, k: second.shape[1],
                        a: pointer(second.value), lda: second.shape[1],
                        b: pointer(secondWeight.value), ldb: secondWeight.shape[1],
                        beta: 0, c: secondOut, ldc: outputs)
                }
                Scalar.kernels.gemm(UnsafeBufferPointer(rebasing: products[0..<terms]))
            }
            Scalar.kernels.linearEpilogue(
                rows: batch, columns: outputs, activation: activation, out: out,
                bias: biasValue, second: secondOut.map { UnsafePointer($0) },
                secondBias: secondBiasValue)
        }
    }

    /// A bias must be `[out]` for a weight `[out, in]`.
    @inlinable
    func checkLinearBias(_ bias: Variable<Scalar>?, weight: Shape) {
        guard let bias else { return }
        let shape = node(bias).shape
        require(
            shape.rank == 1 && shape[0] == weight[0],
            "linear: bias \(shape) does not fit weight \(weight): need [\(weight[0])]")
    }

    @inlinable
    func linearVJP(
        _ node: TapeNode, _ g: UnsafeMutablePointer<Scalar>, terms: Int, biases: UInt8, activation: Activation
    ) {
        let (batch, outputs) = (node.shape[0], node.shape[1])
        var next = 2 * terms
        func biasOperand(_ present: Bool) -> Int32? {
            guard present else { return nil }
            defer { next += 1 }
            return operand(node, next)
        }
        let biasIDs = (biasOperand(biases & 1 != 0), biasOperand(biases & 2 != 0))
        let dz = activation == .identity ? g : scratch(batch * outputs)
        let db = biasIDs.0.flatMap { gradientBuffer($0) }
        // One bias in both terms gets its two column sums one after the other, as the
        // unfused sums would add them.
        let sharedBias = biasIDs.0 != nil && biasIDs.0 == biasIDs.1
        Scalar.kernels.linearBackward(
            rows: batch, columns: outputs, activation: activation,
            y: pointer(node.value), g: g, dz: dz, biasGradient: db,
            secondBiasGradient: sharedBias ? nil : biasIDs.1.flatMap { gradientBuffer($0) })
        if sharedBias {
            Scalar.kernels.linearBackward(
                rows: batch, columns: outputs, activation: .identity, y: pointer(node.value),
                g: dz, dz: dz, biasGradient: db, secondBiasGradient: nil)
        }

        // dW_i = dz^T x_i and dx_i = dz W_i: independent products, unless two of them write
        // the same gradient (a variable used twice), which then run in turn.
        var distinct = true
        for i in 0..<2 * terms {
            for j in 0..<i where operand(node, i) == operand(node, j) { distinct = false }
        }
        withUnsafeTemporaryAllocation(of: GemmProduct<Scalar>.self, capacity: 4) { products in
            var count = 0
            func run() {
                Scalar.kernels.gemm(UnsafeBufferPointer(rebasing: products[0..<count]))
                count = 0
            }
            for term in 0..<terms {
                let x = operand(node, 2 * term)
                let w = operand(node, 2 * term + 1)
                let nx = nodes[Int(x)]
                let nw = nodes[Int(w)]
                let inputs = nx.shape[1]
                if let (dw, isFresh) = gradientTarget(w) {  // [out, in] = dz^T [batch, in]
                    products[count] = GemmProduct(
                        transposeA: true, m: outputs, n: inputs, k: batch,
                        a: dz, lda: outputs, b: pointer(nx.value), ldb: inputs,
                        beta: isFresh ? 0 : 1, c: dw, ldc: inputs)
                    count += 1
                    if !distinct { run() }
                }
                if let (dx, isFresh) = gradientTarget(x) {  // [batch, in] = dz [out, in]
                    products[count] = GemmProduct(
                        m: batch, n: inputs, k: outputs,
                        a: dz, lda: outputs, b: pointer(nw.value), ldb: inputs,
                        beta: isFresh ? 0 : 1, c: dx, ldc: inputs)
                    count += 1
                    if !distinct { run() }
                }
            }
            run()
        }
        if activation != .identity { gradients.recycle(dz, count: batch * outputs) }  // used up
    }

    /// The same rules in recorded ops: `dz` from the output, then a product per operand and
    /// a column sum per bias (a bias in both terms gets it twice, as the pass adds).
    @inlinable
    func linearRecordedVJP(_ c: RecordedVJP<Scalar>, terms: Int, activation: Activation) -> [Variable<Scalar>?] {
        let (y, g) = (c.output, c.g)
        let dz =
            switch activation {
            case .identity: g
            case .relu: g * c.mask(of: y) { $0 > 0 }
            case .tanh: g * (1 - y.squared())
            }
        var result = [Variable<Scalar>?](repeating: nil, count: c.wants.count)
        for term in 0..<terms {
            let (x, w) = (c.operand(2 * term), c.operand(2 * term + 1))
            if c.wants[2 * term + 1] { result[2 * term + 1] = dz.matmul(x, transposeA: true) }  // [out, in]
            if c.wants[2 * term] { result[2 * term] = dz.matmul(w) }  // [batch, in]
        }
        if c.wants[(2 * terms)...].contains(true) {
            let columnSums = dz.sum(alongAxes: [0])
            for i in (2 * terms)..<c.wants.count where c.wants[i] { result[i] = columnSums }
        }
        return result
    }
}
