import Foundation
import Imaging
import Screening

/// How the refusal check treats one group of labelled radiographs (all of them, or one source): the share it
/// lets the models judge, why it refused the others, and the policy's sensitivity and specificity on the
/// judged share only.
public struct RefusalFigure: Sendable, Codable, Equatable {
    /// `all` or a source.
    public var group: String
    /// Judged (not refused) images out of all.
    public var coverage: Proportion
    public var refusedAsUnfamiliar: Int
    public var refusedWithoutLungs: Int
    /// Of the judged images of the positive label, called positive.
    public var sensitivityOnJudged: Proportion
    /// Of the judged images of other labels, called negative.
    public var specificityOnJudged: Proportion
}

/// One refused labelled image, for the report.
public struct RefusedImage: Sendable, Codable, Equatable {
    public var path: String
    public var label: String
    public var source: String?
    public var reason: String
}

/// Where the deciding model looked, for one label and source: the share of its Grad-CAM heatmap inside the lungs.
public struct SaliencyFigure: Sendable, Codable, Equatable {
    public var label: String
    public var source: String
    public var saliencyInLungs: ScoreSummary
}

/// `evaluate --refusal`: coverage and accuracy on the judged share, per source, and where the deciding
/// model's saliency lies (judged images with plausible lungs).
public struct RefusalReport: Sendable, Codable, Equatable {
    public var check: String
    public var distanceThreshold: Double
    public var figures: [RefusalFigure]
    public var refused: [RefusedImage]
    public var saliency: [SaliencyFigure]
}

/// Runs labelled images through the real screening path (`Screener.analyse` and `verdict(for:)`, refusal check
/// loaded) and counts what it refuses.
public enum RefusalEvaluation {
    public static func run(screener: Screener, images: [LabelledImage], limits: ImageLimits, progress: ProgressReporter? = nil) -> RefusalReport {
        guard let check = screener.refusal else { preconditionFailure("RefusalEvaluation needs a screener with a refusal check") }
        let positive = screener.models[0].manifest.positiveLabel
        var used: [LabelledImage] = [], verdicts: [Verdict] = []
        images.forEachDecodedBatch(limits: limits, progress: progress) { decoded in
            verdicts += screener.analyse(decoded.map(\.pixels)).map(screener.verdict(for:))
            used += decoded.map(\.image)
        }
        let groups = ["all"] + Set(used.compactMap(\.source)).sorted()
        let figures = groups.map { group in
            let members = used.indices.filter { group == "all" || used[$0].source == group }
            let judged = members.filter { verdicts[$0].result != .indeterminate }
            let refused = members.compactMap { verdicts[$0].refusal }
            let positives = judged.filter { used[$0].label == positive }, negatives = judged.filter { used[$0].label != positive }
            return RefusalFigure(group: group, coverage: Proportion(judged.count, of: members.count),
                                 refusedAsUnfamiliar: refused.count { $0.distanceRatio > 1 },
                                 refusedWithoutLungs: refused.count { $0.distanceRatio <= 1 },
                                 sensitivityOnJudged: Proportion(positives.count { verdicts[$0].result == .positive }, of: positives.count),
                                 specificityOnJudged: Proportion(negatives.count { verdicts[$0].result == .negative }, of: negatives.count))
        }
        let refused = used.indices.compactMap { index in
            verdicts[index].refusal.map { RefusedImage(path: used[index].path, label: used[index].label, source: used[index].source, reason: $0.reason) }
        }
        var shares: [String: [Double]] = [:]
        for (image, verdict) in zip(used, verdicts) where verdict.result != .indeterminate {
            if let share = verdict.saliencyInLungs { shares["\(image.label)\t\(image.source ?? "no source")", default: []].append(share) }
        }
        let saliency = shares.keys.sorted().compactMap { key -> SaliencyFigure? in
            let parts = key.split(separator: "\t").map(String.init)
            return ScoreSummary(shares[key]!).map { SaliencyFigure(label: parts[0], source: parts[1], saliencyInLungs: $0) }
        }
        return RefusalReport(check: check.manifest.name, distanceThreshold: check.manifest.distanceThreshold, figures: figures,
                             refused: refused, saliency: saliency)
    }
}

/// The saliency figures as table rows (the first row is the header).
public enum SaliencyTable {
    static let header = ["saliency in lungs", "label", "source", "images", "median", "Q1", "Q3", "min"]

    public static func rows(_ report: RefusalReport) -> [[String]] {
        [header] + report.saliency.map { figure in
            let summary = figure.saliencyInLungs
            return ["deciding model", figure.label, figure.source, "\(summary.count)", String(format: "%.2f", summary.median),
                    String(format: "%.2f", summary.q1), String(format: "%.2f", summary.q3), String(format: "%.2f", summary.min)]
        }
    }
}

/// The refusal figures as table rows (the first row is the header).
public enum RefusalTable {
    static let header = ["refusal", "images from", "judged [95 % CI] (n)", "refused: unfamiliar / no lungs",
                         "policy sensitivity on judged", "policy specificity on judged"]

    public static func rows(_ report: RefusalReport) -> [[String]] {
        [header] + report.figures.map { figure in
            [report.check, figure.group, figure.coverage.text, "\(figure.refusedAsUnfamiliar) / \(figure.refusedWithoutLungs)",
             figure.sensitivityOnJudged.text, figure.specificityOnJudged.text]
        }
    }
}
