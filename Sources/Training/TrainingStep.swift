import Autograd
import NeuralNetworks

/// One optimisation step, written once for every training loop: rewind the tape, zero the
/// gradients, record the loss, run the backward pass, clip the gradient norm, update, and
/// check that nothing became NaN or infinite.
///
/// ```swift
/// let step = TrainingStep(optimizer: Adam(for: model.store, learningRate: 1e-3), gradientClip: 1)
/// for batch in batches {
///     let loss = try step { tape in softmaxCrossEntropy(logits: model(batch.images, on: tape), labels: batch.labels) }
/// }
/// ```
/// The tape keeps no intermediate gradients (only parameters' are read), so the backward
/// pass reuses its buffers.
public final class TrainingStep<Scalar: TensorScalar> {
    public let optimizer: any Optimizer<Scalar>
    public let tape: Tape<Scalar>
    /// The global gradient norm is clipped to this before each update; nil: no clipping.
    public var gradientClip: Double?
    /// Whether each step checks the loss and the parameters for NaN and infinity (a read of
    /// every parameter, a few microseconds for RAM's 290,000).
    public var checksFinite: Bool
    /// Called as each phase of a step ends, for a profiler (the bench times them).
    public var onPhaseEnd: ((Phase) -> Void)?
    /// Called between the backward pass and the update with the store whose gradients it
    /// may combine (data-parallel training sums them over the processes here).
    public var combineGradients: ((ParameterStore<Scalar>) -> Void)?

    /// The parts of a step: recording the loss, the backward pass, clipping and the update.
    public enum Phase: Sendable { case forward, backward, update }

    public var store: ParameterStore<Scalar> { optimizer.store }

    public init(optimizer: any Optimizer<Scalar>, gradientClip: Double? = nil, checksFinite: Bool = true) {
        self.optimizer = optimizer
        self.gradientClip = gradientClip
        self.checksFinite = checksFinite
        tape = Tape()
        tape.keepsIntermediateGradients = false
    }

    /// Takes one step on the loss that `forward` records on the tape, and returns the loss
    /// with whatever else `forward` returned (predictions, statistics).
    /// - Throws: `TrainingDiverged` when the loss, a gradient or a parameter is not finite
    ///   after the update (the parameters are then unusable: keep the last checkpoint).
    @discardableResult
    public func callAsFunction<Output>(
        _ forward: (Tape<Scalar>) throws -> (Variable<Scalar>, Output)
    )
        throws -> (loss: Scalar, output: Output)
    {
        tape.reset()
        store.zeroGradients()
        let (loss, output) = try forward(tape)
        onPhaseEnd?(.forward)
        tape.backward(from: loss)
        combineGradients?(store)
        onPhaseEnd?(.backward)
        if let gradientClip { clipGradientNorm(store, maxNorm: gradientClip) }
        optimizer.update()
        onPhaseEnd?(.update)
        let value = loss.scalars[0]
        if checksFinite, let problem = TrainingDiverged.problem(loss: value, store: store) {
            throw TrainingDiverged(problem: problem)
        }
        return (value, output)
    }

    /// Takes one step on the loss that `forward` records, and returns it.
    @discardableResult
    public func callAsFunction(_ forward: (Tape<Scalar>) throws -> Variable<Scalar>) throws -> Scalar {
        try self { tape in (try forward(tape), ()) }.loss
    }
}

/// A step left a NaN or an infinity in the loss, a gradient or a parameter.
public struct TrainingDiverged: Error, CustomStringConvertible, Sendable {
    /// What is not finite: `the loss is nan`, `the gradient core.weight[17] = inf`, ...
    public let problem: String
    /// Where in the run, when a training loop knows: `step 12 (epoch 1)`.
    public var place: String?

    public init(problem: String, place: String? = nil) {
        (self.problem, self.place) = (problem, place)
    }

    public var description: String { "training diverged" + (place.map { " at \($0)" } ?? "") + ": \(problem)" }

    /// Runs `work`, naming `place` in a divergence it throws.
    public static func locating<T>(_ place: @autoclosure () -> String, _ work: () throws -> T) throws -> T {
        do {
            return try work()
        } catch let diverged as TrainingDiverged {
            throw TrainingDiverged(problem: diverged.problem, place: place())
        }
    }

    /// What is not finite after a step, or nil when everything is. A bad gradient makes a bad
    /// parameter after the update, so one pass over the values decides; the gradients are
    /// read only to name the culprit.
    public static func problem<Scalar>(loss: Scalar, store: ParameterStore<Scalar>) -> String? {
        guard !loss.isFinite || store.firstNonFiniteValue() != nil else { return nil }
        if !loss.isFinite { return "the loss is \(loss)" }
        if let bad = store.firstNonFiniteGradient() { return "the gradient \(bad)" }
        if let bad = store.firstNonFiniteValue() { return "after the update, \(bad)" }
        return nil
    }
}
