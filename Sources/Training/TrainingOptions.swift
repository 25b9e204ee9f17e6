import Foundation
import Imaging

/// Everything `xraywatch train` needs.
public struct TrainingOptions: Sendable {
    public var source = DatasetSource()
    /// Default: the first label.
    public var positiveLabel: String?
    public var name = "model"
    public var version: String?
    public var description: String?
    public var outputFolder = "models"
    public var backbonePath = "models/vgg16_imagenet_notop.safetensors"
    /// Nil disables the feature cache.
    public var cacheFolder: String? = ".xraywatch-cache"
    public var preprocessing = Preprocessing()
    /// The lung segmenter's manifest, needed when `preprocessing.lungField` is set.
    public var segmenterPath: String?
    public var recipe = HeadRecipe()
    /// Also fine-tune block 5 after training the head (nil: the backbone stays frozen).
    public var fineTune: FineTuneRecipe?
    public var augmentation = AugmentationSettings()
    public var validationFraction = 0.2
    /// Leave-one-source-out: validate on every image of this source instead of a random split.
    public var holdoutSource: String?
    public var threshold = 0.5
    /// Fit a temperature on the validation set and fold it into the output layer.
    public var calibrate = false
    public var minimumPerClass = 10
    /// Overwrite a model of the same name with another label set.
    public var force = false
    /// Recorded in the manifest and report.
    public var commandLine = ""

    public init() {}
}
