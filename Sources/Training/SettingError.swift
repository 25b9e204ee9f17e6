/// A run's setting outside what it allows, found before any work starts. Names the setting (not a command-line
/// flag: the executable words it for its users), the value given, and what is allowed.
public struct SettingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Every setting of training and evaluation that is checked.
    public enum Setting: String, Sendable, CaseIterable {
        // The head's recipe.
        case pool, hidden, dropout, learningRate, decay, epochs, batchSize, adamBetas, adamEpsilon, consistency
        // Augmentation.
        case augmentationDraws, rotation, contrast, brightness, scale, gamma, noise, smallestSide, jpegQuality
        // Fine-tuning block 5.
        case fineTuneEpochs, fineTuneLearningRate
        // The run.
        case dataSource, positiveLabel, validationFraction, holdoutSource, modelName, models, policy
    }

    public let setting: Setting
    /// The value given, as text (empty when the setting was left out).
    public let value: String
    /// What is allowed, e.g. "at least 1" or "within [0, 1)".
    public let requirement: String

    public init(_ setting: Setting, value: some CustomStringConvertible, requirement: String) {
        self.setting = setting
        self.value = value.description
        self.requirement = requirement
    }

    public var description: String { "\(setting.rawValue) \(value) is not allowed: it must be \(requirement)" }

    /// Throws unless `allowed`.
    static func check(_ allowed: Bool, _ setting: Setting, _ value: some CustomStringConvertible, _ requirement: String) throws(SettingError) {
        if !allowed { throw SettingError(setting, value: value, requirement: requirement) }
    }
}
