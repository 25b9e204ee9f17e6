/// A 3x3 convolution kernel in the Winograd F(2x2, 3x3) domain, and the convolution that uses it.
///
/// Each 2x2 block of outputs comes from a 4x4 block of inputs: with d the input block, g a 3x3 kernel,
///     Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A,
/// so the per-pixel work becomes 16 element-wise products per 4 outputs instead of 9 per output (2.25x
/// fewer). Over channels each of the 16 products is a matrix product, so the bulk of the work stays in
/// SGEMM: for every position ξ of the 4x4 block, `V[ξ]` (tiles x in) times `U[ξ]` (in x out).
/// The transforms use only additions and halvings, so float32 rounding stays near that of im2col
/// (about 1e-6 relative on VGG16, against a 1e-4 budget).
///
/// Memory: the transformed inputs and products of as many tile rows as fit live in the caller's scratch.
struct WinogradKernel: Sendable {
    let inputChannels: Int
    let outputChannels: Int
    /// `[16][inputChannels][outputChannels]`: G g Gᵀ at position ξ = 4 * row + column.
    let transformed: [Float]

    /// `kernel` is `[9 * inputChannels, outputChannels]`, row `(ky * 3 + kx) * inputChannels + ci`.
    init(tapMajor kernel: [Float], inputChannels: Int, outputChannels: Int) {
        let (channels, outputs) = (inputChannels, outputChannels)
        precondition(kernel.count == 9 * channels * outputs, "kernel must be 3x3 x \(channels) x \(outputs)")
        var transformed = [Float](repeating: 0, count: 16 * channels * outputs)
        var g = [Float](repeating: 0, count: 9), rowsDone = [Float](repeating: 0, count: 12)
        for c in 0..<channels {
            for n in 0..<outputs {
                for tap in 0..<9 { g[tap] = kernel[(tap * channels + c) * outputs + n] }
                // G g: G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]], along ky.
                for kx in 0..<3 {
                    let (g0, g1, g2) = (g[kx], g[3 + kx], g[6 + kx])
                    rowsDone[kx] = g0
                    rowsDone[3 + kx] = 0.5 * (g0 + g1 + g2)
                    rowsDone[6 + kx] = 0.5 * (g0 - g1 + g2)
                    rowsDone[9 + kx] = g2
                }
                // (G g) Gᵀ, along kx.
                for row in 0..<4 {
                    let (t0, t1, t2) = (rowsDone[row * 3], rowsDone[row * 3 + 1], rowsDone[row * 3 + 2])
                    let values = [t0, 0.5 * (t0 + t1 + t2), 0.5 * (t0 - t1 + t2), t2]
                    for column in 0..<4 {
                        transformed[((row * 4 + column) * channels + c) * outputs + n] = values[column]
                    }
                }
            }
        }
        self.inputChannels = channels
        self.outputChannels = outputs
        self.transformed = transformed
    }

    /// Scratch floats `apply` needs at the least for an image `width` wide (one row of 2x2 tiles).
    func minimumScratch(width: Int) -> Int { 2 * 16 * ((width + 1) / 2) * max(inputChannels, outputChannels) }

    /// Convolution + bias + ReLU: `[height, width, in]` with zero padding 1 into `[height, width, out]`.
    ///
    /// The rows of 2x2 tiles are split between `workers` threads, each with its own share of `scratch`; a
    /// worker goes through its tile rows in passes of as many as its share holds (transformed inputs in the
    /// first half, products in the second): input transform, 16 SGEMMs over all the pass's tiles, output
    /// transform. Workers never wait for each other within a layer.
    func apply(_ input: UnsafePointer<Float>, height: Int, width: Int, bias: [Float],
               into output: UnsafeMutablePointer<Float>, scratch: UnsafeMutableBufferPointer<Float>, workers: Int) {
        let share = scratch.count / workers
        precondition(share >= minimumScratch(width: width), "scratch too small for one row of Winograd tiles per worker")
        nonisolated(unsafe) let (input, output) = (input, output)
        Parallel.forEachShare(of: (height + 1) / 2, workers: workers) { tileRows, worker in
            let ownScratch = UnsafeMutableBufferPointer(rebasing: scratch[(worker * share)..<((worker + 1) * share)])
            apply(input, height: height, width: width, tileRows: tileRows, bias: bias, into: output, scratch: ownScratch)
        }
    }

