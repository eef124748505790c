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

extension Variable {
    /// The patches a `kernel` x `kernel` window visits on this `[batch, channels, height, width]`
    /// variable, as columns (im2col; PyTorch's `unfold`): `[batch, channels * kernel^2, positions]`,
    /// one column per output position in row-major order, zeros where the window passes the
    /// border. A convolution is the weight, as a matrix, times these columns.
    @inlinable
    public func unfolded(kernel: Int, stride: Int = 1, padding: Int = 0) -> Variable {
        tape.unfold(self, kernel: kernel, stride: stride, padding: padding)
    }

    /// The adjoint of `unfolded`: adds every column of this `[batch, channels * kernel^2,
    /// positions]` variable back at the image positions its window covered (col2im; PyTorch's
    /// `fold`), giving `[batch, channels, height, width]`.
    @inlinable
    public func folded(height: Int, width: Int, kernel: Int, stride: Int = 1, padding: Int = 0) -> Variable {
        tape.fold(self, height: height, width: width, kernel: kernel, stride: stride, padding: padding)
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

    /// The same products, recorded through `unfolded` and `folded`, which are each other's
    /// VJPs: `dW = G cols(X)^T` summed over the batch, `dX = fold(W^T G)`.
    @inlinable
    func convolutionRecordedVJP(_ c: RecordedVJP<Scalar>, stride: Int, padding: Int) -> [Variable<Scalar>?] {
        let (x, w) = (c.operand(0), c.operand(1))
        let (xShape, wShape) = (x.shape, w.shape)
        let geometry = geometry(xShape, wShape, stride: stride, padding: padding)
        let (batch, outChannels) = (xShape[0], wShape[0])
        let spread = batch * geometry.positions
        // G as [out, batch * positions], the batch beside the positions.
        let g = c.g.reshaped(to: [batch, outChannels, geometry.positions]).transposed([1, 0, 2])
            .reshaped(to: [outChannels, spread])
        var result: [Variable<Scalar>?] = [nil, nil]
        if c.wants[1] {
            let columns = x.unfolded(kernel: geometry.kernel, stride: stride, padding: padding)
                .transposed([1, 0, 2]).reshaped(to: [geometry.patchSize, spread])
            result[1] = g.matmul(columns, transposeB: true).reshaped(to: wShape)
        }
        if c.wants[0] {
            let weight = w.reshaped(to: [outChannels, geometry.patchSize])
            result[0] = weight.matmul(g, transposeA: true)
                .reshaped(to: [geometry.patchSize, batch, geometry.positions]).transposed([1, 0, 2])
                .folded(
                    height: geometry.height, width: geometry.width, kernel: geometry.kernel,
                    stride: stride, padding: padding)
        }
        return result
    }

    // MARK: Unfold and fold

    @inlinable
    func unfold(_ x: Variable<Scalar>, kernel: Int, stride: Int, padding: Int) -> Variable<Scalar> {
        let nx = node(x)
        require(nx.shape.rank == 4, "unfold: needs input [batch, channels, height, width], got \(nx.shape)")
        let g = checkedGeometry(
            "unfold", channels: nx.shape[1], height: nx.shape[2], width: nx.shape[3],
            kernel: kernel, stride: stride, padding: padding)
        let batch = nx.shape[0]
        return record(
            .unfold(kernel: kernel, stride: stride, padding: padding), x,
            shape: [batch, g.patchSize, g.positions]
        ) { out in
            let image = pointer(nx.value)
            for n in 0..<batch {
                Scalar.kernels.imageToColumns(
                    image + n * g.channels * g.height * g.width, g, out + n * g.patchSize * g.positions)
            }
        }
    }

    @inlinable
    func fold(
        _ x: Variable<Scalar>, height: Int, width: Int, kernel: Int, stride: Int, padding: Int
    ) -> Variable<Scalar> {
        let nx = node(x)
        require(
            nx.shape.rank == 3 && kernel >= 1 && nx.shape[1] % (kernel * kernel) == 0,
            "fold: needs columns [batch, channels * \(kernel)^2, positions], got \(nx.shape)")
        let g = checkedGeometry(
            "fold", channels: nx.shape[1] / (kernel * kernel), height: height, width: width,
            kernel: kernel, stride: stride, padding: padding)
        require(
            nx.shape[2] == g.positions,
            "fold: \(nx.shape[2]) columns, but a \(kernel)x\(kernel) window on \(height)x\(width) with stride "
                + "\(stride) and padding \(padding) visits \(g.positions) positions")
        let batch = nx.shape[0]
        let imageSize = g.channels * height * width
        return record(
            .fold(kernel: kernel, stride: stride, padding: padding), x,
            shape: [batch, g.channels, height, width]
        ) { out in
            let columns = pointer(nx.value)
            _ = zeroed(out, batch * imageSize)
            for n in 0..<batch {
                Scalar.kernels.columnsToImage(columns + n * g.patchSize * g.positions, g, out + n * imageSize)
            }
        }
    }

    /// The geometry of a window on an image, checked: it fits at least once.
    @inlinable
    func checkedGeometry(
        _ op: String, channels: Int, height: Int, width: Int, kernel: Int, stride: Int, padding: Int
    ) -> ConvolutionGeometry {
        require(
            kernel >= 1 && stride >= 1 && padding >= 0,
            "\(op): kernel \(kernel), stride \(stride) and padding \(padding) are invalid")
        let g = ConvolutionGeometry(
            channels: channels, height: height, width: width, kernel: kernel, stride: stride, padding: padding)
        require(
            g.outHeight >= 1 && g.outWidth >= 1,
            "\(op): kernel \(kernel) does not fit a \(height)x\(width) image with padding \(padding)")
        return g
    }

    /// The geometry of an unfold or fold node, from the image side's shape.
    @inlinable
    func windowGeometry(image: Shape, kernel: Int, stride: Int, padding: Int) -> ConvolutionGeometry {
        ConvolutionGeometry(
            channels: image[1], height: image[2], width: image[3], kernel: kernel, stride: stride, padding: padding)
    }

    /// Unfold's VJP folds the cotangent back into the image.
    @inlinable
    func unfoldVJP(_ node: TapeNode, _ g: UnsafeMutablePointer<Scalar>, kernel: Int, stride: Int, padding: Int) {
        let x = operand(node, 0)
        guard let dx = gradientBuffer(x) else { return }
        let image = nodes[Int(x)].shape
        let geometry = windowGeometry(image: image, kernel: kernel, stride: stride, padding: padding)
        let imageSize = image.count / image[0]
        for n in 0..<image[0] {
            Scalar.kernels.columnsToImage(g + n * geometry.patchSize * geometry.positions, geometry, dx + n * imageSize)
        }
    }

    /// Fold's VJP unfolds the cotangent.
    @inlinable
    func foldVJP(_ node: TapeNode, _ g: UnsafeMutablePointer<Scalar>, kernel: Int, stride: Int, padding: Int) {
        let x = operand(node, 0)
        guard let (dx, isFresh) = gradientTarget(x) else { return }
        let geometry = windowGeometry(image: node.shape, kernel: kernel, stride: stride, padding: padding)
        let (imageSize, block) = (node.shape.count / node.shape[0], geometry.patchSize * geometry.positions)
        let columns = isFresh ? dx : scratch(block)
        for n in 0..<node.shape[0] {
            let target = isFresh ? dx + n * block : columns
            Scalar.kernels.imageToColumns(g + n * imageSize, geometry, target)
            if !isFresh { for i in 0..<block { dx[n * block + i] += columns[i] } }
        }
    }

    @inlinable
    func unfoldRecordedVJP(_ c: RecordedVJP<Scalar>, kernel: Int, stride: Int, padding: Int) -> [Variable<Scalar>?] {
        let image = c.operandShape(0)
        return [c.g.folded(height: image[2], width: image[3], kernel: kernel, stride: stride, padding: padding)]
    }

    @inlinable
    func foldRecordedVJP(_ c: RecordedVJP<Scalar>, kernel: Int, stride: Int, padding: Int) -> [Variable<Scalar>?] {
        [c.g.unfolded(kernel: kernel, stride: stride, padding: padding)]
    }
}
