import NeuralEngine

extension Screener {
    /// Loads the backbone and the models, checking that every model was trained on this backbone (by the
    /// backbone file's SHA-256, before the file is parsed).
    /// Every failure names the file at fault. Thresholds missing from `decision` come from the manifests.
    /// `segmenterPath` names the lung segmenter's manifest (nil: no lung figures); `refusalPath` the refusal
    /// check's (nil: every image is judged; it needs the segmenter). `modelPaths` must not be empty (the
    /// configuration and `evaluate` refuse a run without models before loading). `precision` picks the
    /// backbone's engine (`BackbonePrecisionChoice`); the reference fp32 one unless asked. `workers`: the
    /// backbone's threads (nil: the cores this process may run on).
    public static func load(backbonePath: String, modelPaths: [String], decision: Decision,
                            segmenterPath: String? = nil, refusalPath: String? = nil,
                            precision: BackbonePrecisionChoice = .fp32, workers: Int? = nil) throws(ModelLoadError) -> Screener {
        precondition(!modelPaths.isEmpty, "a screener needs at least one model")
        let backboneSHA256: String
        do { backboneSHA256 = try FileDigest.sha256(ofFileAt: backbonePath) } catch {
            throw ModelLoadError(file: backbonePath, reason: "backbone weights cannot be read")
        }
        // The models name the backbone they were trained on by its SHA-256: compared (in ScreeningModel.load)
        // before the weights are parsed, so a foreign or crafted file is refused without being parsed.
        var models: [ScreeningModel] = []
        for path in modelPaths {
            let model = try ScreeningModel.load(manifestAt: path, backboneSHA256: backboneSHA256)
            if models.contains(where: { $0.name == model.name }) {
                throw ModelLoadError(file: path, reason: "a model named \"\(model.name)\" is already loaded; model names must be unique")
            }
            models.append(model)
        }
        let backbone = try BackboneLoader.load(weightsAt: backbonePath, choice: precision, workers: workers)
        // A model's own (calibrated) threshold applies unless the configuration sets one.
        var thresholds = Dictionary(uniqueKeysWithValues: models.map { ($0.name, $0.manifest.threshold) })
        thresholds.merge(decision.thresholds) { _, configured in configured }
        let segmenter = try segmenterPath.map { path throws(ModelLoadError) in
            try LungSegmenter.load(manifestAt: path, backboneSHA256: backboneSHA256)
        }
        let refusal = try refusalPath.map { path throws(ModelLoadError) in
            try RefusalCheck.load(manifestAt: path, backboneSHA256: backboneSHA256)
        }
        return try Screener(backbone: backbone, models: models,
                            decision: Decision(policy: decision.policy, thresholds: thresholds),
                            backboneSHA256: backboneSHA256, segmenter: segmenter, refusal: refusal)
    }
}
