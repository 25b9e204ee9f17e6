import Foundation
import Testing
import TestSupport

/// `evaluate --probes` through the built binary: the shipped models and segmenter on a few real test images.
@Suite(.enabled(if: Fixtures.hasShared && ShippedModels.present && LungSegmenterFile.present, Fixtures.sharedMissing))
struct ProbesEndToEndTests {
    @Test func probesReportAgreementDeltasAndLungsRemovedPerModel() throws {
        let folder = try Fixtures.makeTemporaryDirectory("probes-e2e")
        defer { try? FileManager.default.removeItem(at: folder) }
        try TrainEvaluateEndToEndTests.manifest(prefix: "test/", labels: ["covid", "normal", "pneumonia"], perClass: 4,
                                               to: folder.appendingPathComponent("test.csv"))
        let models = Fixtures.packageRoot.appendingPathComponent("models")
        let run = try TrainEvaluateEndToEndTests.run([
            "evaluate", "--manifest", "test.csv", "--model", models.appendingPathComponent("covid_normal.json").path,
            "--model", models.appendingPathComponent("covid_pneumo.json").path, "--policy", "both",
            "--backbone", Fixtures.backboneWeights, "--lungs", LungSegmenterFile.path, "--no-cache", "--probes", "--report", "evaluation",
        ], in: folder)
        #expect(run.status == 0, "evaluate failed: \(run.stderr)")
        #expect(run.stdout.contains("224 px RGB JPEG q75"), "the probes are printed: \(run.stdout)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("evaluation/evaluation.json"))) as? [String: Any])
        let probes = try #require(report["probes"] as? [String: Any])
        let invariance = try #require(probes["invariance"] as? [[String: Any]])
        let overall = invariance.filter { $0["group"] as? String == "all" }
        // Two variants x (two models + the policy).
        #expect(overall.count == 6)
        for figure in overall {
            let agreement = try #require(figure["agreement"] as? [String: Any])
            #expect(agreement["count"] as? Int == 12)
            #expect((0...12).contains(agreement["successes"] as? Int ?? -1))
        }
        let removed = try #require(probes["lungsRemoved"] as? [[String: Any]])
        #expect(removed.count == 2)
        for figure in removed {
            #expect(figure["count"] as? Int == 8, "each model's own two classes")
            #expect((0...1).contains(figure["aucWithLungs"] as? Double ?? -1) && (0...1).contains(figure["aucWithoutLungs"] as? Double ?? -1))
        }
        let html = try String(contentsOf: folder.appendingPathComponent("evaluation/evaluation.html"), encoding: .utf8)
        #expect(html.contains("Shortcut probes"))
    }
}
