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

/// Separable fixed-point bilinear resampling. Rows are blended first, then columns; in exact integer
/// arithmetic the order does not change the sum, which is then rounded like OpenCV (`(v + 2^21) >> 22`).
struct LinearResampler {
    let columns: LinearWeights
    let rows: LinearWeights

    func resample(_ image: RGBImage) -> RGBImage {
        let outWidth = columns.first.count, outHeight = rows.first.count
        let sourceStride = image.width * 3
        let shift = Int32(2 * LinearWeights.coefficientBits), half = Int32(1) << (shift - 1)
        var output = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        var blendedRow = [Int32](repeating: 0, count: sourceStride)
        image.pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { out in
                blendedRow.withUnsafeMutableBufferPointer { row in
                    for y in 0..<outHeight {
                        let top = rows.first[y] * sourceStride, bottom = rows.second[y] * sourceStride
                        let topWeight = rows.firstWeight[y], bottomWeight = rows.secondWeight[y]
                        for i in 0..<sourceStride {
                            row[i] = topWeight * Int32(source[top + i]) + bottomWeight * Int32(source[bottom + i])
                        }
                        let outRow = y * outWidth * 3
                        for x in 0..<outWidth {
                            let left = columns.first[x] * 3, right = columns.second[x] * 3
                            let leftWeight = columns.firstWeight[x], rightWeight = columns.secondWeight[x]
                            for channel in 0..<3 {
                                let sum = leftWeight * row[left + channel] + rightWeight * row[right + channel]
                                out[outRow + x * 3 + channel] = UInt8(clamping: (sum + half) >> shift)
                            }
                        }
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: output)
    }
}
