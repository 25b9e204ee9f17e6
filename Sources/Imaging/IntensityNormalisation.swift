/// Per-image intensity normalisation, applied after resizing: takes away differences in exposure and
/// scanner contrast between hospitals, which a model could otherwise learn as a shortcut.
public enum IntensityNormalisation: String, Sendable, Codable, CaseIterable {
    /// Pixels as decoded.
    case none
    /// Linear stretch of the 1st..99th brightness percentiles to 0...255.
    case stretch
    /// Histogram equalisation of brightness (the same mapping on R, G and B, so tints survive).
    case equalise

    public func apply(to image: RGBImage) -> RGBImage {
        guard self != .none else { return image }
        let histogram = Self.brightnessHistogram(image)
        let table: [UInt8]
        switch self {
        case .none: return image
        case .stretch: table = Self.stretchTable(histogram)
        case .equalise: table = Self.equaliseTable(histogram)
        }
        return RGBImage(width: image.width, height: image.height, pixels: image.pixels.map { table[Int($0)] })
    }

    /// Histogram of (R + G + B) / 3.
    static func brightnessHistogram(_ image: RGBImage) -> [Int] {
        var histogram = [Int](repeating: 0, count: 256)
        image.pixels.withUnsafeBufferPointer { pixels in
            for index in stride(from: 0, to: pixels.count, by: 3) {
                histogram[(Int(pixels[index]) + Int(pixels[index + 1]) + Int(pixels[index + 2])) / 3] += 1
            }
        }
        return histogram
    }

    static func stretchTable(_ histogram: [Int]) -> [UInt8] {
        let total = histogram.reduce(0, +)
        let cumulative = histogram.reduce(into: [Int]()) { $0.append(($0.last ?? 0) + $1) }
        let low = cumulative.firstIndex { $0 * 100 >= total } ?? 0
        let high = cumulative.firstIndex { $0 * 100 >= total * 99 } ?? 255
        guard high > low else { return (0...255).map(UInt8.init) }
        return (0...255).map { value in
            UInt8(max(0, min(255, (Double(value - low) * 255 / Double(high - low)).rounded())))
        }
    }

    static func equaliseTable(_ histogram: [Int]) -> [UInt8] {
        let cumulative = histogram.reduce(into: [Int]()) { $0.append(($0.last ?? 0) + $1) }
        let total = cumulative.last ?? 0
        let darkest = cumulative.first { $0 > 0 } ?? 0
        guard total > darkest else { return (0...255).map(UInt8.init) }
        return cumulative.map { UInt8((Double(max(0, $0 - darkest)) * 255 / Double(total - darkest)).rounded()) }
    }
}

extension RGBImage {
    /// The image without `fraction` of its width and height on each side (at least 1 pixel remains).
    public func croppingBorder(_ fraction: Double) -> RGBImage {
        guard fraction > 0 else { return self }
        let left = Int(Double(width) * fraction), top = Int(Double(height) * fraction)
        return cropped(to: PixelBox(x: left, y: top, width: max(1, width - 2 * left), height: max(1, height - 2 * top)))
    }
}