    /// One worker's part of `apply`: output rows `2 * tileRows.lowerBound ..< 2 * tileRows.upperBound`.
    private func apply(_ input: UnsafePointer<Float>, height: Int, width: Int, tileRows: Range<Int>, bias: [Float],
                       into output: UnsafeMutablePointer<Float>, scratch: UnsafeMutableBufferPointer<Float>) {
        let tilesPerRow = (width + 1) / 2
        let widest = max(inputChannels, outputChannels)
        let tileRowsPerPass = max(1, (scratch.count / 2) / (16 * tilesPerRow * widest))
        let transformedInputs = scratch.baseAddress!
        let products = scratch.baseAddress! + scratch.count / 2
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 17 * widest) { temporary in
            let work = temporary.baseAddress!
            let zeros = work + 16 * widest
            zeros.initialize(repeating: 0, count: widest)
            var first = tileRows.lowerBound
            while first < tileRows.upperBound {
                let pass = first..<min(first + tileRowsPerPass, tileRows.upperBound)
                let tiles = pass.count * tilesPerRow
                transformInputs(input, height: height, width: width, tileRows: pass, into: transformedInputs,
                                work: work, zeros: zeros)
                transformed.withUnsafeBufferPointer { kernel in
                    for position in 0..<16 {
                        LinearAlgebra.gemm(m: tiles, n: outputChannels, k: inputChannels,
                                           a: transformedInputs + position * tiles * inputChannels, lda: inputChannels,
                                           b: kernel.baseAddress! + position * inputChannels * outputChannels, ldb: outputChannels,
                                           c: products + position * tiles * outputChannels, ldc: outputChannels)
                    }
                }
                bias.withUnsafeBufferPointer { bias in
                    transformOutputs(products, height: height, width: width, tileRows: pass,
                                     bias: bias.baseAddress!, into: output, work: work)
                }
                first = pass.upperBound
            }
        }
    }

    /// Bᵀ d B for every tile of `tileRows`, channel-vectorised: `V[ξ][tile][channel]`.
    /// Bᵀ = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]].
    private func transformInputs(_ input: UnsafePointer<Float>, height: Int, width: Int, tileRows: Range<Int>,
                                 into transformedInputs: UnsafeMutablePointer<Float>,
                                 work: UnsafeMutablePointer<Float>, zeros: UnsafePointer<Float>) {
        let channels = inputChannels
        let tilesPerRow = (width + 1) / 2
        let positionStride = tileRows.count * tilesPerRow * channels
        for tileRow in tileRows {
            for tileColumn in 0..<tilesPerRow {
                // Along x, for each of the 4 input rows: work[(row * 4 + j) * C + c].
                for row in 0..<4 {
                    let y = 2 * tileRow - 1 + row
                    func pixel(_ column: Int) -> UnsafePointer<Float> {
                        let x = 2 * tileColumn - 1 + column
                        return y < 0 || y >= height || x < 0 || x >= width ? zeros : input + (y * width + x) * channels
                    }
                    let (d0, d1, d2, d3) = (pixel(0), pixel(1), pixel(2), pixel(3))
                    let e = work + row * 4 * channels
                    for c in 0..<channels {
                        e[c] = d0[c] - d2[c]
                        e[channels + c] = d1[c] + d2[c]
                        e[2 * channels + c] = d2[c] - d1[c]
                        e[3 * channels + c] = d1[c] - d3[c]
                    }
                }
                // Along y, into the four positions of each column j.
                let tile = ((tileRow - tileRows.lowerBound) * tilesPerRow + tileColumn) * channels
                for j in 0..<4 {
                    let (e0, e1, e2, e3) = (work + j * channels, work + (4 + j) * channels,
                                            work + (8 + j) * channels, work + (12 + j) * channels)
                    let v0 = transformedInputs + j * positionStride + tile
                    let v1 = v0 + 4 * positionStride, v2 = v0 + 8 * positionStride, v3 = v0 + 12 * positionStride
                    for c in 0..<channels {
                        v0[c] = e0[c] - e2[c]
                        v1[c] = e1[c] + e2[c]
                        v2[c] = e2[c] - e1[c]
                        v3[c] = e1[c] - e3[c]
                    }
                }
            }
        }
    }

    /// Aᵀ m A + bias, ReLU, for every tile of `tileRows`; rows past `height` are not written.
    /// Aᵀ = [[1, 1, 1, 0], [0, 1, -1, -1]].
    private func transformOutputs(_ products: UnsafePointer<Float>, height: Int, width: Int, tileRows: Range<Int>,
                                  bias: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
                                  work: UnsafeMutablePointer<Float>) {
        let channels = outputChannels
        let tilesPerRow = (width + 1) / 2
        let positionStride = tileRows.count * tilesPerRow * channels
        for tileRow in tileRows {
            for tileColumn in 0..<tilesPerRow {
                let tile = products + ((tileRow - tileRows.lowerBound) * tilesPerRow + tileColumn) * channels
                // Along rows: work[(i * 4 + column) * C + c] for output row i of the tile.
                for column in 0..<4 {
                    let m0 = tile + column * positionStride, m1 = m0 + 4 * positionStride
                    let m2 = m0 + 8 * positionStride, m3 = m0 + 12 * positionStride
                    let s0 = work + column * channels, s1 = work + (4 + column) * channels
                    for c in 0..<channels {
                        s0[c] = m0[c] + m1[c] + m2[c]
                        s1[c] = m1[c] - m2[c] - m3[c]
                    }
                }
                // Along columns, plus bias and ReLU.
                for i in 0..<2 {
                    let y = 2 * tileRow + i, x = 2 * tileColumn
                    guard y < height else { continue }
                    let (s0, s1, s2, s3) = (work + (4 * i) * channels, work + (4 * i + 1) * channels,
                                            work + (4 * i + 2) * channels, work + (4 * i + 3) * channels)
                    let left = output + (y * width + x) * channels
                    for c in 0..<channels { left[c] = max(0, s0[c] + s1[c] + s2[c] + bias[c]) }
                    if x + 1 < width {
                        let right = left + channels
                        for c in 0..<channels { right[c] = max(0, s1[c] - s2[c] - s3[c] + bias[c]) }
                    }
                }
            }
        }
    }
}
