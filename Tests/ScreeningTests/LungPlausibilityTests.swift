import Foundation
import Imaging
import Screening
import Testing

/// What counts as a plausible pair of lungs, figure by figure.
struct LungPlausibilityTests {
    let plausibility = LungPlausibility(minimumAreaFraction: 0.1, maximumAreaFraction: 0.7, minimumRightToLeft: 0.5, maximumRightToLeft: 1.6)

    func figures(area: Double = 0.3, components: Int = 2, ratio: Double? = 1) -> LungFigures {
        LungFigures(areaFraction: area, components: components, rightToLeftRatio: ratio, boundingBox: nil)
    }

    @Test func twoOrThreeRegionsOfPlausibleSizeAndBalancePass() {
        #expect(plausibility.problem(with: figures()) == nil)
        #expect(plausibility.problem(with: figures(components: 3)) == nil, "an opacity may split a lung")
    }

    @Test func eachFigureOutsideItsRangeIsNamed() {
        #expect(plausibility.problem(with: figures(components: 1)) == "1 lung region (2 expected)")
        #expect(plausibility.problem(with: figures(components: 4)) == "4 lung-sized regions (2 expected, at most 3)")
        #expect(plausibility.problem(with: figures(area: 0.05))?.hasPrefix("lung area 5.0 %") == true)
        #expect(plausibility.problem(with: figures(ratio: 2.5))?.hasPrefix("right/left lung area ratio 2.5") == true)
    }

    @Test func manifestsWithoutTheLimitAllowAnyNumberOfRegions() throws {
        let json = #"{"minimumAreaFraction": 0.1, "maximumAreaFraction": 0.7, "minimumRightToLeft": 0.5, "maximumRightToLeft": 1.6}"#
        let decoded = try JSONDecoder().decode(LungPlausibility.self, from: Data(json.utf8))
        #expect(decoded.maximumComponents == nil)
        #expect(decoded.problem(with: figures(components: 6)) == nil)
    }
}
