import Foundation
import Imaging
import NeuralEngine

/// A loaded, verified lung segmenter: its manifest and decoder. It reads the backbone maps the classifiers'
/// pass computes anyway (`tappedBlocks`), so segmenting costs only the decoder and the clean-up.
public struct LungSegmenter: Sendable {
    public let manifest: LungSegmenterManifest
    public let decoder: LungDecoder
    public let manifestPath: String

    public var name: String { manifest.name }
    /// Where the shared backbone must at least run, and which blocks' outputs it must keep.
    public static let backboneOutput = VGG16Backbone.Output.block4Pool
    public static let tappedBlocks = LungDecoder.tappedBlocks

    /// The `block4_pool` map among tapped maps (what the refusal check summarises).
    public static func block4Map(in taps: [Tensor]) -> Tensor { taps[tappedBlocks.firstIndex(of: 3)!] }

    /// Reads a manifest and its weights, checks the hashes, the backbone and the decoder's shapes.
    public static func load(manifestAt path: String, backboneSHA256: String?) throws(ModelLoadError) -> LungSegmenter {
        let manifest: LungSegmenterManifest = try ManifestFile.decode(LungSegmenterManifest.self, at: path)
        try ManifestFile.checkBackbone(trainedOn: manifest.backbone.sha256, loaded: backboneSHA256, manifestPath: path)
        let weights = try ManifestFile.verifiedWeights(manifest.weights, manifestPath: path)
        let decoder: LungDecoder
        do { decoder = try LungDecoder(weights: weights) } catch { throw ModelLoadError(file: weights.path, reason: error.reason) }
        guard decoder.widths == manifest.decoderWidths else {
            throw ModelLoadError(file: path, reason: "decoderWidths is \(manifest.decoderWidths), but the weights have \(decoder.widths)")
        }
        return LungSegmenter(manifest: manifest, decoder: decoder, manifestPath: path)
    }

    /// The lungs of one image from its tapped backbone maps (`tappedBlocks` order).
    public func findings(taps: [Tensor], imageWidth: Int, imageHeight: Int) -> LungFindings {
        let map = decoder.probabilities(taps: taps)
        let fields = LungFields(probabilities: map.values, mapWidth: map.shape[1], mapHeight: map.shape[0],
                                imageWidth: imageWidth, imageHeight: imageHeight)
        return LungFindings(fields: fields, problem: manifest.plausibility.problem(with: fields.figures))
    }

    /// Segments images on their own (the backbone runs to `block4_pool` for them).
    public func segment(_ images: [RGBImage], backbone: VGG16Backbone) -> [LungFindings] {
        zip(images, tappedMaps(images, backbone: backbone)).map { image, taps in
            findings(taps: taps, imageWidth: image.width, imageHeight: image.height)
        }
    }

    /// The backbone maps the decoder reads (`tappedBlocks` order), for images on their own.
    public func tappedMaps(_ images: [RGBImage], backbone: VGG16Backbone) -> [[Tensor]] {
        let size = manifest.preprocessing.size
        return backbone.features(batch: images.map { manifest.preprocessing.networkInput(for: $0) }, height: size, width: size,
                                 output: Self.backboneOutput, taps: Self.tappedBlocks).map(\.taps)
    }
}

/// The lungs found in one image, and why they are implausible if they are.
public struct LungFindings: Sendable, Equatable {
    public let fields: LungFields
    /// Nil when a plausible pair of lungs was found; else the figure that failed (`lungs: not found`).
    public let problem: String?
    public var found: Bool { problem == nil }
    public var figures: LungFigures { fields.figures }

    public init(fields: LungFields, problem: String?) { self.fields = fields; self.problem = problem }
}

extension LungFindings {
    /// `lungs 27.5 %` or `lungs: not found (1 lung region (2 expected))`, for text output and logs.
    public var summary: String {
        problem.map { "lungs: not found (\($0))" } ?? String(format: "lungs %.1f %%", 100 * figures.areaFraction)
    }

    /// `found`, `problem` (when not found), `area_fraction`, `components`, `right_to_left`, `bbox` [x, y, width, height]
    /// in the image's pixels: what `classify --json` prints.
    public var jsonObject: [String: Any] {
        var object: [String: Any] = [
            "found": found,
            "area_fraction": (figures.areaFraction * 1e4).rounded() / 1e4,
            "components": figures.components,
        ]
        if let problem { object["problem"] = problem }
        if let ratio = figures.rightToLeftRatio { object["right_to_left"] = (ratio * 1e3).rounded() / 1e3 }
        if let box = figures.boundingBox { object["bbox"] = [box.x, box.y, box.width, box.height] }
        return object
    }

    /// The image with the lung outline drawn: green when plausible lungs were found, orange when not.
    public func overlay(on image: RGBImage) -> RGBImage {
        var output = image
        drawOutline(onto: &output)
        return output
    }

    /// The outline drawn in place over the top `areaHeight` rows (the radiograph above an annotation band).
    public func drawOutline(onto image: inout RGBImage, areaHeight: Int? = nil) {
        let height = areaHeight ?? image.height
        image.drawOutline(of: fields.mask, colour: found ? (40, 230, 80) : (255, 150, 0),
                          thickness: RGBImage.outlineThickness(width: image.width, height: height), areaHeight: height)
    }
}
