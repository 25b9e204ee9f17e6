import Foundation
import NeuralEngine

/// Which precision the backbone runs in: the configuration's `backbone_precision`.
public enum BackbonePrecisionChoice: String, Sendable, CaseIterable, Codable {
    /// int8 where the CPU has VNNI instructions, fp32 otherwise.
    case auto
    /// Always the fp32 Winograd engine (the reference).
    case fp32
    /// int8, or refuse to start on a CPU without VNNI.
    case int8
}

/// Loads the VGG16 backbone in the chosen precision.
enum BackboneLoader {
    /// `workers`: threads for the backbone (nil: the cores this process may run on).
    static func load(weightsAt path: String, choice: BackbonePrecisionChoice, workers: Int?) throws(ModelLoadError) -> VGG16Backbone {
        let precision: BackbonePrecision
        switch choice {
        case .fp32: precision = .fp32
        case .auto: precision = BackbonePrecision.int8Supported ? .int8 : .fp32
        case .int8:
            guard BackbonePrecision.int8Supported else {
                throw ModelLoadError(file: path, reason: "backbone_precision int8 needs a CPU with AVX-512 VNNI or AVX-VNNI; oneDNN finds \(BackbonePrecision.oneDNNInstructionSet) here (use auto or fp32)")
            }
            precision = .int8
        }
        do {
            return try VGG16Backbone(weights: SafeTensorsFile(contentsOf: path), precision: precision,
                                     workers: workers ?? VGG16Backbone.defaultWorkerCount)
        } catch {
            throw ModelLoadError(file: error.file, reason: error.reason)
        }
    }
}
