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
    /// Weight of the consistency loss between two augmented draws of the same image (0 = off, the
    /// tutorial): each batch also runs a second draw of every image and penalises the symmetric KL divergence
    /// of their class probabilities, so a processing shift the draws contain cannot move the answer. Needs 2+ draws.
    public var consistency = 0.0
    /// Seeds initialisation, shuffling, dropout and the augmentation draw chosen each epoch.
    public var seed: UInt64 = 42

    public init() {}

    /// The decay actually used.
    public var effectiveDecay: Double { decay ?? learningRate / Double(max(epochs, 1)) }

    /// Checks ranges, so a bad option fails before any work.
    public func validate() throws(SettingError) {
        try SettingError.check(pool >= 1, .pool, pool, "at least 1")
        try SettingError.check(hidden >= 1, .hidden, hidden, "at least 1")
        try SettingError.check(dropout >= 0 && dropout < 1, .dropout, dropout, "in [0, 1)")
        try SettingError.check(learningRate > 0, .learningRate, learningRate, "positive")
        try SettingError.check((decay ?? 0) >= 0, .decay, decay ?? 0, "not negative")
        try SettingError.check(epochs >= 1, .epochs, epochs, "at least 1")
        try SettingError.check(batchSize >= 1, .batchSize, batchSize, "at least 1")
        try SettingError.check(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, .adamBetas, "\(beta1), \(beta2)", "in [0, 1)")
        try SettingError.check(epsilon > 0, .adamEpsilon, epsilon, "positive")
        try SettingError.check(consistency >= 0, .consistency, consistency, "not negative")
    }
}
