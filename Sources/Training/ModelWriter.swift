import Foundation
import Imaging
import NeuralEngine
import Screening

/// Writes a trained head as a loadable model: `<name>.safetensors` (weights first) then `<name>.json`
/// (the manifest pinning the weights' SHA-256), both atomically.
public enum ModelWriter {
    public struct Paths: Sendable, Codable, Equatable {
        public var manifest: String
        public var weights: String
        public var reportJSON: String
        public var reportHTML: String

        public init(folder: String, name: String) {
            let base = URL(fileURLWithPath: folder).appendingPathComponent(name).path
            manifest = base + ".json"; weights = base + ".safetensors"
            reportJSON = base + ".report.json"; reportHTML = base + ".report.html"
        }
    }

    /// Writes the model and returns its manifest; `block` is a fine-tuned block 5 stored with the head.
    @discardableResult
    public static func write(_ parameters: HeadParameters, block: ConvBlockParameters? = nil, pool: Int = 2, dropout: Double, name: String, version: String, description: String,
                             labels: [String], positiveLabel: String, threshold: Double, preprocessing: Preprocessing,
                             backboneSHA256: String, training: [String: String], to paths: Paths) throws(WriteError) -> ModelManifest {
        let weightsSHA256 = try writeWeights(parameters.namedTensors + (block?.namedTensors ?? []), metadata: ["model": name, "format": "xraywatch head"], to: paths)
        let manifest = ModelManifest(
            name: name, version: version, description: description, labels: labels, positiveLabel: positiveLabel,
            threshold: threshold, preprocessing: preprocessing, backbone: BackboneReference(sha256: backboneSHA256, fineTunedLayers: block?.layerNames),
            head: LayerSpec.tutorialHead(hidden: parameters.hidden, classes: parameters.classes, dropout: dropout, pool: pool),
            weights: FileReference(file: URL(fileURLWithPath: paths.weights).lastPathComponent, sha256: weightsSHA256),
            training: training)
        try writeJSON(manifest, to: paths.manifest)
        return manifest
    }

    /// Creates the output folder, writes the weights file atomically and returns its SHA-256 (read back from disk).
    public static func writeWeights(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String],
                                    to paths: Paths) throws(WriteError) -> String {
        try createFolder(URL(fileURLWithPath: paths.manifest).deletingLastPathComponent().path)
        do { try SafeTensorsFile.write(tensors, metadata: metadata, to: paths.weights) } catch {
            throw WriteError(path: paths.weights, step: .write, cause: error)
        }
        do { return try FileDigest.sha256(ofFileAt: paths.weights) } catch {
            throw WriteError(path: paths.weights, step: .readBack, cause: error)
        }
    }

    /// Creates `path` and any missing parents.
    public static func createFolder(_ path: String) throws(WriteError) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw WriteError(path: path, step: .createFolder, cause: error)
        }
    }

    /// Pretty-printed, key-sorted JSON, written atomically.
    public static func writeJSON(_ value: some Encodable, to path: String) throws(WriteError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var data: Data
        do { data = try encoder.encode(value) } catch { throw WriteError(path: path, step: .encode, cause: error) }
        data.append(0x0A)
        try writeData(data, to: path)
    }

    /// Text written atomically.
    public static func writeText(_ text: String, to path: String) throws(WriteError) {
        try writeData(Data(text.utf8), to: path)
    }

    /// Bytes written atomically.
    public static func writeData(_ data: Data, to path: String) throws(WriteError) {
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw WriteError(path: path, step: .write, cause: error)
        }
    }
}
