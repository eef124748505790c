import Autograd
import NeuralNetworks
import Training

/// A comparison net: it sees the whole image and draws nothing.
public protocol WholeImageClassifier: ImageClassifier {
    /// The class scores `[batch, classes]` of `[batch, height, width]` images.
    func callAsFunction(_ images: Variable<Float>) -> Variable<Float>
}

extension WholeImageClassifier {
    public func trainingLoss(
        _ images: Tensor<Float>, labels: [Int], on tape: Tape<Float>,
        using generator: inout SeededGenerator
    )
        -> (loss: Variable<Float>, correct: Int, metrics: [String: Double])
    {
        let logits = self(tape.constant(images))
        let correct = zip(mostLikelyClasses(logits), labels).filter { $0 == $1 }.count
        let loss = softmaxCrossEntropy(logits: logits, labels: labels)
        return (loss, correct, ["cross_entropy": Double(loss.scalars[0])])
    }

    public var metrics: [Metric] { [Metric("cross_entropy", tag: "loss/cross_entropy")] }

    public func logits(
        _ images: Tensor<Float>, on tape: Tape<Float>, using generator: inout SeededGenerator
    )
        -> Variable<Float>
    {
        self(tape.constant(images))
    }
}

extension FullyConnectedBaseline: WholeImageClassifier {}
extension ConvolutionalBaseline: WholeImageClassifier {}
