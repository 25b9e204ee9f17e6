import Foundation
import Imaging
import Testing

/// Border cropping and intensity normalisation, the preprocessing options meant for generalisation.
struct IntensityTests {
    /// A horizontal grey ramp from `low` to `high`.
    func ramp(width: Int = 64, height: Int = 8, low: Int, high: Int) -> RGBImage {
        var pixels: [UInt8] = []
        for _ in 0..<height {
            for x in 0..<width {
                let value = UInt8(low + (high - low) * x / (width - 1))
                pixels += [value, value, value]
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    @Test func stretchSpreadsALowContrastImageOverTheFullRange() {
        let stretched = IntensityNormalisation.stretch.apply(to: ramp(low: 100, high: 140))
        #expect(stretched.pixels.min() == 0)
        #expect(stretched.pixels.max() == 255)
    }

    @Test func equaliseMakesTwoExposuresOfOneSceneAlike() {
        let dark = IntensityNormalisation.equalise.apply(to: ramp(low: 10, high: 90))
        let bright = IntensityNormalisation.equalise.apply(to: ramp(low: 120, high: 250))
        let difference = zip(dark.pixels, bright.pixels).map { abs(Int($0) - Int($1)) }.max()!
        #expect(difference <= 8, "largest difference \(difference)")
    }

    @Test func noneLeavesPixelsAlone() {
        let image = ramp(low: 3, high: 200)
        #expect(IntensityNormalisation.none.apply(to: image) == image)
    }

    @Test func borderCropCutsEachSide() {
        let image = ramp(width: 100, height: 20, low: 0, high: 99)
        let cropped = image.croppingBorder(0.1)
        #expect(cropped.width == 80 && cropped.height == 16)
        #expect(cropped.pixels[0] == image.pixels[(2 * 100 + 10) * 3])
    }

    @Test func lungStretchMapsTheLungsOwnPercentilesWhateverTheRest() {
        // Left half (the "lungs") a ramp 50...100, right half bright 220: only the left half sets the mapping.
        let lungs = ramp(width: 32, height: 8, low: 50, high: 100)
        var pixels: [UInt8] = []
        for row in 0..<8 { pixels += Array(lungs.pixels[(row * 32 * 3)..<((row + 1) * 32 * 3)]) + [UInt8](repeating: 220, count: 32 * 3) }
        let image = RGBImage(width: 64, height: 8, pixels: pixels)
        let mask = BinaryMask(width: 64, height: 8, pixels: (0..<(64 * 8)).map { $0 % 64 < 32 })
        let mapped = IntensityNormalisation.lungStretch.apply(to: image, measuredOn: image, lungs: mask)
        let insideValues = (0..<(64 * 8)).filter { $0 % 64 < 32 }.map { Int(mapped.pixels[$0 * 3]) }
        #expect(insideValues.min()! <= 41 && insideValues.max()! >= 199 && insideValues.max()! <= 206, "lungs span about 40...200")
        #expect(mapped.pixels[40 * 3] == 255, "brighter than the lungs' top clips at 255")
        // The same lungs under another exposure come out the same.
        let darker = RGBImage(width: 64, height: 8, pixels: image.pixels.map { UInt8(Int($0) * 3 / 4) })
        let mappedDarker = IntensityNormalisation.lungStretch.apply(to: darker, measuredOn: darker, lungs: mask)
        let difference = (0..<(64 * 8)).filter { $0 % 64 < 32 }.map { abs(Int(mappedDarker.pixels[$0 * 3]) - Int(mapped.pixels[$0 * 3])) }.max()!
        #expect(difference <= 6, "exposure mostly taken away (largest difference \(difference) levels)")
        #expect(Preprocessing(intensity: .lungStretch).readsLungs && !Preprocessing(intensity: .stretch).readsLungs)
    }

    @Test func oldManifestsWithoutTheNewKeysStillDecode() throws {
        let json = #"{"resize": "area", "normalisation": "caffe", "size": 224}"#
        let preprocessing = try JSONDecoder().decode(Preprocessing.self, from: Data(json.utf8))
        #expect(preprocessing == Preprocessing())
    }
}
