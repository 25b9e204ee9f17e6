import Imaging

/// The JSON file that describes the lung segmenter: its preprocessing (the classifiers' own, so the
/// backbone pass is shared), the backbone it decodes, the decoder's widths, its weights file and the
/// ranges of lung figures that count as a plausible pair of lungs.
public struct LungSegmenterManifest: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    public var description: String
    public var preprocessing: Preprocessing
    public var backbone: BackboneReference
    /// Output channels of the three 3x3 decoder layers, deepest first (checked against the weights).
    public var decoderWidths: [Int]
    public var weights: FileReference
    public var plausibility: LungPlausibility
    /// How the segmenter was made (data, recipe, seed, Dice); informative only.
    public var training: [String: String]

    public init(name: String, version: String, description: String, preprocessing: Preprocessing, backbone: BackboneReference,
                decoderWidths: [Int], weights: FileReference, plausibility: LungPlausibility, training: [String: String]) {
        self.name = name; self.version = version; self.description = description; self.preprocessing = preprocessing
        self.backbone = backbone; self.decoderWidths = decoderWidths; self.weights = weights
        self.plausibility = plausibility; self.training = training
    }
}

/// What a plausible pair of lungs looks like on a frontal radiograph; fitted on the training masks.
public struct LungPlausibility: Codable, Sendable, Equatable {
    public var minimumAreaFraction: Double
    public var maximumAreaFraction: Double
    /// Bounds of the right (image-left) to left lung area ratio.
    public var minimumRightToLeft: Double
    public var maximumRightToLeft: Double
    /// Most lung-sized regions a frontal radiograph shows: two lungs, and one more where an opacity splits a
    /// lung. Four or more are a tiled image or another body part. Nil (manifests before it): no limit.
    public var maximumComponents: Int?

    public init(minimumAreaFraction: Double, maximumAreaFraction: Double, minimumRightToLeft: Double, maximumRightToLeft: Double,
                maximumComponents: Int? = 3) {
        self.minimumAreaFraction = minimumAreaFraction; self.maximumAreaFraction = maximumAreaFraction
        self.minimumRightToLeft = minimumRightToLeft; self.maximumRightToLeft = maximumRightToLeft
        self.maximumComponents = maximumComponents
    }

    /// Nil when the figures describe a plausible pair of lungs, else the figure that failed, e.g.
    /// `1 lung region (2 expected)` or `lung area 3.1 % of the image (plausible: 8.0-45.0 %)`.
    public func problem(with figures: LungFigures) -> String? {
        if figures.components < 2 {
            return "\(figures.components) lung region\(figures.components == 1 ? "" : "s") (2 expected)"
        }
        if let maximumComponents, figures.components > maximumComponents {
            return "\(figures.components) lung-sized regions (2 expected, at most \(maximumComponents))"
        }
        if figures.areaFraction < minimumAreaFraction || figures.areaFraction > maximumAreaFraction {
            return "lung area \(percent(figures.areaFraction)) % of the image (plausible: \(percent(minimumAreaFraction))-\(percent(maximumAreaFraction)) %)"
        }
        if let ratio = figures.rightToLeftRatio, ratio < minimumRightToLeft || ratio > maximumRightToLeft {
            return "right/left lung area ratio \(decimal(ratio)) (plausible: \(decimal(minimumRightToLeft))-\(decimal(maximumRightToLeft)))"
        }
        return nil
    }

    private func percent(_ fraction: Double) -> String { decimal(100 * fraction, digits: 1) }
    private func decimal(_ value: Double, digits: Int = 2) -> String {
        let scale = pow10(digits)
        let rounded = (value * scale).rounded() / scale
        return String(describing: rounded)
    }
    private func pow10(_ digits: Int) -> Double { (0..<digits).reduce(1.0) { value, _ in value * 10 } }
}
