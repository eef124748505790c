import Autograd
import Foundation

/// One way to exercise an op: inputs, the op applied to them, and a naive reference.
struct OpCase: Sendable, CustomStringConvertible {
    enum Gradient: Sendable {
        /// Compare against finite differences.
        case checked
        /// The op passes no gradient by definition (stop-gradient): gradients must be zero.
        case zero
        /// A stochastic node: its gradient must equal that of the surrogate loss (built from
        /// other ops, with the noise held fixed), which is itself checked by finite differences.
        case scoreFunction(surrogate: @Sendable ([Variable<Double>]) -> Variable<Double>)
    }

    var description: String
    var inputs: [Tensor<Double>]
    var differentiable: [Bool]
    var gradient: Gradient = .checked
    var apply: @Sendable ([Variable<Double>]) -> Variable<Double>
    var reference: @Sendable ([Tensor<Double>]) -> Tensor<Double>
}

/// Inputs for the checks: normal draws, optionally moved away from points where the
/// derivative is undefined (those have their own tests) or into a function's domain.
struct Draw {
    var generator: SeededGenerator

    mutating func normal(_ shape: Shape) -> Tensor<Double> { .normal(shape, using: &generator) }

    mutating func positive(_ shape: Shape) -> Tensor<Double> { naiveMap(normal(shape)) { abs($0) + 0.2 } }

    /// Values at least `margin` away from each point in `avoid`.
    mutating func avoiding(_ points: [Double], margin: Double = 0.05, _ shape: Shape) -> Tensor<Double> {
        naiveMap(normal(shape)) { x in
            var x = x
            for p in points where abs(x - p) < margin { x = p + (x < p ? -margin : margin) * 2 }
            return x
        }
    }

    mutating func indices(_ count: Int, below bound: Int) -> [Int] {
        (0..<count).map { _ in Int(generator.next() % UInt64(bound)) }
    }
}

