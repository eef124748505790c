import Autograd
import Distributed
import NeuralNetworks

extension TrainingStep where Scalar == Float {
    /// Joins the processes of `reducer` in data-parallel training: every process starts from
    /// rank 0's parameters, and before each update the gradients are summed over the
    /// processes, each process's weighted by `share()`, the fraction of the batch it
    /// computed, so that every process applies the whole batch's mean gradient.
    public func shareGradients(over reducer: any Reducer, share: @escaping () -> Double) {
        reducer.broadcast(store.values, from: 0)
        combineGradients = { store in
            let gradients = store.gradients
            let weight = Float(share())
            for i in gradients.indices { gradients[i] *= weight }
            reducer.sum(gradients)
        }
    }
}
