import Foundation
import Imaging
import NeuralEngine
import Screening

/// One image's result in the segmenter's evaluation.
public struct LungImageRecord: Sendable, Codable, Equatable {
    /// Relative to the data root.
    public var image: String
    /// `train`, `validation`, `test` or `tutorial` for images with a mask; `unmasked` for the rest of `test/`.
    public var split: String
    public var label: String?
    public var source: String?
    /// Against the image's mask, at the analysis size; nil without a mask.
    public var dice: Double?
    public var figures: LungFigures
    /// Why the lungs are implausible (`lungs: not found`), nil when they are plausible.
    public var problem: String?
}

/// Measures a segmenter: Dice on every image with a mask (per split) and the lung figures of every other test
/// image (normal, pneumonia, children), and draws contact sheets of the outlines.
public struct LungEvaluation: Sendable {
    public var records: [LungImageRecord]
    /// Titled contact sheets: predicted outline green, the mask's outline red.
    public var sheets: [(title: String, file: String, image: RGBImage)]

    static let tileSide = 160, columns = 6

    public static func run(segmenter: LungSegmenter, backbone: VGG16Backbone, dataset: LungMaskDataset,
                           validationImages: Set<String>) throws(DatasetError) -> LungEvaluation {
        let index = Self.index(root: dataset.root)
        var records: [LungImageRecord] = []
        var tiles: [String: [(order: Double, tile: RGBImage)]] = [:]
        let progress = ProgressReporter(title: "measuring")
        let maskedImages = Set(dataset.pairs.map(\.image))
        let unmasked = index.filter { $0.path.hasPrefix("test/") && !maskedImages.contains($0.path) }
        progress.start(total: dataset.pairs.count + unmasked.count, unit: "images")
        for chunk in dataset.pairs.chunked(8) {
            var examples: [LungExample] = []
            for pair in chunk { examples.append(try dataset.load(pair)) }
            for (example, findings) in zip(examples, segmenter.segment(examples.map(\.image), backbone: backbone)) {
                let predicted = findings.fields.mask
                let truth = example.mask.resized(width: predicted.width, height: predicted.height)
                let split = example.pair.split == "train" && validationImages.contains(example.pair.image) ? "validation" : example.pair.split
                let dice = predicted.dice(with: truth)
                let row = index.first { $0.path == example.pair.image }
                records.append(LungImageRecord(image: example.pair.image, split: split, label: row?.label, source: row?.source, dice: dice,
                                               figures: findings.figures, problem: findings.problem))
                if split == "test" {
                    tiles["test", default: []].append((dice, Self.tile(example.image, predicted: predicted, truth: truth)))
                }
            }
            progress.advance(by: chunk.count)
        }
        for chunk in unmasked.chunked(8) {
            var images: [RGBImage] = []
            for row in chunk {
                do throws(ImageDecodeError) { images.append(try ImageDecoder.decode(contentsOf: dataset.path(row.path))) } catch {
                    throw DatasetError(file: dataset.path(row.path), reason: error.description)
                }
            }
            for (row, (image, findings)) in zip(chunk, zip(images, segmenter.segment(images, backbone: backbone))) {
                records.append(LungImageRecord(image: row.path, split: "unmasked", label: row.label, source: row.source, dice: nil,
                                               figures: findings.figures, problem: findings.problem))
                let group = Self.sheetGroup(label: row.label, source: row.source)
                tiles[group, default: []].append((Double(records.count), Self.tile(image, predicted: findings.fields.mask, truth: nil)))
            }
            progress.advance(by: chunk.count)
        }
        progress.finish()
        return LungEvaluation(records: records, sheets: Self.sheets(tiles))
    }

    /// Figures of the records matching `predicate`: count, mean Dice, share with two regions, share plausible.
    public func summary(_ predicate: (LungImageRecord) -> Bool) -> LungGroupSummary {
        LungGroupSummary(records.filter(predicate))
    }

