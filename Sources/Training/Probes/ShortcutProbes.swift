import Foundation
import Imaging
import Screening

/// A change to how an image is stored that must not change a verdict.
public enum ProcessingVariant: String, Sendable, Codable, CaseIterable {
    /// Downscaled to 224 px on the long side, stored as RGB JPEG at quality 75 (how many archives keep copies).
    case archive224 = "224 px RGB JPEG q75"
    /// Upscaled to 1024 px on the long side (bilinear): a small copy stored large.
    case upscaled1024 = "upscaled to 1024 px"

    public func apply(to image: RGBImage) -> RGBImage {
        switch self {
        case .archive224: image.storedSmaller(longSide: 224).jpegRoundTrip(quality: 75)
        case .upscaled1024:
            max(image.width, image.height) >= 1024 ? image
                : image.resized(width: image.width * 1024 / max(image.width, image.height), height: image.height * 1024 / max(image.width, image.height), mode: .cv2Linear)
        }
    }
}

/// A share with its count and 95 % Wilson interval; nil figures below 10 images (too few to state).
public struct Proportion: Sendable, Codable, Equatable {
    public var successes: Int
    public var count: Int
    public var value: Double?
    public var low: Double?
    public var high: Double?

    public static let minimumCount = 10

    public init(_ successes: Int, of count: Int) {
        self.successes = successes; self.count = count
        guard count >= Self.minimumCount else { return }
        let (p, n, z) = (Double(successes) / Double(count), Double(count), 1.959964)
        let centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        let half = z / (1 + z * z / n) * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot()
        (value, low, high) = (p, max(0, centre - half), min(1, centre + half))
    }

    /// `0.962 [0.93, 0.98] (250/260)` or `n<10 (7/9)`.
    public var text: String {
        guard let value, let low, let high else { return "n<\(Self.minimumCount) (\(successes)/\(count))" }
        return String(format: "%.3f [%.2f, %.2f] (%d/%d)", value, low, high, successes, count)
    }
}

/// Verdict agreement and mean |delta P| of one model (or the policy) under one processing variant.
public struct InvarianceFigure: Sendable, Codable, Equatable {
    public var model: String
    public var variant: ProcessingVariant
    /// `all` or a source.
    public var group: String
    public var agreement: Proportion
    /// Mean |P(variant) - P(original)|; nil for the policy (it has no single P) and below 10 images.
    public var meanAbsoluteDelta: Double?
}

/// ROC AUC of a whole-image model with the lungs and with the lung fields filled with the image's mean.
public struct LungsRemovedFigure: Sendable, Codable, Equatable {
    public var model: String
    public var count: Int
    public var aucWithLungs: Double?
    public var aucWithoutLungs: Double?
    /// Nil for models that read only the lung fields (there is nothing else for them to read).
    public var note: String?
}

/// The probes' figures, as `evaluate --probes` prints and reports them.
public struct ProbeReport: Sendable, Codable, Equatable {
    public var invariance: [InvarianceFigure]
    public var lungsRemoved: [LungsRemovedFigure]
}

/// Shortcut probes: does a verdict survive a change of storage, and does a whole-image model still separate
/// the classes when the lungs are gone? Run through the real screening path (`Screener.analyse`).
public enum ShortcutProbes {
    public static func run(screener: Screener, images: [LabelledImage], limits: ImageLimits, progress: ProgressReporter? = nil) -> ProbeReport {
        var original: [[ModelScore]] = [], variants: [ProcessingVariant: [[ModelScore]]] = [:], withoutLungs: [[ModelScore]?] = []
        var used: [LabelledImage] = []
        images.forEachDecodedBatch(limits: limits, progress: progress) { decoded in
            let pictures = decoded.map(\.pixels)
            let analysed = screener.analyse(pictures)
            original += analysed.map(\.scores)
            used += decoded.map(\.image)
            for variant in ProcessingVariant.allCases {
                variants[variant, default: []] += screener.analyse(pictures.map { variant.apply(to: $0) }).map(\.scores)
            }
            let emptied = zip(pictures, analysed).map { picture, analysis in analysis.lungs.map { picture.fillingLungs($0.fields.mask) } }
            let present = emptied.compactMap { $0 }
            var scores = present.isEmpty ? [] : screener.analyse(present).map(\.scores)
            withoutLungs += emptied.map { $0 == nil ? nil : scores.removeFirst() }
        }
        return ProbeReport(invariance: invariance(screener: screener, images: used, original: original, variants: variants),
                           lungsRemoved: lungsRemoved(screener: screener, images: used, original: original, withoutLungs: withoutLungs))
    }

    static func invariance(screener: Screener, images: [LabelledImage], original: [[ModelScore]],
                           variants: [ProcessingVariant: [[ModelScore]]]) -> [InvarianceFigure] {
        let groups = ["all"] + Set(images.compactMap(\.source)).sorted()
        var figures: [InvarianceFigure] = []
        for variant in ProcessingVariant.allCases {
            let changed = variants[variant] ?? []
            for group in groups {
                let members = images.indices.filter { group == "all" || images[$0].source == group }
                for model in screener.models {
                    let cut = screener.decision.threshold(for: model.name)
                    let pairs = members.map { index in
                        (original[index].first { $0.model == model.name }!.probability, changed[index].first { $0.model == model.name }!.probability)
                    }
                    let agreeing = pairs.count { ($0.0 >= cut) == ($0.1 >= cut) }
                    let delta = pairs.count >= Proportion.minimumCount ? pairs.reduce(0) { $0 + abs($1.0 - $1.1) } / Double(pairs.count) : nil
                    figures.append(InvarianceFigure(model: model.name, variant: variant, group: group,
                                                    agreement: Proportion(agreeing, of: pairs.count), meanAbsoluteDelta: delta))
                }
                let agreeing = members.count { screener.decision.decide(original[$0]).result == screener.decision.decide(changed[$0]).result }
                figures.append(InvarianceFigure(model: "policy \(screener.decision.policy)", variant: variant, group: group,
                                                agreement: Proportion(agreeing, of: members.count), meanAbsoluteDelta: nil))
            }
        }
        return figures
    }

    static func lungsRemoved(screener: Screener, images: [LabelledImage], original: [[ModelScore]], withoutLungs: [[ModelScore]?]) -> [LungsRemovedFigure] {
        screener.models.map { model in
            if model.manifest.preprocessing.lungField != nil {
                return LungsRemovedFigure(model: model.name, count: 0, aucWithLungs: nil, aucWithoutLungs: nil,
                                          note: "reads only the lung fields")
            }
            let members = images.indices.filter { model.manifest.labels.contains(images[$0].label) && withoutLungs[$0] != nil }
            let positive = members.map { images[$0].label == model.manifest.positiveLabel }
            func auc(_ scores: [[ModelScore]?]) -> Double? {
                Metrics.rocAUC(scores: members.map { scores[$0]!.first { $0.model == model.name }!.probability }, positive: positive)
            }
            return LungsRemovedFigure(model: model.name, count: members.count, aucWithLungs: auc(original.map { $0 }),
                                      aucWithoutLungs: auc(withoutLungs), note: nil)
        }
    }
}

extension RGBImage {
    /// The lung fields (the mask widened by 2 % of the long side) filled with the image's mean colour: what is
    /// left is everything a model could read instead of the lungs.
    public func fillingLungs(_ mask: BinaryMask) -> RGBImage {
        filling(mask.resized(width: width, height: height).dilated(radius: Int(0.02 * Double(max(width, height)))), with: meanColour())
    }
}
