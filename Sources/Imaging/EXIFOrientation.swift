extension RGBImage {
    /// The image turned upright according to an EXIF orientation value (1...8), as OpenCV's `imread` does.
    /// Values outside 2...8 leave the image unchanged.
    func reoriented(exif orientation: Int) -> RGBImage {
        guard (2...8).contains(orientation) else { return self }
        let swapsAxes = orientation >= 5
        let outWidth = swapsAxes ? height : width, outHeight = swapsAxes ? width : height
        let lastX = width - 1, lastY = height - 1
        // Source pixel for destination (x, y), per EXIF orientation.
        let source: (Int, Int) -> (Int, Int)
        switch orientation {
        case 2: source = { x, y in (lastX - x, y) }             // mirrored horizontally
        case 3: source = { x, y in (lastX - x, lastY - y) }     // rotated 180
        case 4: source = { x, y in (x, lastY - y) }             // mirrored vertically
        case 5: source = { x, y in (y, x) }                     // transposed
        case 6: source = { x, y in (y, lastY - x) }             // stored rotated 90 counter-clockwise: turn clockwise
        case 7: source = { x, y in (lastX - y, lastY - x) }     // transversed
        default: source = { x, y in (lastX - y, x) }            // 8: stored rotated 90 clockwise: turn counter-clockwise
        }
        var output = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                for y in 0..<outHeight {
                    for x in 0..<outWidth {
                        let (sx, sy) = source(x, y)
                        let from = (sy * width + sx) * 3, to = (y * outWidth + x) * 3
                        out[to] = input[from]
                        out[to + 1] = input[from + 1]
                        out[to + 2] = input[from + 2]
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: output)
    }
}