    // MARK: Contact sheets

    private static func tile(_ image: RGBImage, predicted: BinaryMask, truth: BinaryMask?) -> RGBImage {
        var tile = image.fitted(in: tileSide)
        let fittedMask = { (mask: BinaryMask) in mask.asImage().fitted(in: tileSide) }
        if let truth { tile = tile.drawingOutline(of: BinaryMask(image: fittedMask(truth)), colour: (230, 40, 40), thickness: 1) }
        return tile.drawingOutline(of: BinaryMask(image: fittedMask(predicted)), colour: (40, 230, 80), thickness: 1)
    }

    private static func sheetGroup(label: String?, source: String?) -> String {
        if source == "nih_cxr8" { return "adult \(label ?? "unlabelled")" }
        if source == "kermany_lecuong" || (source == "marouaelhamidi" && label != "covid") { return "children" }
        return label ?? "other"
    }

    /// Up to 24 tiles a sheet, evenly spread over each group (the test sheet ordered by Dice, worst first).
    private static func sheets(_ tiles: [String: [(order: Double, tile: RGBImage)]]) -> [(title: String, file: String, image: RGBImage)] {
        let titles = [("test", "Test images with masks (green: predicted, red: mask), worst Dice first"),
                      ("adult normal", "Adult normal test images (no masks)"), ("adult pneumonia", "Adult pneumonia test images (no masks)"),
                      ("children", "Children's test images (no masks)")]
        return titles.compactMap { key, title in
            guard let group = tiles[key]?.sorted(by: { $0.order < $1.order }), !group.isEmpty else { return nil }
            let step = max(1, group.count / 24)
            let chosen = stride(from: 0, to: group.count, by: step).prefix(24).map { group[$0].tile }
            return RGBImage.contactSheet(chosen, columns: columns).map { (title, key.replacingOccurrences(of: " ", with: "-"), $0) }
        }
    }

    // MARK: Data index

    struct IndexRow { var path: String; var label: String; var source: String }

    /// The data root's `INDEX.csv` (path, label, source); empty when it has none.
    static func index(root: String) -> [IndexRow] {
        guard let table = try? CSVTable(contentsOf: URL(fileURLWithPath: root).appendingPathComponent("INDEX.csv").path),
              let path = try? table.column("path"), let label = try? table.column("label"), let source = try? table.column("source") else { return [] }
        return table.rows.map { IndexRow(path: $0[path], label: $0[label], source: $0[source]) }
    }
}

/// What a group of images (a split, a class, a source) shows of the segmenter.
public struct LungGroupSummary: Sendable, Codable, Equatable {
    public var count: Int
    public var meanDice: Double?
    public var twoRegionsShare: Double
    public var plausibleShare: Double
    public var medianAreaFraction: Double
    public var areaFraction5th: Double
    public var areaFraction95th: Double
    public var medianRightToLeft: Double?

    init(_ records: [LungImageRecord]) {
        count = records.count
        let dice = records.compactMap(\.dice)
        meanDice = dice.isEmpty ? nil : dice.reduce(0, +) / Double(dice.count)
        let n = Double(max(1, count))
        twoRegionsShare = Double(records.filter { $0.figures.components == 2 }.count) / n
        plausibleShare = Double(records.filter { $0.problem == nil }.count) / n
        let areas = records.map(\.figures.areaFraction).sorted()
        func at(_ sorted: [Double], _ p: Double) -> Double { sorted.isEmpty ? .nan : sorted[Int(p * Double(sorted.count - 1))] }
        medianAreaFraction = at(areas, 0.5); areaFraction5th = at(areas, 0.05); areaFraction95th = at(areas, 0.95)
        let ratios = records.compactMap(\.figures.rightToLeftRatio).sorted()
        medianRightToLeft = ratios.isEmpty ? nil : at(ratios, 0.5)
    }
}
