/// The lungs found in one radiograph: a cleaned-up mask and the figures that say whether it is plausible.
///
/// From a lung probability map: upsampled (bilinear) to the image's size, or to at most `maxSide` pixels on
/// the long side for large images; thresholded at 0.5; specks smaller than `speckFraction` of the image
/// dropped; the two largest regions kept; holes filled.
public struct LungFields: Sendable, Equatable {
    /// The cleaned mask, at `analysisSize` of the image (the image's own size unless it is larger than `maxSide`).
    public let mask: BinaryMask
    public let figures: LungFigures

    /// Regions smaller than this share of the image are noise, not lungs, and are not counted.
    public static let speckFraction = 0.005

    public init(probabilities: [Float], mapWidth: Int, mapHeight: Int, imageWidth: Int, imageHeight: Int, maxSide: Int = 1024) {
        let scale = min(1, Double(maxSide) / Double(max(imageWidth, imageHeight)))
        let width = max(1, Int((Double(imageWidth) * scale).rounded())), height = max(1, Int((Double(imageHeight) * scale).rounded()))
        let upsampled = Self.bilinear(probabilities, width: mapWidth, height: mapHeight, toWidth: width, toHeight: height)
        let raw = BinaryMask(probabilities: upsampled, width: width, height: height)
        let minimum = Int(Self.speckFraction * Double(width * height))
        let regions = raw.components().filter { $0.count >= max(1, minimum) }
        var cleaned = BinaryMask(width: width, height: height, pixels: [Bool](repeating: false, count: width * height))
        for region in regions.prefix(2) { for index in region { cleaned.pixels[index] = true } }
        cleaned = cleaned.fillingHoles()
        mask = cleaned
        figures = LungFigures(cleaned: cleaned, regions: Array(regions.prefix(2)), componentCount: regions.count,
                              toImageX: Double(imageWidth) / Double(width), toImageY: Double(imageHeight) / Double(height))
    }

    /// Bilinear resampling with pixel centres aligned (OpenCV INTER_LINEAR's convention), edges clamped.
    public static func bilinear(_ values: [Float], width: Int, height: Int, toWidth: Int, toHeight: Int) -> [Float] {
        precondition(values.count == width * height)
        func taps(_ count: Int, _ source: Int) -> [(Int, Int, Float)] {
            (0..<count).map { index in
                let position = max(0, min(Double(source - 1), (Double(index) + 0.5) * Double(source) / Double(count) - 0.5))
                let low = Int(position.rounded(.down))
                return (low, min(low + 1, source - 1), Float(position - Double(low)))
            }
        }
        let xs = taps(toWidth, width), ys = taps(toHeight, height)
        var output = [Float](repeating: 0, count: toWidth * toHeight)
        for (y, (y0, y1, fy)) in ys.enumerated() {
            for (x, (x0, x1, fx)) in xs.enumerated() {
                let top = values[y0 * width + x0] * (1 - fx) + values[y0 * width + x1] * fx
                let bottom = values[y1 * width + x0] * (1 - fx) + values[y1 * width + x1] * fx
                output[y * toWidth + x] = top * (1 - fy) + bottom * fy
            }
        }
        return output
    }
}

/// What the lung mask of one image measures, to tell a plausible pair of lungs from a failure.
public struct LungFigures: Sendable, Equatable, Codable {
    /// Lung pixels over image pixels, after clean-up.
    public var areaFraction: Double
    /// Regions found before clean-up (specks under 0.5 % of the image not counted); 2 for a normal frontal view.
    public var components: Int
    /// Area of the region on the image's left (the patient's right lung on a frontal view) over the other's;
    /// nil when fewer than two regions were found. Masks that include the lung behind the heart measure a median
    /// of 0.87-0.99 on the test images of every source.
    public var rightToLeftRatio: Double?
    /// The lungs' bounding box in the original image's pixels; nil when nothing was found.
    public var boundingBox: PixelBox?

    public init(areaFraction: Double, components: Int, rightToLeftRatio: Double?, boundingBox: PixelBox?) {
        self.areaFraction = areaFraction; self.components = components
        self.rightToLeftRatio = rightToLeftRatio; self.boundingBox = boundingBox
    }

    init(cleaned: BinaryMask, regions: [[Int]], componentCount: Int, toImageX: Double, toImageY: Double) {
        areaFraction = Double(cleaned.area) / Double(cleaned.width * cleaned.height)
        components = componentCount
        if regions.count == 2 {
            let centre = regions.map { region in region.reduce(0.0) { $0 + Double($1 % cleaned.width) } / Double(region.count) }
            let (imageLeft, imageRight) = centre[0] < centre[1] ? (regions[0], regions[1]) : (regions[1], regions[0])
            rightToLeftRatio = Double(imageLeft.count) / Double(imageRight.count)
        } else {
            rightToLeftRatio = nil
        }
        boundingBox = cleaned.boundingBox?.scaled(x: toImageX, y: toImageY)
    }
}
