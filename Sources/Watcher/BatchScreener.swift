import Imaging
import Screening

/// What the watch service needs of a screener: its models (for the ledger's columns, the log and the metrics)
/// and verdicts for a batch of decoded images. `Screener` is the real one; tests use a small fake.
public protocol BatchScreener: Sendable {
    /// The models whose scores the verdicts carry, in ledger column order.
    var modelIdentities: [ModelIdentity] { get }
    /// One verdict per image, in order; adds the seconds spent per stage to `timings`.
    func screen(_ images: [RGBImage], timings: inout Screener.StageSeconds) -> [Verdict]
}

/// A model as the watcher records it.
public struct ModelIdentity: Sendable, Equatable {
    public var name: String
    public var version: String
    /// The first 12 hex digits of the weights' SHA-256.
    public var shortHash: String
    /// The threshold the decision applies to its score.
    public var threshold: Double

    public init(name: String, version: String, shortHash: String, threshold: Double) {
        self.name = name; self.version = version; self.shortHash = shortHash; self.threshold = threshold
    }
}

extension Screener: BatchScreener {
    public var modelIdentities: [ModelIdentity] {
        models.map { ModelIdentity(name: $0.name, version: $0.manifest.version, shortHash: $0.shortHash, threshold: decision.threshold(for: $0.name)) }
    }
}
