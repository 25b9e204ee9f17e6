import Foundation
import Imaging
import Testing
@testable import Training

/// The pieces of the shortcut probes and the processing-shift augmentation.
struct ProbeAndAugmentationTests {
    func gradient(_ width: Int, _ height: Int) -> RGBImage {
        RGBImage(width: width, height: height, pixels: (0..<(width * height)).flatMap { index -> [UInt8] in
            let value = UInt8((index % width) * 255 / max(1, width - 1))
            return [value, value, value]
        })
    }

    @Test func wilsonIntervalsMatchKnownValues() {
        // 99/103: Wilson 95 % interval 0.904-0.985 (statsmodels proportion_confint, method "wilson").
        let share = Proportion(99, of: 103)
        #expect(abs(share.value! - 0.9612) < 1e-3)
        #expect(abs(share.low! - 0.9042) < 2e-3 && abs(share.high! - 0.9848) < 2e-3)
        #expect(abs(Proportion(10, of: 10).high! - 1) < 1e-9)
        #expect(Proportion(7, of: 9).value == nil, "no figure from fewer than 10 images")
        #expect(Proportion(7, of: 9).text == "n<10 (7/9)")
    }

    @Test func archiveVariantIsSmallAndLossy() throws {
        let image = gradient(400, 300)
        let archived = ProcessingVariant.archive224.apply(to: image)
        #expect(archived.width == 224 && archived.height == 168)
        #expect(archived != image.storedSmaller(longSide: 224), "JPEG at quality 75 changes pixels")
        let upscaled = ProcessingVariant.upscaled1024.apply(to: image)
        #expect(upscaled.width == 1024 && upscaled.height == 768)
    }

    @Test func jpegRoundTripKeepsSizeAndStaysClose() {
        let image = gradient(64, 48)
        let round = image.jpegRoundTrip(quality: 90)
        #expect(round.width == 64 && round.height == 48)
        let error = zip(round.pixels, image.pixels).map { abs(Int($0) - Int($1)) }.max()!
        #expect(error > 0 && error < 24)
    }

    @Test func processingShiftDrawsAreSeededAndOffByDefault() {
        var settings = AugmentationSettings(draws: 3, rotation: 10)
        let plain = settings.transform(imageSHA256: "abc", draw: 1)
        #expect(plain.jpegQuality == 0 && plain.longSide == 0 && plain.gamma == 1 && plain.noise == 0)
        #expect(settings.cacheDescription(draw: 1) == "draw=1;rotation=10.0;contrast=0.0;brightness=0.0;scale=0.0", "earlier cache keys stay valid")
        settings.jpegQuality = 50; settings.smallestSide = 160; settings.gamma = 0.3; settings.noise = 4
        let shifted = settings.transform(imageSHA256: "abc", draw: 1)
        #expect(shifted.rotation == plain.rotation, "the earlier draws come first and stay the same")
        #expect((50...95).contains(shifted.jpegQuality) && (160...512).contains(shifted.longSide))
        #expect(shifted == settings.transform(imageSHA256: "abc", draw: 1))
        #expect(settings.cacheDescription(draw: 1).hasSuffix(";gamma=0.3;noise=4.0;side=160;jpeg=50"))
        let applied = shifted.apply(to: gradient(600, 400))
        #expect(max(applied.width, applied.height) == min(600, shifted.longSide))
    }

    @Test func fillingLungsReplacesOnlyTheWidenedMask() {
        let image = gradient(100, 100)
        var mask = [Bool](repeating: false, count: 100 * 100)
        for y in 40..<60 { for x in 40..<60 { mask[y * 100 + x] = true } }
        let filled = image.fillingLungs(BinaryMask(width: 100, height: 100, pixels: mask))
        let mean = UInt8(image.pixels.reduce(0) { $0 + Int($1) } / image.pixels.count)
        #expect(filled.pixels[(50 * 100 + 50) * 3] == mean)
        #expect(filled.pixels[(10 * 100 + 10) * 3] == image.pixels[(10 * 100 + 10) * 3])
    }
}
