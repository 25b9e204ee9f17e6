import Foundation
import Screening
import Testing

struct ClassificationLineTests {
    @Test func jsonHasTheDocumentedFields() throws {
        let verdict = Verdict(result: .positive, prob: 96, scores: [
            ModelScore(model: "covid_normal", probability: 0.97), ModelScore(model: "covid_pneumo", probability: 0.96),
        ])
        let line = ClassificationLine(file: "a.png", outcome: .verdict(verdict))
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.json.utf8)) as? [String: Any])
        #expect(object["file"] as? String == "a.png")
        #expect(object["result"] as? String == "POSITIVE")
        #expect(object["prob"] as? Int == 96)
        #expect((object["models"] as? [String: Double])?["covid_pneumo"] == 0.96)
        #expect(line.text.hasPrefix("POSITIVE       Prob  96  covid_normal=0.9700 covid_pneumo=0.9600  a.png"))
    }

    @Test func failuresCarryTheirReason() throws {
        let line = ClassificationLine(file: "b.png", outcome: .failure("b.png: not a PNG or JPEG image"))
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.json.utf8)) as? [String: Any])
        #expect(object["result"] as? String == "ERROR")
        #expect(object["error"] as? String == "b.png: not a PNG or JPEG image")
    }
}
