import Autograd
import Foundation

// Deliberately naive Double references, written independently of the kernels under test:
// plain loops over multi-indices, no strides, no broadcasting tricks.

/// Every multi-index of `dims` in row-major order.
func allIndices(_ dims: [Int]) -> [[Int]] {
    var result: [[Int]] = [[]]
    for d in dims { result = result.flatMap { prefix in (0..<d).map { prefix + [$0] } } }
    return result
}

/// The row-major offset of a multi-index.
func offset(_ index: [Int], _ dims: [Int]) -> Int {
    zip(index, dims).reduce(0) { $0 * $1.1 + $1.0 }
}

func element(_ t: Tensor<Double>, _ index: [Int]) -> Double { t.scalars[offset(index, t.shape.dimensions)] }

/// Elementwise `f` with numpy broadcasting, written from the broadcasting rule itself.
func naiveBroadcast(_ a: Tensor<Double>, _ b: Tensor<Double>, _ f: (Double, Double) -> Double) -> Tensor<Double> {
    let ra = a.shape.dimensions
    let rb = b.shape.dimensions
    let rank = max(ra.count, rb.count)
    let pa = Array(repeating: 1, count: rank - ra.count) + ra
    let pb = Array(repeating: 1, count: rank - rb.count) + rb
    let out = zip(pa, pb).map { max($0, $1) }
    let values = allIndices(out).map { index -> Double in
        let ia = zip(index, pa).map { $1 == 1 ? 0 : $0 }
        let ib = zip(index, pb).map { $1 == 1 ? 0 : $0 }
        return f(a.scalars[offset(ia, pa)], b.scalars[offset(ib, pb)])
    }
    return Tensor(shape: Shape(out), scalars: values)
}

func naiveMap(_ a: Tensor<Double>, _ f: (Double) -> Double) -> Tensor<Double> {
    Tensor(shape: a.shape, scalars: a.scalars.map(f))
}

func naiveMatmul(_ a: Tensor<Double>, _ b: Tensor<Double>, transposeA: Bool, transposeB: Bool) -> Tensor<Double> {
    let m = transposeA ? a.shape[1] : a.shape[0]
    let k = transposeA ? a.shape[0] : a.shape[1]
    let n = transposeB ? b.shape[0] : b.shape[1]
    var out = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            for p in 0..<k {
                let x = transposeA ? element(a, [p, i]) : element(a, [i, p])
                let y = transposeB ? element(b, [j, p]) : element(b, [p, j])
                out[i * n + j] += x * y
            }
        }
    }
    return Tensor(shape: [m, n], scalars: out)
}

/// Sum over `axes`, removing them.
func naiveSum(_ a: Tensor<Double>, axes: [Int]) -> Tensor<Double> {
    let dims = a.shape.dimensions
    let kept = dims.indices.filter { !axes.contains($0) }
    let outDims = kept.map { dims[$0] }
    var out = [Double](repeating: 0, count: outDims.reduce(1, *))
    for index in allIndices(dims) {
        out[offset(kept.map { index[$0] }, outDims)] += element(a, index)
    }
    return Tensor(shape: Shape(outDims), scalars: out)
}

func naiveMax(_ a: Tensor<Double>, axis: Int) -> Tensor<Double> {
    let dims = a.shape.dimensions
    var outDims = dims
    outDims.remove(at: axis)
    var out = [Double](repeating: -.infinity, count: outDims.reduce(1, *))
    for index in allIndices(dims) {
        var reduced = index
        reduced.remove(at: axis)
        let o = offset(reduced, outDims)
        out[o] = max(out[o], element(a, index))
    }
    return Tensor(shape: Shape(outDims), scalars: out)
}

func naiveLogSoftmax(_ a: Tensor<Double>) -> Tensor<Double> {
    let columns = a.shape[a.shape.rank - 1]
    var out = a.scalars
    for r in 0..<(a.shape.count / columns) {
        let row = Array(a.scalars[(r * columns)..<((r + 1) * columns)])
        let logSum = Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +))
        for j in 0..<columns { out[r * columns + j] = row[j] - logSum }
    }
    return Tensor(shape: a.shape, scalars: out)
}

func naiveTranspose(_ a: Tensor<Double>, _ permutation: [Int]) -> Tensor<Double> {
    let dims = a.shape.dimensions
    let outDims = permutation.map { dims[$0] }
    let values = allIndices(outDims).map { outIndex -> Double in
        var index = [Int](repeating: 0, count: dims.count)
        for (i, p) in permutation.enumerated() { index[p] = outIndex[i] }
        return element(a, index)
    }
    return Tensor(shape: Shape(outDims), scalars: values)
}

