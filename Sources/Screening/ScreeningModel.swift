import Foundation
import Imaging
import NeuralEngine

/// A loaded, verified classifier: its manifest and its head, ready to score backbone features.
public struct ScreeningModel: Sendable {
    public let manifest: ModelManifest
    public let head: Head
    /// The model's own fine-tuned block 5, run on the shared backbone's `block4_pool`; nil when the backbone is frozen.
    public let tunedBlock: ConvBlock?
    /// Index of `manifest.positiveLabel` in the head's output.
    public let positiveIndex: Int
    /// Where the manifest was read from.
    public let manifestPath: String

    public var name: String { manifest.name }
    /// Short content hash of the head weights, for logs and the ledger.
    public var shortHash: String { String(manifest.weights.sha256.prefix(12)) }

    /// What the model reads from the shared backbone.
    public var backboneOutput: VGG16Backbone.Output { tunedBlock == nil ? .block5Pool : .block4Pool }

    public init(manifest: ModelManifest, head: Head, tunedBlock: ConvBlock? = nil, manifestPath: String) throws(ModelLoadError) {
        guard let index = manifest.labels.firstIndex(of: manifest.positiveLabel) else {
            throw ModelLoadError(file: manifestPath, reason: "positiveLabel \"\(manifest.positiveLabel)\" is not one of labels \(manifest.labels)")
        }
        self.manifest = manifest
        self.head = head
        self.tunedBlock = tunedBlock
        self.positiveIndex = index
        self.manifestPath = manifestPath
    }

    /// Reads a manifest and its weights file, checks the hashes, shapes and backbone, and builds the head.
    public static func load(manifestAt path: String, backboneSHA256: String?) throws(ModelLoadError) -> ScreeningModel {
        let manifest = try ManifestFile.decode(ModelManifest.self, at: path)
        try ManifestFile.checkBackbone(trainedOn: manifest.backbone.sha256, loaded: backboneSHA256, manifestPath: path)
        let weights = try ManifestFile.verifiedWeights(manifest.weights, manifestPath: path)
        let head = try HeadBuilder.build(manifest: manifest, weights: weights, manifestPath: path)
        return try ScreeningModel(manifest: manifest, head: head, tunedBlock: tunedBlock(manifest, weights, path), manifestPath: path)
    }

    /// The fine-tuned block 5 named by the manifest, if any; only the whole last block can be replaced.
    private static func tunedBlock(_ manifest: ModelManifest, _ weights: SafeTensorsFile, _ path: String) throws(ModelLoadError) -> ConvBlock? {
        guard let names = manifest.backbone.fineTunedLayers else { return nil }
        let lastBlock = VGG16Backbone.layerNames.last!
        guard names == lastBlock else {
            throw ModelLoadError(file: path, reason: "backbone.fineTunedLayers is \(names); only the whole last block (\(lastBlock.joined(separator: ", "))) can be fine-tuned")
        }
        do { return try ConvBlock(weights: weights, layerNames: names, inputChannels: 512) } catch {
            throw ModelLoadError(file: weights.path, reason: error.reason)
        }
    }

    /// Class probabilities for one map of `backboneOutput` (the model's own block 5 runs first if it has one).
    public func probabilities(features: Tensor) -> [Float] {
        head.forward(tunedBlock.map { $0.forward(features) } ?? features).values
    }

    /// P(positive label) for one map of `backboneOutput`.
    public func positiveProbability(features: Tensor) -> Double {
        Double(probabilities(features: features)[positiveIndex])
    }
}

