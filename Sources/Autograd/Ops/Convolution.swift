// 2-D convolution: forward rule and VJP side by side.

extension Variable {
    /// A 2-D cross-correlation (what deep-learning frameworks call convolution), no bias, of
    /// this variable, `[batch, channels, height, width]`.
    ///
    /// ```
    /// y[n, o, i, j] = sum_{c, u, v} w[o, c, u, v] * x[n, c, i*stride + u - padding, j*stride + v - padding]
    /// ```
    /// Computed per image as one matrix product with the unfolded input (im2col):
    /// `Y_n = W · cols(X_n)`; the VJP is `dW += G_n · cols(X_n)^T` and `dX_n += col2im(W^T · G_n)`.
    /// - Parameters:
    ///   - weight: `[outChannels, channels, kernel, kernel]`.
    /// - Returns: `[batch, outChannels, outHeight, outWidth]`, zero padding at the borders.
    @inlinable
    public func convolution2D(weight: Variable, stride: Int = 1, padding: Int = 0) -> Variable {
        tape.convolution(self, weight, stride: stride, padding: padding)
    }
}

@available(*, deprecated, message: "use input.convolution2D(weight:stride:padding:)")
@inlinable
public func convolution2D<Scalar>(
    _ input: Variable<Scalar>, weight: Variable<Scalar>,
    stride: Int = 1, padding: Int = 0
) -> Variable<Scalar> {
    input.convolution2D(weight: weight, stride: stride, padding: padding)
}

extension Tape {
    @inlinable
    func convolution(_ x: Variable<Scalar>, _ w: Variable<Scalar>, stride: Int, padding: Int) -> Variable<Scalar> {
        let nx = node(x)
        let nw = node(w)
        require(
            nx.shape.rank == 4 && nw.shape.rank == 4 && nw.shape[2] == nw.shape[3],
            "convolution2D: needs input [batch, channels, height, width] and square weight [out, channels, k, k], "
                + "got \(nx.shape) and \(nw.shape)"
        )
        require(
            nx.shape[1] == nw.shape[1],
            "convolution2D: input \(nx.shape) has \(nx.shape[1]) channels, weight \(nw.shape) expects \(nw.shape[1])")
        require(stride >= 1 && padding >= 0, "convolution2D: stride \(stride) and padding \(padding) are invalid")
        let g = geometry(nx.shape, nw.shape, stride: stride, padding: padding)
        require(
            g.outHeight >= 1 && g.outWidth >= 1,
            "convolution2D: kernel \(g.kernel) does not fit input \(nx.shape) with padding \(padding)")
        let batch = nx.shape[0]
        let outChannels = nw.shape[0]
        let columns = values.allocate(batch * g.patchSize * g.positions, of: Scalar.self)
        return record(
            .convolution(stride: stride, padding: padding, columns: UnsafeMutableRawPointer(columns)), x, w,
            shape: [batch, outChannels, g.outHeight, g.outWidth]
        ) { out in
            let image = pointer(nx.value)
            let weight = pointer(nw.value)
            for n in 0..<batch {
                let cols = columns + n * g.patchSize * g.positions
                Scalar.kernels.imageToColumns(image + n * g.channels * g.height * g.width, g, cols)
                Scalar.kernels.gemm(
                    transposeA: false, transposeB: false, m: outChannels, n: g.positions, k: g.patchSize,
                    alpha: 1, a: weight, lda: g.patchSize, b: cols, ldb: g.positions,
                    beta: 0, c: out + n * outChannels * g.positions, ldc: g.positions)
            }
        }
    }

    @inlinable
    func geometry(_ input: Shape, _ weight: Shape, stride: Int, padding: Int) -> ConvolutionGeometry {
        ConvolutionGeometry(
            channels: input[1], height: input[2], width: input[3], kernel: weight[2],
            stride: stride, padding: padding)
    }

    @inlinable
    func convolutionVJP(
        _ node: TapeNode, _ gradient: UnsafeMutablePointer<Scalar>, stride: Int, padding: Int,
        columns rawColumns: UnsafeMutableRawPointer
    ) {
        let x = operand(node, 0)
        let w = operand(node, 1)
        let g = geometry(nodes[Int(x)].shape, nodes[Int(w)].shape, stride: stride, padding: padding)
        let columns = pointer(rawColumns)
        let weight = pointer(nodes[Int(w)].value)
        let batch = node.shape[0]
        let outChannels = node.shape[1]
        let dx = gradientBuffer(x)
        let dw = gradientBuffer(w)
        let dcols = dx == nil ? nil : scratch(g.patchSize * g.positions)
        for n in 0..<batch {
            let gn = gradient + n * outChannels * g.positions
            let cols = columns + n * g.patchSize * g.positions
            if let dw {
                Scalar.kernels.gemm(
                    transposeA: false, transposeB: true, m: outChannels, n: g.patchSize, k: g.positions,
                    alpha: 1, a: gn, lda: g.positions, b: cols, ldb: g.positions,
                    beta: 1, c: dw, ldc: g.patchSize)
            }
            if let dx, let dcols {
                Scalar.kernels.gemm(
                    transposeA: true, transposeB: false, m: g.patchSize, n: g.positions, k: outChannels,
                    alpha: 1, a: weight, lda: g.patchSize, b: gn, ldb: g.positions,
                    beta: 0, c: dcols, ldc: g.positions)
                Scalar.kernels.columnsToImage(dcols, g, dx + n * g.channels * g.height * g.width)
            }
        }
    }
}
