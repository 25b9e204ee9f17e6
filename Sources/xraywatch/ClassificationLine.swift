import Foundation
import Screening

/// What `xraywatch classify` prints for one input: a verdict or the reason it could not be screened.
struct ClassificationLine {
    let screened: ScreenedFile

    /// `POSITIVE       Prob  96  covid_normal=0.9712 covid_pneumo=0.9604  scan.png`, or `ERROR  ...  reason`;
    /// INDETERMINATE lines end their figures with `refused: <reason>`.
    var text: String {
        switch screened.outcome {
        case .verdict(let verdict):
            let scores = verdict.scores.map { "\($0.model)=\(String(format: "%.4f", $0.probability))" }.joined(separator: " ")
            let lungs = verdict.lungs.map { "  " + $0.summary } ?? ""
            let refusal = verdict.refusal.map { "  refused: " + $0.reason } ?? ""
            return "\(verdict.result.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0))  Prob \(String(format: "%3d", verdict.prob))  \(scores)\(lungs)\(refusal)  \(screened.file)"
        case .undecodable(let error):
            return "ERROR     \(error)"
        }
    }

    /// One JSON object: `file`, `result` (`POSITIVE`, `NEGATIVE`, `INDETERMINATE` or `ERROR`), `prob` (whole
    /// percent), `models` (P(positive) by model name), with a segmenter `lungs` (`LungFindings.jsonObject`),
    /// with a refusal check `distance_percent` (feature distance in percent of the refusal threshold) and, when
    /// refused, `refusal` (the reason); `deciding_model` (whose score gave the result) and `saliency_in_lungs` (the
    /// share of its Grad-CAM heatmap inside the lungs found); or `error` for a failure. Throws for figures JSON
    /// cannot hold (NaN).
    func json() throws -> String {
        var object: [String: Any] = ["file": screened.file]
        switch screened.outcome {
        case .verdict(let verdict): object.merge(Self.fields(of: verdict)) { _, new in new }
        case .undecodable(let error):
            object["result"] = "ERROR"
            object["error"] = error.description
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    private static func fields(of verdict: Verdict) -> [String: Any] {
        var object: [String: Any] = ["result": verdict.result.rawValue, "prob": verdict.prob]
        object["models"] = Dictionary(uniqueKeysWithValues: verdict.scores.map { ($0.model, ($0.probability * 1e6).rounded() / 1e6) })
        if let lungs = verdict.lungs { object["lungs"] = lungs.jsonObject }
        if let distance = verdict.distancePercent { object["distance_percent"] = distance }
        if let model = verdict.decidingModel { object["deciding_model"] = model }
        if let share = verdict.saliencyInLungs { object["saliency_in_lungs"] = (share * 1e3).rounded() / 1e3 }
        if let refusal = verdict.refusal { object["refusal"] = refusal.reason }
        return object
    }
}
