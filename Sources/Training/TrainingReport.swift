import Foundation
import Imaging

/// The JSON report of a training run.
public struct TrainingReport: Sendable, Codable {
    public var name: String
    public var createdAt: String
    public var commandLine: String
    public var labels: [String]
    public var positiveLabel: String
    public var inputs: [String]
    public var imagesByLabel: [String: Int]
    public var trainingByLabel: [String: Int]
    public var validationByLabel: [String: Int]
    public var skipped: [SkippedImage]
    public var recipe: HeadRecipe
    public var augmentation: AugmentationSettings
    public var augmentationNote: String
    public var preprocessing: Preprocessing
    public var validationFraction: Double
    public var backboneSHA256: String
    public var classWeights: [String: Double]
    public var history: [EpochRecord]
    /// The second stage, when block 5 was fine-tuned: its recipe, epochs and the epoch kept.
    public var fineTune: FineTuneRecipe?
    public var fineTuneHistory: [EpochRecord]?
    public var fineTuneBestEpoch: Int?
    public var validation: ClassificationSummary?
    /// Validation results per manifest `source`.
    public var validationBySource: [String: ClassificationSummary]
    /// Temperature scaling fitted on the validation set (with `--calibrate`); validation results are after it.
    public var calibration: TemperatureScaling?
    public var extraction: ExtractionStatistics
    public var headTrainingSeconds: Double
    public var model: ModelWriter.Paths
    /// P(positive) at or above this is called positive (two classes); nil in reports written before 0.9.
    public var threshold: Double? = nil
}

extension TrainingReport {
    /// Why and how augmentation works with a frozen backbone, for the report's readers.
    static func augmentationNote(_ settings: AugmentationSettings) -> String {
        "The backbone is frozen and too costly to run every epoch, so \(settings.draws) versions of each training image were "
            + "extracted once (version 0 the original, the others randomly rotated within +-\(settings.rotation) degrees, nearest fill, "
            + "plus the contrast/brightness/scale jitter set here); each epoch uses one version per image, drawn from the seed. "
            + "Validation uses originals."
    }
}
