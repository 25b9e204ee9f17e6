import Imaging
import NeuralEngine

/// Runs the shared backbone once per image (once per distinct preprocessing) and every model's
/// head (and fine-tuned block 5, if it has one) on its features, then applies the decision.
public final class Screener: Sendable {
    public let backbone: VGG16Backbone
    public let models: [ScreeningModel]
    public let decision: Decision
    /// SHA-256 of the backbone weights file, for logs and provenance.
    public let backboneSHA256: String
    /// Finds the lungs on the classifiers' own backbone pass; nil: no lung figures.
    public let segmenter: LungSegmenter?
    /// Makes images the models cannot judge INDETERMINATE; reads the segmenter's pass. Nil: every image is judged.
    public let refusal: RefusalCheck?

    public init(backbone: VGG16Backbone, models: [ScreeningModel], decision: Decision, backboneSHA256: String,
                segmenter: LungSegmenter? = nil, refusal: RefusalCheck? = nil) throws(ModelLoadError) {
        precondition(!models.isEmpty, "a screener needs at least one model")
        if case .only(let name) = decision.policy, !models.contains(where: { $0.name == name }) {
            throw ModelLoadError(file: name, reason: "decision policy names model \"\(name)\", but the loaded models are \(models.map(\.name).joined(separator: ", ")); use both, either or one of those names")
        }
        if segmenter == nil, let reader = models.first(where: { $0.manifest.preprocessing.readsLungs }) {
            throw ModelLoadError(file: reader.manifestPath, reason: "reads the lungs (preprocessing.lungField or intensity lung-stretch), which needs the lung segmenter; set \"lungs\" in the configuration")
        }
        if let refusal {
            guard let segmenter else {
                throw ModelLoadError(file: refusal.manifestPath, reason: "the refusal check reads the lung segmenter's backbone pass; set \"lungs\" in the configuration")
            }
            guard refusal.manifest.preprocessing == segmenter.manifest.preprocessing else {
                throw ModelLoadError(file: refusal.manifestPath, reason: "was fitted with preprocessing \(refusal.manifest.preprocessing.identifier), but the lung segmenter uses \(segmenter.manifest.preprocessing.identifier); refit it")
            }
        }
        self.refusal = refusal
        self.backbone = backbone
        self.models = models
        self.decision = decision
        self.backboneSHA256 = backboneSHA256
        self.segmenter = segmenter
    }

    /// What the engine found in one image: every model's score (configured order), the lungs (with a segmenter)
    /// and the distance to the nearest training image (with a refusal check).
    public struct Analysis: Sendable {
        public var scores: [ModelScore]
        public var lungs: LungFindings?
        public var distance: Double?
        /// Grad-CAM heatmaps of the models that read the whole image (a lung-field model's map covers its crop).
        public var heatmaps: [String: ModelHeatmaps] = [:]
    }

    /// Analyses a batch of decoded images.
    ///
    /// Whole-image models run first, and the segmenter (and the refusal check) read their backbone pass when
    /// they share its preprocessing; models that read lung fields run after the lungs are known (a second
    /// backbone pass on the cropped, masked images).
    public func analyse(_ images: [RGBImage]) -> [Analysis] {
        var timings = StageSeconds()
        return analyse(images, timings: &timings)
    }

    /// Wall-clock seconds a batch spent in the backbone (lung passes included) and in the heads (with their
    /// Grad-CAM heatmaps), for the service's latency metrics.
    public struct StageSeconds: Sendable {
        public var backbone = 0.0
        public var heads = 0.0
        public init() {}
    }

