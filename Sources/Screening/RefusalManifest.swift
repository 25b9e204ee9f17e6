import Imaging

/// The JSON file that describes the refusal check: which backbone map it summarises, the threshold on the
/// distance to the nearest training image (fitted on held-out training images), and the weights file holding
/// the training images' summaries.
public struct RefusalManifest: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    public var description: String
    /// The lung segmenter's preprocessing: the check reads the same backbone pass.
    public var preprocessing: Preprocessing
    public var backbone: BackboneReference
    /// The backbone block whose output is summarised (`block4_pool`).
    public var featureMap: String
    /// Refuse when the cosine distance of the summary to the nearest training image's exceeds this.
    public var distanceThreshold: Double
    /// Refuse when the lung segmenter finds no plausible pair of lungs.
    public var refuseWithoutLungs: Bool
    public var weights: FileReference
    /// How the check was fitted (data, counts, quantile); informative only.
    public var training: [String: String]

    public init(name: String, version: String, description: String, preprocessing: Preprocessing, backbone: BackboneReference,
                featureMap: String, distanceThreshold: Double, refuseWithoutLungs: Bool, weights: FileReference,
                training: [String: String]) {
        self.name = name; self.version = version; self.description = description; self.preprocessing = preprocessing
        self.backbone = backbone; self.featureMap = featureMap; self.distanceThreshold = distanceThreshold
        self.refuseWithoutLungs = refuseWithoutLungs; self.weights = weights; self.training = training
    }
}