extension OpCode {
    /// The test description of every registered op. The `switch` is exhaustive, so an op
    /// added to the registry without a description here does not compile.
    func cases() -> [OpCase] {
        var draw = Draw(generator: SeededGenerator(seed: UInt64(rawValue) &+ 101))
        func binary(
            _ f: @escaping @Sendable (Variable<Double>, Variable<Double>) -> Variable<Double>,
            _ reference: @escaping @Sendable (Double, Double) -> Double,
            _ shapes: [(Shape, Shape)], positiveRight: Bool = false
        ) -> [OpCase] {
            shapes.map { a, b in
                OpCase(
                    description: "\(self) \(a) \(b)",
                    inputs: [draw.normal(a), positiveRight ? naiveMap(draw.positive(b)) { $0 + 0.3 } : draw.normal(b)],
                    differentiable: [true, true],
                    apply: { f($0[0], $0[1]) },
                    reference: { naiveBroadcast($0[0], $0[1], reference) })
            }
        }
        func unary(
            _ input: Tensor<Double>, _ f: @escaping @Sendable (Variable<Double>) -> Variable<Double>,
            _ reference: @escaping @Sendable (Double) -> Double
        ) -> [OpCase] {
            [
                OpCase(
                    description: "\(self) \(input.shape)", inputs: [input], differentiable: [true],
                    apply: { f($0[0]) }, reference: { naiveMap($0[0], reference) })
            ]
        }
        let broadcasting: [(Shape, Shape)] = [
            ([2, 3], [2, 3]), ([2, 3], [3]), ([2, 1, 3], [4, 1]), ([3], []), ([], [2, 2]),
        ]

        switch self {
        case .add: return binary(+, +, broadcasting)
        case .subtract: return binary(-, -, broadcasting)
        case .multiply: return binary(*, *, broadcasting)
        case .divide: return binary(/, /, broadcasting, positiveRight: true)
        case .negate: return unary(draw.normal([2, 3]), { -$0 }, { -$0 })
        case .exp: return unary(draw.normal([2, 3]), { $0.exp() }, { Foundation.exp($0) })
        case .log: return unary(draw.positive([2, 3]), { $0.log() }, { Foundation.log($0) })
        case .tanh: return unary(draw.normal([2, 3]), { $0.tanh() }, { Foundation.tanh($0) })
        case .sigmoid: return unary(draw.normal([2, 3]), { $0.sigmoid() }, { 1 / (1 + Foundation.exp(-$0)) })
        case .relu: return unary(draw.avoiding([0], [2, 3]), { $0.relu() }, { Swift.max($0, 0) })
        case .square: return unary(draw.normal([2, 3]), { $0.squared() }, { $0 * $0 })
        case .squareRoot: return unary(draw.positive([2, 3]), { $0.squareRoot() }, { $0.squareRoot() })
        case .clamp:
            return unary(
                draw.avoiding([-0.5, 0.7], [3, 4]), { $0.clamped(to: -0.5...0.7) },
                { Swift.min(Swift.max($0, -0.5), 0.7) })
        case .convolution:
            return [(1, 0), (2, 1), (5, 0)].map { stride, padding in
                let kernel = stride == 5 ? 4 : 3
                return OpCase(
                    description: "convolution stride \(stride) padding \(padding) kernel \(kernel)",
                    inputs: [draw.normal([2, 2, 9, 9]), draw.normal([3, 2, kernel, kernel])],
                    differentiable: [true, true],
                    apply: { $0[0].convolution2D(weight: $0[1], stride: stride, padding: padding) },
                    reference: { naiveConvolution($0[0], $0[1], stride: stride, padding: padding) })
            }
        case .unfold:
            return [(3, 1, 0), (3, 2, 1), (4, 5, 0)].map { kernel, stride, padding in
                OpCase(
                    description: "unfold kernel \(kernel) stride \(stride) padding \(padding)",
                    inputs: [draw.normal([2, 2, 9, 9])], differentiable: [true],
                    apply: { $0[0].unfolded(kernel: kernel, stride: stride, padding: padding) },
                    reference: { naiveUnfold($0[0], kernel: kernel, stride: stride, padding: padding) })
            }
        case .fold:
            // Overlapping windows (stride below the kernel) add up where they meet.
            return [(3, 1, 0, 7 * 7), (3, 2, 1, 5 * 5), (4, 5, 0, 2 * 2)].map { kernel, stride, padding, positions in
                OpCase(
                    description: "fold kernel \(kernel) stride \(stride) padding \(padding)",
                    inputs: [draw.normal([2, 2 * kernel * kernel, positions])], differentiable: [true],
                    apply: { $0[0].folded(height: 9, width: 9, kernel: kernel, stride: stride, padding: padding) },
                    reference: {
                        naiveFold(
                            $0[0], channels: 2, height: 9, width: 9, kernel: kernel, stride: stride, padding: padding)
                    })
            }
        case .sampleNormal:
            let sd = 0.5
            let advantage = Tensor<Double>(shape: [3, 1], scalars: [1.5, -0.5, 2])
            let mean = draw.normal([3, 2])
            @Sendable func withNoise(_ mean: Tensor<Double>) -> Tensor<Double> {
                var generator = SeededGenerator(seed: 77)
                return naiveMap(mean) { $0 + sd * generator.nextNormal() }
            }
            // The surrogate holds the realised sample fixed, as REINFORCE does: it is an action taken.
            let taken = withNoise(mean)
            return [
                OpCase(
                    description: "sampleNormal (REINFORCE through the mean)", inputs: [mean],
                    differentiable: [true],
                    gradient: .scoreFunction(surrogate: { v in
                        let tape = v[0].tape
                        let logp = tape.constant(taken).normalLogProbability(mean: v[0], standardDeviation: sd)
                        return (logp * tape.constant(advantage) * -1).sum()
                    }),
                    apply: { v in
                        var generator = SeededGenerator(seed: 77)
                        let l = v[0].sampleNormal(standardDeviation: sd, using: &generator)
                        l.setAdvantage(advantage)
                        return l
                    },
                    reference: { withNoise($0[0]) })
            ]
        case .matmul:
            return [(false, false), (true, false), (false, true), (true, true)].map { ta, tb in
                let a = draw.normal(ta ? [4, 3] : [3, 4])
                let b = draw.normal(tb ? [5, 4] : [4, 5])
                return OpCase(
                    description: "matmul transposeA: \(ta) transposeB: \(tb)", inputs: [a, b],
                    differentiable: [true, true],
                    apply: { $0[0].matmul($0[1], transposeA: ta, transposeB: tb) },
                    reference: { naiveMatmul($0[0], $0[1], transposeA: ta, transposeB: tb) })
            }
        case .linear:
            // Inputs: x [3, 4], W [5, 4], b [5], x2 [3, 2], W2 [5, 2], b2 [5], W3 [5, 4].
            let inputs = [
                draw.normal([3, 4]), draw.normal([5, 4]), draw.normal([5]),
                draw.normal([3, 2]), draw.normal([5, 2]), draw.normal([5]), draw.normal([5, 4]),
            ]
            @Sendable func term(_ t: [Tensor<Double>], _ x: Int, _ w: Int, _ b: Int?) -> Tensor<Double> {
                let product = naiveMatmul(t[x], t[w], transposeA: false, transposeB: true)
                return b.map { naiveBroadcast(product, t[$0], +) } ?? product
            }
            @Sendable func activate(_ z: Tensor<Double>, _ activation: Activation) -> Tensor<Double> {
                switch activation {
                case .identity: z
                case .relu: naiveMap(z) { Swift.max($0, 0) }
                case .tanh: naiveMap(z) { Foundation.tanh($0) }
                }
            }
            func linearCase(
                _ description: String, differentiable: [Bool] = Array(repeating: true, count: 7),
                _ apply: @escaping @Sendable ([Variable<Double>]) -> Variable<Double>,
                _ reference: @escaping @Sendable ([Tensor<Double>]) -> Tensor<Double>
            ) -> OpCase {
                OpCase(
                    description: "linear, \(description)", inputs: inputs, differentiable: differentiable,
                    apply: apply, reference: reference)
            }
            var cases = Activation.allCases.map { activation in
                linearCase(
                    "bias, \(activation)", { v in v[0].linear(weight: v[1], bias: v[2], activation: activation) },
                    { activate(term($0, 0, 1, 2), activation) })
            }
            cases += [
                linearCase(
                    "no bias, relu", { v in v[0].linear(weight: v[1], activation: .relu) },
                    { activate(term($0, 0, 1, nil), .relu) }),
                linearCase(
                    "input held constant", differentiable: [false] + Array(repeating: true, count: 6),
                    { v in v[0].linear(weight: v[1], bias: v[2], activation: .tanh) },
                    { activate(term($0, 0, 1, 2), .tanh) }),
                linearCase(
                    "two terms, both biases, relu",
                    { v in
                        v[0].linear(
                            weight: v[1], bias: v[2], plus: v[3], weight: v[4], bias: v[5],
                            activation: .relu)
                    },
                    { activate(naiveBroadcast(term($0, 0, 1, 2), term($0, 3, 4, 5), +), .relu) }),
                linearCase(
                    "two terms, second bias only, tanh",
                    { v in
                        v[0].linear(
                            weight: v[1], bias: nil, plus: v[3], weight: v[4], bias: v[5],
                            activation: .tanh)
                    },
                    { activate(naiveBroadcast(term($0, 0, 1, nil), term($0, 3, 4, 5), +), .tanh) }),
                // The same input in both terms: its two gradients must add up, not race.
                linearCase(
                    "two terms on one input, identity",
                    { v in v[0].linear(weight: v[1], bias: v[2], plus: v[0], weight: v[6], bias: nil) },
                    { naiveBroadcast(term($0, 0, 1, 2), term($0, 0, 6, nil), +) }),
                // A zero state as the second input: its product is skipped, its bias kept.
                linearCase(
                    "two terms, the second on constant zeros, relu",
                    { v in
                        v[0].linear(
                            weight: v[1], bias: v[2], plus: v[0].tape.constant(0, shape: [3, 2]),
                            weight: v[4], bias: v[5], activation: .relu)
                    },
                    { t in
                        activate(
                            naiveBroadcast(
                                naiveBroadcast(term(t, 0, 1, 2), t[5], +),
                                naiveMap(term(t, 3, 4, nil)) { $0 * 0 }, +), .relu)
                    }),
                // The same bias in both terms: its gradient gets both column sums.
                linearCase(
                    "two terms sharing a bias, tanh",
                    { v in
                        v[0].linear(
                            weight: v[1], bias: v[2], plus: v[3], weight: v[4], bias: v[2],
                            activation: .tanh)
                    },
                    { activate(naiveBroadcast(term($0, 0, 1, 2), term($0, 3, 4, 2), +), .tanh) }),
                // The same weight in both terms.
                linearCase(
                    "two terms sharing a weight, relu",
                    { v in
                        v[0].linear(
                            weight: v[1], bias: v[2], plus: v[0], weight: v[1], bias: v[5],
                            activation: .relu)
                    },
                    { activate(naiveBroadcast(term($0, 0, 1, 2), term($0, 0, 1, 5), +), .relu) }),
            ]
            return cases
        case .sum:
            return [[1], [0, 2], [2], [0, 1, 2]].map { axes in
                OpCase(
                    description: "sum along \(axes)", inputs: [draw.normal([2, 3, 4])], differentiable: [true],
                    apply: { $0[0].sum(alongAxes: axes) }, reference: { naiveSum($0[0], axes: axes) })
            }
        case .max:
            return [0, 1, 2].map { axis in
                OpCase(
                    description: "max along \(axis)", inputs: [draw.normal([3, 4, 2])], differentiable: [true],
                    apply: { $0[0].max(alongAxis: axis) }, reference: { naiveMax($0[0], axis: axis) })
            }
        case .logSoftmax:
            return [Shape([3, 5]), [2, 2, 4]].map { shape in
                OpCase(
                    description: "logSoftmax \(shape)", inputs: [naiveMap(draw.normal(shape)) { 3 * $0 }],
                    differentiable: [true], apply: { $0[0].logSoftmax() }, reference: { naiveLogSoftmax($0[0]) })
            }
        case .reshape:
            return [
                OpCase(
                    description: "reshape [2, 6] -> [3, 4]", inputs: [draw.normal([2, 6])], differentiable: [true],
                    apply: { $0[0].reshaped(to: [3, 4]) },
                    reference: { Tensor(shape: [3, 4], scalars: $0[0].scalars) })
            ]
        case .transpose:
            return [[1, 0], [2, 0, 1], [0, 2, 1, 3]].map { permutation in
                let shape = Shape(Array([2, 3, 4, 2].prefix(permutation.count)))
                return OpCase(
                    description: "transpose \(shape) by \(permutation)", inputs: [draw.normal(shape)],
                    differentiable: [true], apply: { $0[0].transposed(permutation) },
                    reference: { naiveTranspose($0[0], permutation) })
            }
        case .concatenate:
            return [
                OpCase(
                    description: "concatenate [2, 3] [2, 2] [2, 1] along 1",
                    inputs: [draw.normal([2, 3]), draw.normal([2, 2]), draw.normal([2, 1])],
                    differentiable: [true, true, true],
                    apply: { Autograd.concatenate($0, alongAxis: 1) }, reference: { naiveConcatenate($0, axis: 1) }),
                OpCase(
                    description: "concatenate [1, 3] [2, 3] along 0 (one input held constant)",
                    inputs: [draw.normal([1, 3]), draw.normal([2, 3])], differentiable: [false, true],
                    apply: { Autograd.concatenate($0, alongAxis: 0) }, reference: { naiveConcatenate($0, axis: 0) }),
            ]
        case .slice:
            return [(1, 1, 3), (0, 2, 1)].map { axis, start, length in
                OpCase(
                    description: "slice axis \(axis) from \(start) length \(length)", inputs: [draw.normal([3, 5])],
                    differentiable: [true], apply: { $0[0].slice(alongAxis: axis, start: start, length: length) },
                    reference: { naiveSlice($0[0], axis: axis, start: start, length: length) })
            }
        case .gather:
            let picks = draw.indices(4, below: 5)
            let picks3 = draw.indices(6, below: 4)
            return [
                OpCase(
                    description: "gather [4, 5] along 1", inputs: [draw.normal([4, 5])], differentiable: [true],
                    apply: { $0[0].gathering(picks, alongAxis: 1) }, reference: { naiveGather($0[0], picks, axis: 1) }),
                OpCase(
                    description: "gather [2, 4, 3] along 1", inputs: [draw.normal([2, 4, 3])], differentiable: [true],
                    apply: { $0[0].gathering(picks3, alongAxis: 1) }, reference: { naiveGather($0[0], picks3, axis: 1) }
                ),
            ]
        case .custom:
            // A user's op with two inputs and two outputs, (a * b, a - b^2), through both outputs.
            return [
                OpCase(
                    description: "custom (two inputs, two outputs)",
                    inputs: [draw.normal([2, 3]), draw.normal([2, 3])],
                    differentiable: [true, true],
                    apply: { v in
                        let out = productAndDifference()(v[0], v[1])
                        return Autograd.concatenate([out[0], out[1]], alongAxis: 0)
                    },
                    reference: { t in
                        naiveConcatenate(
                            [naiveBroadcast(t[0], t[1], *), naiveBroadcast(t[0], t[1]) { $0 - $1 * $1 }], axis: 0)
                    })
            ]
        case .stopGradient:
            return [
                OpCase(
                    description: "stopGradient", inputs: [draw.normal([2, 3])], differentiable: [true],
                    gradient: .zero, apply: { $0[0].stoppingGradient() }, reference: { $0[0] })
            ]
        case .normalLogProbability:
            let sd = 0.3
            return [
                OpCase(
                    description: "normalLogProbability (sample held constant)",
                    inputs: [draw.normal([3, 2]), draw.normal([3, 2])], differentiable: [false, true],
                    apply: { $0[0].normalLogProbability(mean: $0[1], standardDeviation: sd) },
                    reference: { t in
                        naiveBroadcast(t[0], t[1]) { x, mu in
                            -(x - mu) * (x - mu) / (2 * sd * sd) - Foundation.log(sd) - 0.5 * Foundation.log(2 * .pi)
                        }
                    })
            ]
        }
    }
}

/// `(a * b, a - b^2)` elementwise, declared through the public custom-op API, with its VJP
/// both as a buffer loop and in tape ops (so it is differentiable twice).
func productAndDifference() -> CustomOp<Double, Void> {
    CustomOp(
        name: "product and difference", outputShapes: { [$0[0], $0[0]] },
        forward: { inputs, outputs in
            let (a, b) = (inputs[0], inputs[1])
            for i in 0..<a.count { (outputs[0][i], outputs[1][i]) = (a[i] * b[i], a[i] - b[i] * b[i]) }
        },
        vjp: { c in
            let (a, b, gp, gq) = (c.inputs[0], c.inputs[1], c.cotangents[0], c.cotangents[1])
            if let da = c.gradients[0] { for i in 0..<a.count { da[i] = gp[i] * b[i] + gq[i] } }
            if let db = c.gradients[1] { for i in 0..<b.count { db[i] = gp[i] * a[i] - 2 * gq[i] * b[i] } }
        },
        differentiableVJP: { c in
            let (a, b, gp, gq) = (c.inputs[0], c.inputs[1], c.cotangents[0], c.cotangents[1])
            return [gp * b + gq, gp * a - gq * b * 2]
        })
}
