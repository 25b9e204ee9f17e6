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
/// contiguous lines (cheap, vectorisable), then columns; the result is rounded to nearest, half to even,
/// except for exact 2x2 halving where OpenCV's fast path rounds halves up, `(a + b + c + d + 2) >> 2`.
struct AreaResampler {
    let columns: BoxWeights
    let rows: BoxWeights
    private let roundsHalfUp: Bool

    init(sourceWidth: Int, sourceHeight: Int, width: Int, height: Int) {
        columns = BoxWeights(source: sourceWidth, destination: width)
        rows = BoxWeights(source: sourceHeight, destination: height)
        roundsHalfUp = sourceWidth == 2 * width && sourceHeight == 2 * height
    }

    func resample(_ image: RGBImage) -> RGBImage {
        let outWidth = columns.count, outHeight = rows.count
        let sourceStride = image.width * 3
        var output = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        var averagedRow = [Float](repeating: 0, count: sourceStride)
        image.pixels.withUnsafeBufferPointer { sourceBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                averagedRow.withUnsafeMutableBufferPointer { rowBuffer in
                    let source = sourceBuffer.baseAddress!, out = outBuffer.baseAddress!, row = rowBuffer.baseAddress!
                    for y in 0..<outHeight {
                        row.update(repeating: 0, count: sourceStride)
                        for tap in rows.offsets[y]..<rows.offsets[y + 1] {
                            let weight = rows.weights[tap]
                            let line = source + (rows.start[y] + tap - rows.offsets[y]) * sourceStride
                            // Pointer offsets (no overflow checks) so this loop vectorises.
                            for i in 0..<sourceStride { row[i] += weight * Float(line[i]) }
                        }
                        let outRow = out + y * outWidth * 3
                        for x in 0..<outWidth {
                            var sum: (Float, Float, Float) = (0, 0, 0)
                            for tap in columns.offsets[x]..<columns.offsets[x + 1] {
                                let weight = columns.weights[tap]
                                let pixel = row + (columns.start[x] + tap - columns.offsets[x]) * 3
                                sum.0 += weight * pixel[0]
                                sum.1 += weight * pixel[1]
                                sum.2 += weight * pixel[2]
                            }
                            outRow[x * 3] = byte(sum.0)
                            outRow[x * 3 + 1] = byte(sum.1)
                            outRow[x * 3 + 2] = byte(sum.2)
                        }
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: output)
    }

    private func byte(_ value: Float) -> UInt8 {
        // Averages of four bytes are exact in Float, so halves are true halves here.
        let rounded = roundsHalfUp ? (value + 0.5).rounded(.down) : value.rounded(.toNearestOrEven)
        return UInt8(clamping: Int(rounded))
    }
}
