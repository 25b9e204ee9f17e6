import Imaging
/// The screening outcome of one image.
public enum ScreeningResult: String, Sendable, Codable {
    case positive = "POSITIVE"
    case negative = "NEGATIVE"
    /// The image is not one the models can judge (not a frontal chest radiograph, or unlike every training
    /// image); the verdict's `refusal` says why.
    case indeterminate = "INDETERMINATE"
}

/// One model's score for one image: P(positive label), e.g. P(covid).
public struct ModelScore: Sendable, Equatable {
    public let model: String
    public let probability: Double
    public init(model: String, probability: Double) { self.model = model; self.probability = probability }
}

/// The decision for one image: result, the tutorial's `Prob` (confidence of the stated result, whole
/// percent; for INDETERMINATE the feature distance in percent of the refusal threshold), and every model's score.
public struct Verdict: Sendable, Equatable {
    public private(set) var result: ScreeningResult
    public private(set) var prob: Int
    public let scores: [ModelScore]
    /// The lungs found, when a lung segmenter is loaded.
    public var lungs: LungFindings?
    /// The model whose score gave the result and Prob (see `Decision.decide`).
    public var decidingModel: String?
    /// Grad-CAM heatmaps by model name, for models that read the whole image (see `GradCAM`).
    public var heatmaps: [String: ModelHeatmaps] = [:]
    /// The deciding model's heatmap for the stated result (evidence for COVID-19 when POSITIVE, against it when
    /// NEGATIVE); nil for INDETERMINATE or without one.
    public var shownHeatmap: Heatmap? {
        guard result != .indeterminate, let model = decidingModel else { return nil }
        return heatmaps[model]?.explaining(result)
    }
    /// The share of `shownHeatmap` inside the lungs found; nil without a segmenter, plausible lungs or heatmap.
    public var saliencyInLungs: Double? {
        guard let heatmap = shownHeatmap, let lungs, lungs.found else { return nil }
        return heatmap.share(inside: lungs.fields.mask)
    }
    /// Why the result is INDETERMINATE; nil otherwise.
    public var refusal: Refusal?
    /// The image's feature distance from the training images in percent of the refusal threshold, when a
    /// refusal check is loaded (100 = at the threshold).
    public var distancePercent: Int?

    public init(result: ScreeningResult, prob: Int, scores: [ModelScore], lungs: LungFindings? = nil) {
        self.result = result; self.prob = prob; self.scores = scores; self.lungs = lungs
    }

    /// The same scores, refused: INDETERMINATE, with Prob the distance in percent of the threshold.
    public func refused(_ refusal: Refusal) -> Verdict {
        var copy = self
        copy.result = .indeterminate
        copy.prob = Self.percent(refusal.distanceRatio)
        copy.refusal = refusal
        copy.distancePercent = copy.prob
        return copy
    }

    /// INDETERMINATE when a DICOM file's own attributes say it is not a frontal chest radiograph (a lateral
    /// view, another body part), whatever the models and the refusal check said; Prob stays the measured
    /// distance (0 without a refusal check).
    public func checked(against dicom: DicomAttributes?) -> Verdict {
        guard let reason = dicom?.notFrontalChestReason else { return self }
        var copy = refused(Refusal(reason: refusal.map { reason + "; " + $0.reason } ?? reason,
                                   distanceRatio: Double(distancePercent ?? 0) / 100))
        copy.distancePercent = distancePercent
        return copy
    }

    /// The same verdict with the distance measured by a refusal check that did not refuse it.
    public func with(distanceRatio: Double) -> Verdict {
        var copy = self
        copy.distancePercent = Self.percent(distanceRatio)
        return copy
    }

    /// Whole percent, kept within 0...999 so that a file name stays short.
    static func percent(_ ratio: Double) -> Int { ratio.isFinite ? min(999, max(0, Int((100 * ratio).rounded()))) : 999 }

    /// The same verdict with the lungs found.
    public func with(lungs: LungFindings?) -> Verdict {
        var copy = self
        copy.lungs = lungs
        return copy
    }
}

/// How the models' scores combine into one result.
public enum DecisionPolicy: Sendable, Equatable, CustomStringConvertible {
    /// POSITIVE only when every model is at or above its threshold (the default: fewest false alarms).
    case both
    /// POSITIVE when any model is at or above its threshold (fewest misses).
    case either
    /// Only the named model decides (the tutorial's web page used only `covid_pneumo`).
    case only(String)

    /// Parses `both`, `either` or a model name.
    public init(_ text: String) {
        switch text {
        case "both": self = .both
        case "either": self = .either
        default: self = .only(text)
        }
    }

    public var description: String {
        switch self {
        case .both: "both"
        case .either: "either"
        case .only(let name): name
        }
    }
}

/// A policy plus per-model thresholds on P(positive).
public struct Decision: Sendable, Equatable {
    public let policy: DecisionPolicy
    /// Threshold by model name; a model not listed uses 0.5.
    public let thresholds: [String: Double]

    public init(policy: DecisionPolicy = .both, thresholds: [String: Double] = [:]) {
        self.policy = policy
        self.thresholds = thresholds
    }

    public func threshold(for model: String) -> Double { thresholds[model] ?? 0.5 }

    /// Combines the scores. `scores` must include every model the policy names.
    ///
    /// Prob is the confidence of the stated result: for POSITIVE the weakest yes (`both`) or the
    /// strongest yes (`either`); for NEGATIVE the strongest no (`both`) or the weakest no (`either`).
    public func decide(_ scores: [ModelScore]) -> Verdict {
        let deciding: [ModelScore]
        switch policy {
        case .both, .either: deciding = scores
        case .only(let name): deciding = scores.filter { $0.model == name }
        }
        precondition(!deciding.isEmpty, "decision policy \(policy) names no loaded model")
        let yes = deciding.filter { $0.probability >= threshold(for: $0.model) }.map { ($0.model, $0.probability) }
        let no = deciding.filter { $0.probability < threshold(for: $0.model) }.map { ($0.model, 1 - $0.probability) }
        let positive: Bool
        let decider: (String, Double)
        switch policy {
        case .both, .only:
            positive = no.isEmpty
            decider = positive ? yes.min { $0.1 < $1.1 }! : no.max { $0.1 < $1.1 }!
        case .either:
            positive = !yes.isEmpty
            decider = positive ? yes.max { $0.1 < $1.1 }! : no.min { $0.1 < $1.1 }!
        }
        var verdict = Verdict(result: positive ? .positive : .negative,
                              prob: Int((100 * decider.1).rounded()), scores: scores)
        verdict.decidingModel = decider.0
        return verdict
    }
}
