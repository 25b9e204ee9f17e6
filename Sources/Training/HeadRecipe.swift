/// Every hyper-parameter of head training; the defaults are the tutorial's final recipe.
public struct HeadRecipe: Sendable, Codable, Equatable {
    /// How much each class's examples weigh in the loss.
    public enum ClassWeighting: String, Sendable, Codable, CaseIterable {
        /// Every example weighs 1 (the tutorial).
        case none
        /// Weight `n / (classes * n_c)`, so that every class contributes equally (scikit-learn's "balanced").
        case balanced
    }

    /// Average pooling (size and stride) on the 7x7 `block5_pool` map before flattening: the tutorial's 2
    /// (3x3 cells, 4608 inputs); 7 is global average pooling (512 inputs, blind to where a feature is).
    public var pool = 2
    /// Units of the hidden dense layer.
    public var hidden = 128
    /// Dropout rate after the hidden layer (inverted scaling during training).
    public var dropout = 0.5
    /// Adam's initial learning rate.
    public var learningRate = 1e-4
    /// Keras' legacy decay: lr_t = lr / (1 + decay * iterations). Nil means `learningRate / epochs`.
    public var decay: Double?
    public var epochs = 20
    public var batchSize = 16
    public var beta1 = 0.9
    public var beta2 = 0.999
    /// Keras' Adam epsilon (1e-7), added to the uncorrected square root of the second moment.
    public var epsilon = 1e-7
    public var classWeighting = ClassWeighting.none
    /// Seeds initialisation, shuffling, dropout and the augmentation draw chosen each epoch.
    public var seed: UInt64 = 42

    public init() {}

    /// The decay actually used.
    public var effectiveDecay: Double { decay ?? learningRate / Double(max(epochs, 1)) }

    /// Checks ranges, so a bad option fails before any work.
    public func validate() throws(DatasetError) {
        func check(_ ok: Bool, _ message: String) throws(DatasetError) {
            if !ok { throw DatasetError(file: "(options)", reason: message) }
        }
        try check(pool >= 1, "--pool must be at least 1")
        try check(hidden >= 1, "--hidden must be at least 1")
        try check(dropout >= 0 && dropout < 1, "--dropout must be in [0, 1)")
        try check(learningRate > 0, "--learning-rate must be positive")
        try check((decay ?? 0) >= 0, "--decay must not be negative")
        try check(epochs >= 1, "--epochs must be at least 1")
        try check(batchSize >= 1, "--batch-size must be at least 1")
        try check(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "Adam betas must be in [0, 1)")
        try check(epsilon > 0, "Adam epsilon must be positive")
    }
}
