import Foundation

extension RGBImage {
    /// Rotation about the centre by `degrees` (counter-clockwise), nearest-neighbour sampling,
    /// Keras `fill_mode="nearest"` (outside pixels take the nearest edge pixel). Training augmentation.
    public func rotated(degrees: Double) -> RGBImage {
        let radians = degrees * .pi / 180
        let cosine = cos(radians), sine = sin(radians)
        // Output offset (dx, dy) from the centre, y pointing down, reads input offset
        // (cos dx - sin dy, sin dx + cos dy): content turns counter-clockwise on screen.
        return sampledNearest(inverse: (cosine, -sine, sine, cosine))
    }

    /// Zoom about the centre by `factor` (> 1 enlarges the content, < 1 shrinks it), same output size,
    /// nearest-neighbour sampling, edge pixels repeated beyond the border. Training augmentation.
    public func scaledAboutCentre(_ factor: Double) -> RGBImage {
        precondition(factor > 0, "zoom factor must be positive")
        return sampledNearest(inverse: (1 / factor, 0, 0, 1 / factor))
    }

    /// Same-size output whose pixel at offset (dx, dy) from the centre copies the input pixel nearest to
    /// `inverse * (dx, dy)` (row-major 2x2 matrix), coordinates clamped to the image.
    private func sampledNearest(inverse m: (Double, Double, Double, Double)) -> RGBImage {
        let centreX = Double(width - 1) / 2, centreY = Double(height - 1) / 2
        var output = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                for y in 0..<height {
                    let dy = Double(y) - centreY
                    for x in 0..<width {
                        let dx = Double(x) - centreX
                        let sourceX = Self.clampedIndex(centreX + m.0 * dx + m.1 * dy, count: width)
                        let sourceY = Self.clampedIndex(centreY + m.2 * dx + m.3 * dy, count: height)
                        let from = (sourceY * width + sourceX) * 3, to = (y * width + x) * 3
                        out[to] = input[from]
                        out[to + 1] = input[from + 1]
                        out[to + 2] = input[from + 2]
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: output)
    }

    private static func clampedIndex(_ coordinate: Double, count: Int) -> Int {
        Int(min(max(coordinate.rounded(), 0), Double(count - 1)))
    }

    /// `clamp((p - 128) * contrast + 128 + brightness)` on every channel, rounded to nearest. Augmentation.
    public func adjusted(contrast: Double, brightness: Double) -> RGBImage {
        let table = (0...255).map { value -> UInt8 in
            let adjusted = (Double(value) - 128) * contrast + 128 + brightness
            return UInt8(min(max(adjusted.rounded(), 0), 255))
        }
        return RGBImage(width: width, height: height, pixels: pixels.map { table[Int($0)] })
    }
}
