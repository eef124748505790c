import Autograd

/// The mean cross-entropy of `labels` under `softmax(logits)`, computed stably from logits:
///
/// ```
/// loss = -(1/B) sum_b log softmax(logits_b)[label_b]
/// ```
/// - Parameters:
///   - logits: `[batch, classes]`.
///   - labels: one class index per row.
public func softmaxCrossEntropy<Scalar>(logits: Variable<Scalar>, labels: [Int]) -> Variable<Scalar> {
    negativeLogLikelihood(logProbabilities: logits.logSoftmax(), labels: labels)
}

/// The mean negative log-likelihood of `labels` given log-probabilities `[batch, classes]`.
public func negativeLogLikelihood<Scalar>(logProbabilities: Variable<Scalar>, labels: [Int]) -> Variable<Scalar> {
    -logProbabilities.gathering(labels, alongAxis: 1).mean()
}

/// The mean of `(predictions - targets)^2` over every element.
public func meanSquaredError<Scalar>(predictions: Variable<Scalar>, targets: Variable<Scalar>) -> Variable<Scalar> {
    (predictions - targets).squared().mean()
}

/// The most likely class of each row of `[batch, classes]` logits.
public func mostLikelyClasses<Scalar>(_ logits: Variable<Scalar>) -> [Int] {
    let classes = logits.shape[1]
    let values = logits.scalars
    return (0..<logits.shape[0]).map { r in
        (0..<classes).max { values[r * classes + $0] < values[r * classes + $1] }!
    }
}
