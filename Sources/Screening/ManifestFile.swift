import Foundation
import NeuralEngine

/// Reading a model's JSON manifest and the weights file it pins, for classifiers and the lung segmenter alike.
enum ManifestFile {
    /// The manifest at `path`; errors name the file and the key at fault.
    static func decode<Manifest: Decodable>(_ type: Manifest.Type, at path: String) throws(ModelLoadError) -> Manifest {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return try JSONDecoder().decode(Manifest.self, from: data)
        } catch let error as DecodingError {
            throw ModelLoadError(file: path, reason: "not a valid model manifest (\(describe(error)))")
        } catch {
            throw ModelLoadError(file: path, reason: "cannot be read (\(error.localizedDescription))")
        }
    }

    /// Refuses a model trained on another backbone than the one loaded (nil: not checked).
    static func checkBackbone(trainedOn trained: String, loaded: String?, manifestPath path: String) throws(ModelLoadError) {
        if let loaded, loaded != trained {
            throw ModelLoadError(file: path, reason: "was trained on backbone \(trained.prefix(12)), but the loaded backbone is \(loaded.prefix(12)); retrain it or use its backbone")
        }
    }

    /// The weights file named by a manifest (relative to its folder), after checking its SHA-256 and only
    /// then parsing it, so a file that is not the one the manifest pins is never parsed.
    static func verifiedWeights(_ reference: FileReference, manifestPath path: String) throws(ModelLoadError) -> SafeTensorsFile {
        let weightsPath = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(reference.file).path
        let actual: String
        do { actual = try FileDigest.sha256(ofFileAt: weightsPath) } catch {
            throw ModelLoadError(file: weightsPath, reason: "weights file named by \(path) cannot be read")
        }
        guard actual == reference.sha256 else {
            throw ModelLoadError(file: weightsPath, reason: "sha256 is \(actual.prefix(12))..., but \(path) expects \(reference.sha256.prefix(12))...; the file is corrupt or belongs to another model")
        }
        do { return try SafeTensorsFile(contentsOf: weightsPath) } catch {
            throw ModelLoadError(file: weightsPath, reason: error.reason)
        }
    }
}

private func describe(_ error: DecodingError) -> String {
    switch error {
    case .keyNotFound(let key, let context):
        return "missing key \(pathString(context.codingPath + [key]))"
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
        return "\(pathString(context.codingPath)): \(context.debugDescription)"
    @unknown default:
        return "\(error)"
    }
}

private func pathString(_ path: [any CodingKey]) -> String {
    path.map(\.stringValue).joined(separator: ".")
}
