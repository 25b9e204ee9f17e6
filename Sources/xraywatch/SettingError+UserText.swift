import Training

extension SettingError {
    /// The message users read: the setting named by the option that sets it.
    var userText: String {
        switch setting {
        case .dataSource: "give --data FOLDER (one sub-folder per class) and/or --manifest CSV"
        case .models: "give at least one --model"
        default: "\(setting.optionName) must be \(requirement)\(value.isEmpty ? "" : " (given: \(value))")"
        }
    }
}

extension ExistingModelError {
    /// The message users read: what to change on the command line.
    var userText: String {
        guard let existingLabels else { return "\(description); choose another --name or --out, or pass --force" }
        return "\(description); pass --labels \(existingLabels.joined(separator: ",")), another --name, or --force"
    }
}

extension SettingError.Setting {
    /// The command-line option that sets this (the Adam constants have none).
    var optionName: String {
        switch self {
        case .pool: "--pool"
        case .consistency: "--consistency"
        case .hidden: "--hidden"
        case .dropout: "--dropout"
        case .learningRate: "--learning-rate"
        case .decay: "--decay"
        case .epochs: "--epochs"
        case .batchSize: "--batch-size"
        case .adamBetas: "Adam betas"
        case .adamEpsilon: "Adam epsilon"
        case .augmentationDraws: "--augment-draws"
        case .rotation: "--rotation"
        case .contrast: "--contrast"
        case .brightness: "--brightness"
        case .scale: "--scale"
        case .gamma: "--gamma"
        case .noise: "--noise"
        case .smallestSide: "--smallest-side"
        case .jpegQuality: "--jpeg-quality"
        case .fineTuneEpochs: "--fine-tune-epochs"
        case .fineTuneLearningRate: "--fine-tune-learning-rate"
        case .dataSource: "--data/--manifest"
        case .positiveLabel: "--positive"
        case .validationFraction: "--validation-fraction"
        case .holdoutSource: "--holdout-source"
        case .modelName: "--name"
        case .models: "--model"
        case .policy: "--policy"
        }
    }
}
