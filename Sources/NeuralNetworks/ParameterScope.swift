import Autograd
import Foundation

/// Where a model's layers put their parameters: one store, one seeded generator that
/// initialises them in turn, and the path of names that leads to each layer. A layer built
/// `in: scope["encoder"]["cell"]` registers `encoder.cell.weight_ih`, ..., so a model's
/// parameters are named by its structure, as PyTorch's `state_dict` names follow attributes
/// (and Haiku's follow module scopes), with no store, name or generator passed around.
///
/// ```swift
/// let root = ParameterScope<Float>(seed: 1)
/// let cell = GRUCell(inputSize: 28, hiddenSize: 64, in: root["encoder"])   // encoder.weight_ih, ...
/// let head = Linear(inputSize: 64, outputSize: 10, in: root["head"])       // head.weight, head.bias
/// ```
public struct ParameterScope<Scalar: TensorScalar> {
    public let store: ParameterStore<Scalar>
    /// The names leading here, joined by dots (empty at the root).
    public let path: String
    private let random: RandomSource

    /// A root scope over `store` whose parameters are initialised from `seed`.
    public init(store: ParameterStore<Scalar> = ParameterStore(), seed: UInt64) {
        self.store = store
        path = ""
        random = RandomSource(SeededGenerator(seed: seed))
    }

    private init(store: ParameterStore<Scalar>, path: String, random: RandomSource) {
        (self.store, self.path, self.random) = (store, path, random)
    }

    /// The scope one level down, named `name`.
    public subscript(name: String) -> ParameterScope {
        require(!name.isEmpty && !name.contains("."), "ParameterScope: '\(name)' is not a name (empty, or with a dot)")
        return ParameterScope(store: store, path: path.isEmpty ? name : "\(path).\(name)", random: random)
    }

    /// Runs `body` with the scope's generator: every layer built in any scope of one root
    /// draws from the same sequence, in the order the layers are built.
    public func drawing<T>(_ body: (inout SeededGenerator) -> T) -> T { body(&random.generator) }

    /// The generator shared by a root scope and every scope under it.
    private final class RandomSource {
        var generator: SeededGenerator
        init(_ generator: SeededGenerator) { self.generator = generator }
    }
}

/// A model made of layers built in one `ParameterScope`: its parameters are its store's,
/// named by the scopes they were built in, and it saves and loads them by those names.
public protocol Module {
    associatedtype Scalar: TensorScalar
    var store: ParameterStore<Scalar> { get }
}

extension Module {
    /// The parameters' names, in the order they were built: the model's `state_dict` keys.
    public var parameterNames: [String] { store.entries.map(\.name) }

    /// Writes every parameter, by name, to a checkpoint at `url` (atomically).
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        var writer = CheckpointWriter()
        writer.addParameters(of: store)
        writer.metadata = metadata
        try writer.write(to: url)
    }

    /// Loads every parameter by name from the checkpoint at `url`; a missing or misshapen
    /// parameter is an error that names it.
    public func load(from url: URL) throws {
        try Checkpoint(contentsOf: url).load(into: store)
    }
}

extension Linear {
    /// A layer built in `scope`: `weight` and `bias` under its path.
    public init(inputSize: Int, outputSize: Int, bias: Bool = true, in scope: ParameterScope<Scalar>) {
        self = scope.drawing {
            Linear(
                inputSize: inputSize, outputSize: outputSize, bias: bias, name: scope.path, store: scope.store,
                generator: &$0)
        }
    }
}

extension Conv2D {
    /// A layer built in `scope`: `weight` and `bias` under its path.
    public init(
        inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        in scope: ParameterScope<Scalar>
    ) {
        self = scope.drawing {
            Conv2D(
                inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, stride: stride,
                padding: padding, name: scope.path, store: scope.store, generator: &$0)
        }
    }
}

extension RNNCell {
    /// A cell built in `scope`: its weights and biases under its path.
    public init(inputSize: Int, hiddenSize: Int, nonlinearity: Activation = .tanh, in scope: ParameterScope<Scalar>) {
        self = scope.drawing {
            RNNCell(
                inputSize: inputSize, hiddenSize: hiddenSize, nonlinearity: nonlinearity, name: scope.path,
                store: scope.store, generator: &$0)
        }
    }
}

extension LSTMCell {
    /// A cell built in `scope`: its weights and biases under its path.
    public init(inputSize: Int, hiddenSize: Int, in scope: ParameterScope<Scalar>) {
        self = scope.drawing {
            LSTMCell(inputSize: inputSize, hiddenSize: hiddenSize, name: scope.path, store: scope.store, generator: &$0)
        }
    }
}

extension GRUCell {
    /// A cell built in `scope`: its weights and biases under its path.
    public init(inputSize: Int, hiddenSize: Int, in scope: ParameterScope<Scalar>) {
        self = scope.drawing {
            GRUCell(inputSize: inputSize, hiddenSize: hiddenSize, name: scope.path, store: scope.store, generator: &$0)
        }
    }
}

extension MLP {
    /// Layers built in `scope`: `0.weight`, `0.bias`, `1.weight`, ... under its path.
    public init(sizes: [Int], activation: Activation = .relu, in scope: ParameterScope<Scalar>) {
        self = scope.drawing {
            MLP(sizes: sizes, activation: activation, name: scope.path, store: scope.store, generator: &$0)
        }
    }
}