func naiveConcatenate(_ parts: [Tensor<Double>], axis: Int) -> Tensor<Double> {
    var outDims = parts[0].shape.dimensions
    outDims[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
    let values = allIndices(outDims).map { index -> Double in
        var position = index[axis]
        for part in parts {
            if position < part.shape[axis] {
                var local = index
                local[axis] = position
                return element(part, local)
            }
            position -= part.shape[axis]
        }
        fatalError("unreachable")
    }
    return Tensor(shape: Shape(outDims), scalars: values)
}

func naiveSlice(_ a: Tensor<Double>, axis: Int, start: Int, length: Int) -> Tensor<Double> {
    var outDims = a.shape.dimensions
    outDims[axis] = length
    let values = allIndices(outDims).map { index -> Double in
        var source = index
        source[axis] += start
        return element(a, source)
    }
    return Tensor(shape: Shape(outDims), scalars: values)
}

func naiveGather(_ a: Tensor<Double>, _ picks: [Int], axis: Int) -> Tensor<Double> {
    var outDims = a.shape.dimensions
    outDims.remove(at: axis)
    let values = allIndices(outDims).enumerated().map { i, index -> Double in
        var source = index
        source.insert(picks[i], at: axis)
        return element(a, source)
    }
    return Tensor(shape: Shape(outDims), scalars: values)
}

/// Direct convolution from its definition: x [n, c, h, w], w [o, c, k, k].
func naiveConvolution(_ x: Tensor<Double>, _ w: Tensor<Double>, stride: Int, padding: Int) -> Tensor<Double> {
    let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (o, k) = (w.shape[0], w.shape[2])
    let oh = (h + 2 * padding - k) / stride + 1
    let ow = (wd + 2 * padding - k) / stride + 1
    var out = [Double](repeating: 0, count: n * o * oh * ow)
    for b in 0..<n {
        for f in 0..<o {
            for i in 0..<oh {
                for j in 0..<ow {
                    var acc = 0.0
                    for ch in 0..<c {
                        for u in 0..<k {
                            for v in 0..<k {
                                let y = i * stride + u - padding
                                let xx = j * stride + v - padding
                                if y >= 0 && y < h && xx >= 0 && xx < wd {
                                    acc += element(w, [f, ch, u, v]) * element(x, [b, ch, y, xx])
                                }
                            }
                        }
                    }
                    out[((b * o + f) * oh + i) * ow + j] = acc
                }
            }
        }
    }
    return Tensor(shape: [n, o, oh, ow], scalars: out)
}

/// Every (column entry, pixel) pair of a window's visits, by definition: entry `[b, (c, u, v),
/// (i, j)]` of the columns sees pixel `[b, c, i * stride + u - padding, j * stride + v - padding]`,
/// when that lies inside the image. As offsets into the two row-major tensors.
func naiveWindowVisits(
    batch n: Int, channels c: Int, height h: Int, width wd: Int, kernel k: Int, stride: Int, padding: Int
) -> [(column: Int, pixel: Int)] {
    let oh = (h + 2 * padding - k) / stride + 1
    let ow = (wd + 2 * padding - k) / stride + 1
    var visits: [(Int, Int)] = []
    for b in 0..<n {
        for ch in 0..<c {
            for u in 0..<k {
                for v in 0..<k {
                    for i in 0..<oh {
                        for j in 0..<ow {
                            let (y, xx) = (i * stride + u - padding, j * stride + v - padding)
                            guard y >= 0 && y < h && xx >= 0 && xx < wd else { continue }
                            let row = (ch * k + u) * k + v
                            visits.append(
                                (((b * c * k * k + row) * oh + i) * ow + j, ((b * c + ch) * h + y) * wd + xx))
                        }
                    }
                }
            }
        }
    }
    return visits
}

/// im2col: each column entry is the pixel it visits, zero past the border.
func naiveUnfold(_ x: Tensor<Double>, kernel k: Int, stride: Int, padding: Int) -> Tensor<Double> {
    let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let positions = ((h + 2 * padding - k) / stride + 1) * ((wd + 2 * padding - k) / stride + 1)
    var out = [Double](repeating: 0, count: n * c * k * k * positions)
    for visit in naiveWindowVisits(
        batch: n, channels: c, height: h, width: wd, kernel: k, stride: stride, padding: padding)
    {
        out[visit.column] = x.scalars[visit.pixel]
    }
    return Tensor(shape: [n, c * k * k, positions], scalars: out)
}

/// col2im, the adjoint: every column entry added back at the pixel it visits.
func naiveFold(
    _ columns: Tensor<Double>, channels c: Int, height h: Int, width wd: Int, kernel k: Int, stride: Int, padding: Int
) -> Tensor<Double> {
    let n = columns.shape[0]
    var out = [Double](repeating: 0, count: n * c * h * wd)
    for visit in naiveWindowVisits(
        batch: n, channels: c, height: h, width: wd, kernel: k, stride: stride, padding: padding)
    {
        out[visit.pixel] += columns.scalars[visit.column]
    }
    return Tensor(shape: [n, c, h, wd], scalars: out)
}
