/// The second training stage: after the head has been trained on the frozen backbone, the last VGG block
/// (block 5) and the head are trained together at a small learning rate, on cached `block4_pool` features.
public struct FineTuneRecipe: Sendable, Codable, Equatable {
    /// Epochs of the second stage; the epoch with the lowest validation loss is kept.
    public var epochs = 8
    /// Adam's learning rate for block 5 and the head together (with Keras' legacy decay lr/epochs).
    public var learningRate = 1e-5

    public init() {}

    /// Checks ranges, so a bad setting fails before any work.
    public func validate() throws(SettingError) {
        try SettingError.check(epochs >= 1, .fineTuneEpochs, epochs, "at least 1")
        try SettingError.check(learningRate > 0, .fineTuneLearningRate, learningRate, "positive")
    }
}
