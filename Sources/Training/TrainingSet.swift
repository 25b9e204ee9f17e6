import NeuralEngine

/// Backbone features of a split: pooled vectors for the head and, when block 5 is fine-tuned, the
/// `block4_pool` maps they were pooled from (empty otherwise).
struct SplitFeatures {
    var training: ExtractionResult<[Float]>
    var validation: ExtractionResult<[Float]>
    var trainingMaps: [[Tensor]?] = []
    var validationMaps: [[Tensor]?] = []

    /// Images that could not be decoded, training first.
    var skipped: [SkippedImage] { training.skipped + validation.skipped }
    /// Cache and backbone figures of both halves.
    var statistics: ExtractionStatistics { training.statistics + validation.statistics }
}

/// The split as the trainers take it: labels as indices, only the images whose features exist.
struct TrainingSet {
    let labels: [String]
    let labelIndex: [String: Int]
    let examples: [TrainingExample]
    /// Validation images with the head's input vector of the original image.
    let validation: [(image: LabelledImage, features: [Float])]
    /// For fine-tuning block 5: the same images as `block4_pool` maps.
    let tunedExamples: [FineTuneExample]
    let tunedValidation: [(features: Tensor, label: Int)]

    /// Throws when a class has no usable training image left (`origin`: the dataset's inputs, for the message).
    init(split: DataSplit, features: SplitFeatures, labels: [String], origin: [String]) throws(DatasetError) {
        let labelIndex = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        self.labels = labels
        self.labelIndex = labelIndex
        examples = zip(split.training, features.training.features).compactMap { image, draws in
            draws.map { TrainingExample(draws: $0, label: labelIndex[image.label]!) }
        }
        validation = zip(split.validation, features.validation.features).compactMap { image, draws in draws.map { (image, $0[0]) } }
        tunedExamples = zip(split.training, features.trainingMaps).compactMap { image, maps in
            maps.map { FineTuneExample(draws: $0, label: labelIndex[image.label]!) }
        }
        tunedValidation = zip(split.validation, features.validationMaps).compactMap { image, maps in
            maps.map { (features: $0[0], label: labelIndex[image.label]!) }
        }
        for (index, label) in labels.enumerated() where !examples.contains(where: { $0.label == index }) {
            throw DatasetError(file: origin.joined(separator: ", "), reason: "no usable training image is left for class \(label) after skipping undecodable files")
        }
    }

    func batchesPerEpoch(batchSize: Int) -> Int { (examples.count + batchSize - 1) / batchSize }
}

/// The model as the training steps leave it.
struct TrainedModel {
    /// The head's weights (after fine-tuning and calibration, when those ran).
    var parameters: HeadParameters
    /// The first stage: its history and class weights.
    let head: TrainedHead
    var fineTuned: FineTunedModel?
    var calibration: TemperatureScaling?
    /// Validation images with the head's input vectors (through the fine-tuned block 5 when there is one).
    var validation: [(image: LabelledImage, features: [Float])]
}
