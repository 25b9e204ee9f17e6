/// Box-filter weights for shrinking one axis: destination `d` covers source span
/// `[d * scale, (d + 1) * scale)`, and each source sample weighs the fraction of that span it covers.
struct BoxWeights {
    /// Destination `d` uses sources `start[d] ..< start[d] + (offsets[d + 1] - offsets[d])`.
    var start: [Int] = []
    var offsets: [Int] = [0]
    var weights: [Float] = []

    init(source: Int, destination: Int) {
        precondition(destination <= source, "box weights only shrink")
        let scale = Double(source) / Double(destination)
        for d in 0..<destination {
            let begin = Double(d) * scale, end = min(begin + scale, Double(source))
            let span = end - begin
            let firstIndex = Int(begin.rounded(.down))
            let lastIndex = min(Int(end.rounded(.up)) - 1, source - 1)
            start.append(firstIndex)
            for index in firstIndex...lastIndex {
                let covered = min(end, Double(index + 1)) - max(begin, Double(index))
                weights.append(Float(covered / span))
            }
            offsets.append(weights.count)
        }
    }

    var count: Int { start.count }
}

/// Area-weighted averaging (OpenCV INTER_AREA when shrinking): rows are averaged first over whole
/// contiguous lines (cheap, vectorisable), then columns; the result is rounded to nearest, half to even.
struct AreaResampler {
    let columns: BoxWeights
    let rows: BoxWeights

    func resample(_ image: RGBImage) -> RGBImage {
        let outWidth = columns.count, outHeight = rows.count
        let sourceStride = image.width * 3
        var output = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        var averagedRow = [Float](repeating: 0, count: sourceStride)
        image.pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { out in
                averagedRow.withUnsafeMutableBufferPointer { row in
                    for y in 0..<outHeight {
                        for i in 0..<sourceStride { row[i] = 0 }
                        for tap in rows.offsets[y]..<rows.offsets[y + 1] {
                            let weight = rows.weights[tap]
                            let line = (rows.start[y] + tap - rows.offsets[y]) * sourceStride
                            for i in 0..<sourceStride { row[i] += weight * Float(source[line + i]) }
                        }
                        let outRow = y * outWidth * 3
                        for x in 0..<outWidth {
                            var sum: (Float, Float, Float) = (0, 0, 0)
                            for tap in columns.offsets[x]..<columns.offsets[x + 1] {
                                let weight = columns.weights[tap]
                                let pixel = (columns.start[x] + tap - columns.offsets[x]) * 3
                                sum.0 += weight * row[pixel]
                                sum.1 += weight * row[pixel + 1]
                                sum.2 += weight * row[pixel + 2]
                            }
                            out[outRow + x * 3] = Self.byte(sum.0)
                            out[outRow + x * 3 + 1] = Self.byte(sum.1)
                            out[outRow + x * 3 + 2] = Self.byte(sum.2)
                        }
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: output)
    }

    private static func byte(_ value: Float) -> UInt8 {
        UInt8(clamping: Int(value.rounded(.toNearestOrEven)))
    }
}
