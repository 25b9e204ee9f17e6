import Imaging

/// The JSON file that describes one classifier model: what it answers, how its input is
/// prepared, its head layers, and the safetensors file holding the head's weights.
///
/// The VGG16 backbone is shared by all models and named here only by its hash, so that a head
/// is never run on features from a backbone it was not trained on. A model may bring its own fine-tuned
/// block 5 (`backbone.fineTunedLayers`).
public struct ModelManifest: Codable, Sendable, Equatable {
    /// Machine name, e.g. `covid_normal`; used in logs, the ledger and `--json` output.
    public var name: String
    /// Free-form version, e.g. `2026.11.27`.
    public var version: String
    /// One line for people: what the model tells apart.
    public var description: String
    /// Class labels in output order, e.g. `["covid", "normal"]`.
    public var labels: [String]
    /// The label whose probability the program reports, e.g. `covid`.
    public var positiveLabel: String
    /// Decision threshold on P(positive) used when the configuration does not set one.
    public var threshold: Double
    public var preprocessing: Preprocessing
    public var backbone: BackboneReference
    /// Head layers in order; dense layers name their tensors in `weights.file`.
    public var head: [LayerSpec]
    public var weights: FileReference
    /// How the model was made (data, recipe, seed, metrics); informative only.
    public var training: [String: String]

    public init(name: String, version: String, description: String, labels: [String], positiveLabel: String,
                threshold: Double = 0.5, preprocessing: Preprocessing, backbone: BackboneReference,
                head: [LayerSpec], weights: FileReference, training: [String: String] = [:]) {
        self.name = name; self.version = version; self.description = description
        self.labels = labels; self.positiveLabel = positiveLabel; self.threshold = threshold
        self.preprocessing = preprocessing; self.backbone = backbone; self.head = head
        self.weights = weights; self.training = training
    }
}

/// Names the backbone weights a head was trained on, and the backbone layers the model replaces with its own.
public struct BackboneReference: Codable, Sendable, Equatable {
    public var name: String
    public var sha256: String
    /// Conv layers fine-tuned for this model (block 5: `block5_conv1`...`block5_conv3`), whose weights are in the
    /// model's weights file; the shared backbone then runs only to `block4_pool`. Nil: the backbone is frozen.
    public var fineTunedLayers: [String]?
    public init(name: String = "vgg16_imagenet_notop", sha256: String, fineTunedLayers: [String]? = nil) {
        self.name = name; self.sha256 = sha256; self.fineTunedLayers = fineTunedLayers
    }
}

/// A file next to the manifest, pinned by its SHA-256.
public struct FileReference: Codable, Sendable, Equatable {
    /// Path relative to the manifest's folder.
    public var file: String
    public var sha256: String
    public init(file: String, sha256: String) { self.file = file; self.sha256 = sha256 }
}

/// One head layer as written in a manifest.
public struct LayerSpec: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case averagePool = "average_pool", flatten, dense, relu, dropout, softmax
    }
    public var type: Kind
    /// `average_pool`: pool size and stride (Keras padding "valid").
    public var pool: Int?
    /// `dense`: output units; its tensors are `<name>.weight` [in, out] and `<name>.bias` [out].
    public var units: Int?
    /// `dense`: tensor name prefix in the weights file.
    public var name: String?
    /// `dropout`: rate used in training (identity at inference).
    public var rate: Double?

    public init(type: Kind, pool: Int? = nil, units: Int? = nil, name: String? = nil, rate: Double? = nil) {
        self.type = type; self.pool = pool; self.units = units; self.name = name; self.rate = rate
    }

    public static func averagePool(_ size: Int) -> LayerSpec { LayerSpec(type: .averagePool, pool: size) }
    public static let flatten = LayerSpec(type: .flatten)
    public static func dense(_ name: String, units: Int) -> LayerSpec { LayerSpec(type: .dense, units: units, name: name) }
    public static let relu = LayerSpec(type: .relu)
    public static func dropout(_ rate: Double) -> LayerSpec { LayerSpec(type: .dropout, rate: rate) }
    public static let softmax = LayerSpec(type: .softmax)

    /// The tutorial's head: AvgPool 2x2, Flatten, Dense `hidden` ReLU, Dropout 0.5, Dense `classes` softmax
    /// (`pool` changes the pooling size).
    public static func tutorialHead(hidden: Int = 128, classes: Int, dropout: Double = 0.5, pool: Int = 2) -> [LayerSpec] {
        [.averagePool(pool), .flatten, .dense("dense", units: hidden), .relu, .dropout(dropout),
         .dense("dense_1", units: classes), .softmax]
    }
}
