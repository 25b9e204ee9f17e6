import Foundation
import Imaging
import Screening
import Testing
@testable import xraywatch

/// The executable's wording of `classify` results (the screening layer only returns them).
struct ClassificationLineTests {
    @Test func jsonHasTheDocumentedFields() throws {
        let verdict = Verdict(result: .positive, prob: 96, scores: [
            ModelScore(model: "covid_normal", probability: 0.97), ModelScore(model: "covid_pneumo", probability: 0.96),
        ])
        let line = ClassificationLine(screened: ScreenedFile(file: "a.png", outcome: .verdict(verdict)))
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.json().utf8)) as? [String: Any])
        #expect(object["file"] as? String == "a.png")
        #expect(object["result"] as? String == "POSITIVE")
        #expect(object["prob"] as? Int == 96)
        #expect((object["models"] as? [String: Double])?["covid_pneumo"] == 0.96)
        #expect(line.text.hasPrefix("POSITIVE       Prob  96  covid_normal=0.9700 covid_pneumo=0.9600  a.png"))
    }

    @Test func failuresCarryTheirReason() throws {
        let error = ImageDecodeError(file: "b.png", reason: .notAnImage)
        let line = ClassificationLine(screened: ScreenedFile(file: "b.png", outcome: .undecodable(error)))
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.json().utf8)) as? [String: Any])
        #expect(object["result"] as? String == "ERROR")
        #expect(object["error"] as? String == error.description)
        #expect(line.text == "ERROR     \(error.description)")
    }

    @Test func aProbabilityJSONCannotHoldIsAnErrorNotACrash() {
        let verdict = Verdict(result: .positive, prob: 96, scores: [ModelScore(model: "covid_normal", probability: .nan)])
        let line = ClassificationLine(screened: ScreenedFile(file: "a.png", outcome: .verdict(verdict)))
        #expect(throws: (any Error).self) { try line.json() }
    }
}
