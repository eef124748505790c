import Autograd

/// One step of a recurrent network: the next state from an input and the current state.
/// `RNNCell`, `LSTMCell` and `GRUCell` conform, so code written against the protocol (a
/// model's core, `Recurrence`) takes any of them.
public protocol RecurrentCell<Scalar> {
    associatedtype Scalar: TensorScalar
    /// What the cell carries from step to step (an LSTM's is the hidden and cell states).
    associatedtype State
    var inputSize: Int { get }
    var hiddenSize: Int { get }
    /// The next state from input `[batch, inputSize]`.
    func callAsFunction(_ x: Variable<Scalar>, state: State) -> State
    /// A zero state for a batch.
    func zeroState(batchSize: Int, on tape: Tape<Scalar>) -> State
    /// What the layers above read: the hidden state, `[batch, hiddenSize]`.
    func hidden(of state: State) -> Variable<Scalar>
}

extension RNNCell: RecurrentCell {
    public var inputSize: Int { input.inputSize }
    public func hidden(of state: Variable<Scalar>) -> Variable<Scalar> { state }
}

extension GRUCell: RecurrentCell {
    public var inputSize: Int { input.inputSize }
    public func hidden(of state: Variable<Scalar>) -> Variable<Scalar> { state }
}

extension LSTMCell: RecurrentCell {
    public var inputSize: Int { input.inputSize }
    public func hidden(of state: State) -> Variable<Scalar> { state.hidden }
}

/// Recurrent cells run over a whole sequence, stacked: the sequence-level layer that
/// `torch.nn.LSTM`, `nn.GRU` and `nn.RNN` are (one direction, time first).
///
/// ```swift
/// let lstm = LSTM<Float>(inputSize: 28, hiddenSize: 128, layers: 2, name: "lstm", store: store, generator: &g)
/// let (output, states) = lstm(sequence)   // sequence [T, batch, 28] -> output [T, batch, 128]
/// ```
/// Layer k's parameters are `name.l<k>.weight_ih` and so on (`name.weight_ih` for one layer);
/// PyTorch's `name.weight_ih_l<k>` map to them with `Checkpoint.loadMatching(renaming:)`.
public struct Recurrence<Cell: RecurrentCell> {
    /// The stacked cells, the input's first.
    public let cells: [Cell]

    /// Stacks `cells`; each one's input size must be the previous one's hidden size.
    public init(_ cells: [Cell]) {
        require(!cells.isEmpty, "Recurrence: needs at least one cell")
        for k in cells.indices.dropFirst() {
            require(
                cells[k].inputSize == cells[k - 1].hiddenSize,
                "Recurrence: cell \(k) takes \(cells[k].inputSize) inputs, cell \(k - 1) gives "
                    + "\(cells[k - 1].hiddenSize)"
            )
        }
        self.cells = cells
    }

    /// Runs the cells over `steps` (each `[batch, input]`), from `states` (zero when nil):
    /// the top cell's hidden state at every step, and every cell's last state.
    public func callAsFunction(
        _ steps: [Variable<Scalar>], states: [Cell.State]? = nil
    )
        -> (outputs: [Variable<Scalar>], states: [Cell.State])
    {
        require(!steps.isEmpty, "Recurrence: the sequence is empty")
        let tape = steps[0].tape
        let batch = steps[0].shape[0]
        var states = states ?? cells.map { $0.zeroState(batchSize: batch, on: tape) }
        require(states.count == cells.count, "Recurrence: \(states.count) states for \(cells.count) cells")
        var outputs: [Variable<Scalar>] = []
        outputs.reserveCapacity(steps.count)
        for x in steps {
            var input = x
            for (k, cell) in cells.enumerated() {
                states[k] = cell(input, state: states[k])
                input = cell.hidden(of: states[k])
            }
            outputs.append(input)
        }
        return (outputs, states)
    }

    /// Runs the cells over a sequence `[T, batch, input]`, giving `[T, batch, hidden]`.
    public func callAsFunction(
        _ sequence: Variable<Scalar>, states: [Cell.State]? = nil
    )
        -> (output: Variable<Scalar>, states: [Cell.State])
    {
        let shape = sequence.shape
        require(shape.rank == 3, "Recurrence: the sequence must be [time, batch, input], got \(shape)")
        let steps = (0..<shape[0]).map {
            sequence.slice(alongAxis: 0, start: $0, length: 1).reshaped(to: [shape[1], shape[2]])
        }
        let (outputs, last) = self(steps, states: states)
        let hidden = cells[cells.count - 1].hiddenSize
        return (concatenate(outputs.map { $0.reshaped(to: [1, shape[1], hidden]) }, alongAxis: 0), last)
    }

    public typealias Scalar = Cell.Scalar

    /// `layers` cells made by `make(inputSize, name)`, named `name` for one layer and
    /// `name.l<k>` for several.
    static func stack(
        layers: Int, inputSize: Int, hiddenSize: Int, name: String,
        _ make: (_ inputSize: Int, _ name: String) -> Cell
    ) -> Recurrence {
        require(layers >= 1, "Recurrence \(name): needs at least one layer, got \(layers)")
        return Recurrence(
            (0..<layers).map { k in
                make(k == 0 ? inputSize : hiddenSize, layers == 1 ? name : "\(name).l\(k)")
            })
    }
}

/// A stacked LSTM over sequences, as `torch.nn.LSTM`.
public typealias LSTM<Scalar: TensorScalar> = Recurrence<LSTMCell<Scalar>>
/// A stacked GRU over sequences, as `torch.nn.GRU`.
public typealias GRU<Scalar: TensorScalar> = Recurrence<GRUCell<Scalar>>

extension Recurrence {
    /// `layers` LSTM cells of `hiddenSize` units.
    public init<S>(
        inputSize: Int, hiddenSize: Int, layers: Int = 1, name: String, store: ParameterStore<S>,
        generator: inout SeededGenerator
    ) where Cell == LSTMCell<S> {
        self = Self.stack(layers: layers, inputSize: inputSize, hiddenSize: hiddenSize, name: name) { inputs, name in
            LSTMCell(inputSize: inputs, hiddenSize: hiddenSize, name: name, store: store, generator: &generator)
        }
    }

    /// `layers` GRU cells of `hiddenSize` units.
    public init<S>(
        inputSize: Int, hiddenSize: Int, layers: Int = 1, name: String, store: ParameterStore<S>,
        generator: inout SeededGenerator
    ) where Cell == GRUCell<S> {
        self = Self.stack(layers: layers, inputSize: inputSize, hiddenSize: hiddenSize, name: name) { inputs, name in
            GRUCell(inputSize: inputs, hiddenSize: hiddenSize, name: name, store: store, generator: &generator)
        }
    }
}
