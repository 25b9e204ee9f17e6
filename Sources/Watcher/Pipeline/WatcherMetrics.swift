import Foundation
import Metrics
import Screening

/// The watcher's figures for monitoring, through swift-metrics (the executable chooses the backend:
/// Prometheus for `serve`, none for `watch`): images screened by result, rejected by reason, duplicates,
/// the queue depth, and the time per stage (decode, backbone, heads, write).
struct WatcherMetrics: Sendable {
    func screened(_ result: String) { Counter(label: "xraywatch_screened_total", dimensions: [("result", result)]).increment() }
    func rejected(_ reason: String) { Counter(label: "xraywatch_rejected_total", dimensions: [("reason", Self.category(of: reason))]).increment() }
    func duplicate() { Counter(label: "xraywatch_duplicates_total").increment() }
    func queueDepth(_ files: Int) { Gauge(label: "xraywatch_queue_depth").record(files) }

    func stage(_ name: String, seconds: Double) {
        Metrics.Timer(label: "xraywatch_stage_seconds", dimensions: [("stage", name)]).recordNanoseconds(Int64(seconds * 1e9))
    }

    /// The loaded models as an info metric (value 1, the facts in labels).
    func modelInfo(_ models: [ModelIdentity]) {
        for model in models {
            Gauge(label: "xraywatch_model_info", dimensions: [("model", model.name), ("version", model.version),
                                                               ("weights", model.shortHash), ("threshold", "\(model.threshold)")]).record(1)
        }
    }

    /// A short, bounded label for a rejection reason (the full reason is in the ledger).
    static func category(of reason: String) -> String {
        let categories: [(String, String)] = [
            ("empty", "empty"), ("max_pixels", "too_many_pixels"), ("max_bytes", "too_large"), ("too small", "too_small"),
            ("not an image", "not_an_image"), ("not screened", "dicom_refused"), ("corrupt", "corrupt"),
            ("symbolic link", "symbolic_link"), ("not a regular file", "not_a_regular_file"), ("unreadable", "unreadable"),
        ]
        return categories.first { reason.contains($0.0) }?.1 ?? "other"
    }
}
