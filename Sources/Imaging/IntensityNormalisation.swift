/// Per-image intensity normalisation, applied after resizing: takes away differences in exposure and
/// scanner contrast between hospitals, which a model could otherwise learn as a shortcut.
public enum IntensityNormalisation: String, Sendable, Codable, CaseIterable {
    /// Pixels as decoded.
    case none
    /// Linear stretch of the 1st..99th brightness percentiles to 0...255.
    case stretch
    /// Histogram equalisation of brightness (the same mapping on R, G and B, so tints survive).
    case equalise
    /// Linear map of the lungs' own 2nd..98th brightness percentiles to 40...200 (the lung mask from the
    /// segmenter; the whole image's percentiles when no lungs were found): the lungs look alike whatever the
    /// exposure and the scanner's curve, while brighter bone and mediastinum keep room above them.
    case lungStretch = "lung-stretch"

    /// Whether the mapping depends on the lung mask (the segmenter must run first).
    public var readsLungs: Bool { self == .lungStretch }

    public func apply(to image: RGBImage) -> RGBImage {
        apply(to: image, measuredOn: image, lungs: nil)
    }

    /// Maps `image` with the table measured on `reference` (inside `lungs`, resized to the reference's size, for
    /// `lungStretch`): the network input is mapped by what the full-size image's lungs look like.
    public func apply(to image: RGBImage, measuredOn reference: RGBImage, lungs: BinaryMask?) -> RGBImage {
        guard self != .none else { return image }
        let table: [UInt8]
        switch self {
        case .none: return image
        case .stretch: table = Self.stretchTable(Self.brightnessHistogram(image))
        case .equalise: table = Self.equaliseTable(Self.brightnessHistogram(image))
        case .lungStretch:
            let mask = lungs.map { $0.resized(width: reference.width, height: reference.height) }
            var histogram = Self.brightnessHistogram(reference, inside: mask)
            if histogram.reduce(0, +) == 0 { histogram = Self.brightnessHistogram(reference) }
            table = Self.linearTable(histogram, lowPercentile: 2, highPercentile: 98, to: 40...200)
        }
        return RGBImage(width: image.width, height: image.height, pixels: image.pixels.map { table[Int($0)] })
    }

    /// Histogram of (R + G + B) / 3 over the pixels inside `mask` (the image's size), or all pixels.
    static func brightnessHistogram(_ image: RGBImage, inside mask: BinaryMask?) -> [Int] {
        guard let mask else { return brightnessHistogram(image) }
        var histogram = [Int](repeating: 0, count: 256)
        for (index, inside) in mask.pixels.enumerated() where inside {
            let pixel = index * 3
            histogram[(Int(image.pixels[pixel]) + Int(image.pixels[pixel + 1]) + Int(image.pixels[pixel + 2])) / 3] += 1
        }
        return histogram
    }

    /// The table mapping the `lowPercentile`..`highPercentile` brightness percentiles linearly onto `target`,
    /// clipped to 0...255; the identity when the percentiles coincide.
    static func linearTable(_ histogram: [Int], lowPercentile: Int, highPercentile: Int, to target: ClosedRange<Double>) -> [UInt8] {
        let total = histogram.reduce(0, +)
        let cumulative = histogram.reduce(into: [Int]()) { $0.append(($0.last ?? 0) + $1) }
        let low = cumulative.firstIndex { $0 * 100 >= total * lowPercentile } ?? 0
        let high = cumulative.firstIndex { $0 * 100 >= total * highPercentile } ?? 255
        guard high > low else { return (0...255).map(UInt8.init) }
        let scale = (target.upperBound - target.lowerBound) / Double(high - low)
        return (0...255).map { value in UInt8(max(0, min(255, (target.lowerBound + Double(value - low) * scale).rounded()))) }
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
