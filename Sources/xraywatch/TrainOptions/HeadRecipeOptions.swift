import ArgumentParser
import Training

/// `train`'s options for the head and its optimiser; builds the `HeadRecipe`.
struct HeadRecipeOptions: ParsableArguments {
    @Option(help: "Average pooling size on the 7x7 backbone output before the dense layers (2 as the tutorial; 7 = global average).") var pool: Int = 2
    @Option(help: "Hidden dense units.") var hidden: Int = 128
    @Option(help: "Dropout rate.") var dropout: Double = 0.5
    @Option(help: "Adam learning rate.") var learningRate: Double = 1e-4
    @Option(help: "Keras legacy decay (default: learning rate / epochs).") var decay: Double?
    @Option(help: "Epochs.") var epochs: Int = 20
    @Option(help: "Mini-batch size.") var batchSize: Int = 16
    @Option(help: "Class weights: none or balanced.") var classWeight: String = "none"
    @Option(help: "Weight of a consistency loss between two augmented draws of each image (0 = off; needs --augment-draws 2 or more).") var consistency: Double = 0
    @Option(help: "Seed for the split, initialisation, shuffling, dropout and draws.") var seed: UInt64 = 42

    /// The recipe these options describe (ranges are checked by `HeadRecipe.validate`).
    func recipe() throws -> HeadRecipe {
        guard let weighting = HeadRecipe.ClassWeighting(rawValue: classWeight) else { throw ValidationError("--class-weight must be none or balanced") }
        var recipe = HeadRecipe()
        recipe.pool = pool
        recipe.hidden = hidden
        recipe.dropout = dropout
        recipe.learningRate = learningRate
        recipe.decay = decay
        recipe.epochs = epochs
        recipe.batchSize = batchSize
        recipe.classWeighting = weighting
        recipe.consistency = consistency
        recipe.seed = seed
        return recipe
    }
}

/// `train`'s options for the second stage that fine-tunes block 5.
struct FineTuneOptions: ParsableArguments {
    @Flag(help: "After training the head, fine-tune VGG16 block 5 together with it (features are cached at block4_pool; the model stores its own block 5).")
    var fineTune = false
    @Option(help: "Epochs of the fine-tuning stage (the one with the lowest validation loss is kept).") var fineTuneEpochs: Int = FineTuneRecipe().epochs
    @Option(help: "Adam learning rate of the fine-tuning stage.") var fineTuneLearningRate: Double = FineTuneRecipe().learningRate

    /// Nil unless `--fine-tune` is given.
    var recipe: FineTuneRecipe? {
        guard fineTune else { return nil }
        var recipe = FineTuneRecipe()
        recipe.epochs = fineTuneEpochs
        recipe.learningRate = fineTuneLearningRate
        return recipe
    }
}

/// `train`'s augmentation options.
struct AugmentationOptions: ParsableArguments {
    @Option(help: "Augmented versions per training image, including the original (1 = none).") var augmentDraws: Int = 4
    @Option(help: "Random rotation range in degrees.") var rotation: Double = 15
    @Option(help: "Random contrast factor range, e.g. 0.2 for 0.8...1.2 (0 = off).") var contrast: Double = 0
    @Option(help: "Random brightness shift range as a fraction of full scale, e.g. 0.1 (0 = off).") var brightness: Double = 0
    @Option(help: "Random zoom range, e.g. 0.1 for 0.9...1.1 (0 = off).") var scale: Double = 0
    @Option(help: "Processing shift: random gamma within 1/(1+G)...1+G (0 = off).") var gamma: Double = 0
    @Option(help: "Processing shift: Gaussian noise up to this many pixel levels (0 = off).") var noise: Double = 0
    @Option(help: "Processing shift: store each draw with its long side at a random size from this to 512 px (0 = off).") var smallestSide: Int = 0
    @Option(help: "Processing shift: re-encode each draw as JPEG at a random quality from this to 95 (0 = off).") var jpegQuality: Int = 0

    var settings: AugmentationSettings {
        AugmentationSettings(draws: augmentDraws, rotation: rotation, contrast: contrast, brightness: brightness, scale: scale,
                             gamma: gamma, noise: noise, smallestSide: smallestSide, jpegQuality: jpegQuality)
    }
}
