import Imaging
import Screening
import Testing

/// The outbox image that shows its verdict: its layout, that only the band and the overlay differ from the
/// radiograph, and that it survives PNG encoding.
struct AnnotatedImageTests {
    func radiograph(width: Int = 400, height: Int = 300) -> RGBImage {
        RGBImage(width: width, height: height, pixels: (0..<(width * height)).flatMap { index -> [UInt8] in
            let level = UInt8((index % width) * 200 / width + 20)
            return [level, level, level]
        })
    }

    func verdict(result: Double = 0.9) -> Verdict {
        var verdict = Decision(policy: .both).decide([ModelScore(model: "covid_normal", probability: result),
                                                      ModelScore(model: "covid_pneumo", probability: 0.8)])
        // Heat only in the top-left cell: bilinear resampling leaves the right and bottom quarters untouched.
        let corner = Heatmap(width: 2, height: 2, values: [1, 0, 0, 0])
        verdict.heatmaps = ["covid_normal": ModelHeatmaps(positive: corner, negative: corner),
                            "covid_pneumo": ModelHeatmaps(positive: corner, negative: corner)]
        return verdict
    }

    @Test func theBandIsAddedBelowAndTheRestOfTheRadiographIsUnchanged() throws {
        let image = radiograph()
        let annotated = AnnotatedImage.render(image, verdict: verdict(), policy: "both", date: "2026-12-04")
        #expect(annotated.width == image.width && annotated.height > image.height)
        for y in (3 * image.height / 4)..<image.height {
            for x in 0..<image.width {
                let index = (y * image.width + x) * 3
                #expect(annotated.pixels[index..<(index + 3)] == image.pixels[index..<(index + 3)], "pixel \(x), \(y)")
            }
        }
        let topLeft = 10 * image.width * 3
        #expect(annotated.pixels[topLeft] > image.pixels[topLeft], "the heatmap reddens where it is hot")
        let band = annotated.pixels[(image.width * image.height * 3)...]
        #expect(band.contains(255) || band.contains(235), "the band has text")
    }

    @Test func theBandSaysResultProbModelsPolicyDateAndThatItIsNotADiagnosis() {
        let lines = AnnotatedImage.bandLines(verdict: verdict(), policy: "both", date: "2026-12-04").joined(separator: "\n")
        for expected in ["POSITIVE  PROB 80", "covid_normal P(COVID-19) 0.90", "covid_pneumo P(COVID-19) 0.80", "POLICY both",
                         "HEATMAP: covid_pneumo", "2026-12-04", "SCREENING AID, NOT A DIAGNOSIS"] {
            #expect(lines.contains(expected), "\(expected) in:\n\(lines)")
        }
        let refused = verdict().refused(Refusal(reason: "no plausible pair of lungs", distanceRatio: 0.5))
        #expect(AnnotatedImage.bandLines(verdict: refused, policy: "both", date: "d").contains("NOT JUDGED: no plausible pair of lungs"))
    }

    @Test func theAnnotatedImageSurvivesPNGEncoding() throws {
        let annotated = AnnotatedImage.render(radiograph(width: 120, height: 90), verdict: verdict(result: 0.1), policy: "both", date: "2026-12-04")
        let decoded = try ImageDecoder.decode(try PNGEncoder.encode(annotated), file: "annotated.png")
        #expect(decoded.width == annotated.width && decoded.height == annotated.height)
        #expect(decoded.pixels == annotated.pixels)
    }
}