    /// `analyse`, adding the time spent per stage to `timings`.
    public func analyse(_ images: [RGBImage], timings: inout StageSeconds) -> [Analysis] {
        let clock = ContinuousClock()
        func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }
        var scores = [[ModelScore]](repeating: [], count: images.count)
        var lungs = [LungFindings?](repeating: nil, count: images.count)
        var distances = [Double?](repeating: nil, count: images.count)
        var heatmaps = [[String: ModelHeatmaps]](repeating: [:], count: images.count)
        var segmented = segmenter == nil
        func inspect(_ taps: [[Tensor]]) {
            guard let segmenter else { return }
            for (index, maps) in taps.enumerated() {
                lungs[index] = segmenter.findings(taps: maps, imageWidth: images[index].width, imageHeight: images[index].height)
                distances[index] = refusal?.distance(of: LungSegmenter.block4Map(in: maps))
            }
            segmented = true
        }
        let groups = Set(models.map(\.manifest.preprocessing)).sorted {
            ($0.readsLungs ? 1 : 0, $0.identifier) < ($1.readsLungs ? 1 : 0, $1.identifier)
        }
        for preprocessing in groups {
            if preprocessing.readsLungs, !segmented, let segmenter {
                let start = clock.now
                inspect(segmenter.tappedMaps(images, backbone: backbone))
                timings.backbone += seconds(clock.now - start)
            }
            let group = ModelGroup(models: models.filter { $0.manifest.preprocessing == preprocessing }, sharedLastBlock: backbone.lastBlock)
            let inputs = images.indices.map { preprocessing.networkInput(for: images[$0], lungs: lungs[$0]?.fields.mask) }
            let segmentsHere = !segmented && segmenter?.manifest.preprocessing == preprocessing
            let backboneStart = clock.now
            let outputs = backbone.features(batch: inputs, height: preprocessing.size, width: preprocessing.size, output: group.backboneOutput,
                                            taps: segmentsHere ? LungSegmenter.tappedBlocks : [])
            if segmentsHere { inspect(outputs.map(\.taps)) }
            let headsStart = clock.now
            timings.backbone += seconds(headsStart - backboneStart)
            let mapsWholeImage = preprocessing.lungField == nil && preprocessing.border == 0
            let explainedGroup = group.explained(outputs.map(\.output))
            timings.heads += seconds(clock.now - headsStart)
            for (index, explained) in explainedGroup.enumerated() {
                for model in group.models {
                    scores[index].append(ModelScore(model: model.name, probability: Double(explained[model.name]!.probabilities[model.positiveIndex])))
                    if mapsWholeImage { heatmaps[index][model.name] = explained[model.name]!.heatmaps }
                }
            }
        }
        if !segmented, let segmenter {
            let start = clock.now
            inspect(segmenter.tappedMaps(images, backbone: backbone))
            timings.backbone += seconds(clock.now - start)
        }
        // Keep the configured model order whatever order preprocessing groups ran in.
        let order = Dictionary(uniqueKeysWithValues: models.enumerated().map { ($1.name, $0) })
        return images.indices.map {
            Analysis(scores: scores[$0].sorted { order[$0.model]! < order[$1.model]! }, lungs: lungs[$0], distance: distances[$0],
                     heatmaps: heatmaps[$0])
        }
    }

    /// The verdict for one analysed image: the decision, or INDETERMINATE when the refusal check says so.
    public func verdict(for analysis: Analysis) -> Verdict {
        var decided = decision.decide(analysis.scores).with(lungs: analysis.lungs)
        decided.heatmaps = analysis.heatmaps
        guard let refusal, let distance = analysis.distance else { return decided }
        if let refused = refusal.refusal(distance: distance, lungs: analysis.lungs) { return decided.refused(refused) }
        return decided.with(distanceRatio: distance / refusal.manifest.distanceThreshold)
    }

    /// Per-model scores for a batch of decoded images, without the decision.
    public func scores(_ images: [RGBImage]) -> [[ModelScore]] {
        analyse(images).map(\.scores)
    }

    /// Verdicts for a batch of decoded images, with the lungs found where a segmenter is loaded, and
    /// INDETERMINATE for the images the refusal check refuses.
    public func screen(_ images: [RGBImage]) -> [Verdict] {
        analyse(images).map(verdict(for:))
    }

    /// `screen`, adding the time spent per stage to `timings`.
    public func screen(_ images: [RGBImage], timings: inout StageSeconds) -> [Verdict] {
        analyse(images, timings: &timings).map(verdict(for:))
    }
}
