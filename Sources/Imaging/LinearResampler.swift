/// OpenCV's fixed-point bilinear coefficients for one axis: destination `d` blends sources
/// `first[d]` and `second[d]` with weights that sum to 2048 (INTER_RESIZE_COEF_BITS = 11).
struct LinearWeights {
    /// Where a destination sample sits on the source axis.
    enum Placement {
        /// INTER_LINEAR: pixel centres line up, `src = (dst + 0.5) * scale - 0.5`.
        case pixelCentres
        /// INTER_AREA when enlarging: OpenCV's `sx = floor(dst * scale)`, `fx = (dst + 1) - (sx + 1) / scale`.
        case areaUpscale
    }

    static let coefficientBits = 11
    static let coefficientScale = Float(1 << coefficientBits)

    var first: [Int] = []
    var second: [Int] = []
    var firstWeight: [Int32] = []
    var secondWeight: [Int32] = []

    init(source: Int, destination: Int, placement: Placement) {
        let inverseScale = Double(destination) / Double(source)
        let scale = 1 / inverseScale
        for d in 0..<destination {
            var index: Int
            var fraction: Float
            switch placement {
            case .pixelCentres:
                let position = Float((Double(d) + 0.5) * scale - 0.5)
                index = Int(position.rounded(.down))
                fraction = position - Float(index)
            case .areaUpscale:
                index = Int((Double(d) * scale).rounded(.down))
                fraction = Float(Double(d + 1) - Double(index + 1) * inverseScale)
                fraction = fraction <= 0 ? 0 : fraction - fraction.rounded(.down)
            }
            if index < 0 {
                index = 0
                fraction = 0
            }
            if index >= source - 1 {
                index = source - 1
                fraction = 0
            }
            first.append(index)
            second.append(min(index + 1, source - 1))
            firstWeight.append(Self.fixedPoint(1 - fraction))
            secondWeight.append(Self.fixedPoint(fraction))
        }
    }

    /// `saturate_cast<short>(weight * 2048)`: round half to even.
    private static func fixedPoint(_ weight: Float) -> Int32 {
        Int32((weight * coefficientScale).rounded(.toNearestOrEven))
    }
}

/// Separable fixed-point bilinear resampling as OpenCV does it: each needed source row is blended
/// horizontally into integers (weights sum to 2^11), then two such rows are blended vertically with the
/// rounding of OpenCV's SIMD kernel, `((b0 * (h0 >> 4)) >> 16) + ((b1 * (h1 >> 4)) >> 16) + 2) >> 2`,
/// which is bit-exact with `cv2.resize` on the golden images.
struct LinearResampler {
    let columns: LinearWeights
    let rows: LinearWeights

    func resample(_ image: RGBImage) -> RGBImage {
        let outWidth = columns.first.count, outHeight = rows.first.count
        let outStride = outWidth * 3
        var output = [UInt8](repeating: 0, count: outStride * outHeight)
        var upper = [Int32](repeating: 0, count: outStride), lower = upper
        image.pixels.withUnsafeBufferPointer { source in
            for y in 0..<outHeight {
                blendHorizontally(source, row: rows.first[y], width: image.width, into: &upper)
                blendHorizontally(source, row: rows.second[y], width: image.width, into: &lower)
                let upperWeight = rows.firstWeight[y], lowerWeight = rows.secondWeight[y]
                output.withUnsafeMutableBufferPointer { out in
                    for i in 0..<outStride {
                        let sum = ((upperWeight * (upper[i] >> 4)) >> 16) + ((lowerWeight * (lower[i] >> 4)) >> 16)
                        out[y * outStride + i] = UInt8(clamping: (sum + 2) >> 2)
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: output)
    }

    private func blendHorizontally(_ source: UnsafeBufferPointer<UInt8>, row: Int, width: Int, into blended: inout [Int32]) {
        let line = row * width * 3
        blended.withUnsafeMutableBufferPointer { out in
            for x in 0..<columns.first.count {
                let left = line + columns.first[x] * 3, right = line + columns.second[x] * 3
                let leftWeight = columns.firstWeight[x], rightWeight = columns.secondWeight[x]
                for channel in 0..<3 {
                    out[x * 3 + channel] = leftWeight * Int32(source[left + channel]) + rightWeight * Int32(source[right + channel])
                }
            }
        }
    }
}
