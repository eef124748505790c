/// The nonlinearity a layer applies to its sum: the one list of activations of the toolkit.
///
/// The fused linear op takes it, and so do the layers built on that op: `Linear`'s call,
/// `MLP` between its layers, `RNNCell` as its nonlinearity. The raw values are the C
/// kernels' codes (0, 1, 2); no checkpoint or configuration stores them.
public enum Activation: UInt8, Sendable, CaseIterable {
    /// No nonlinearity: the sum itself.
    case identity
    /// `max(z, 0)`; its derivative at 0 is taken to be 0, as in PyTorch.
    case relu
    /// The hyperbolic tangent.
    case tanh
}
