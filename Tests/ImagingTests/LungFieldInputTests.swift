import Imaging
import Testing

/// Lung-field input: crop to the lungs and replace what lies outside them.
struct LungFieldInputTests {
    /// 100x80 image: background 200, two "lungs" (value 50) at x 20..<40 and 60..<80, y 20..<60, and a
    /// bright "marker" (255) at the top-left corner.
    func scene() -> (RGBImage, BinaryMask) {
        var pixels = [UInt8](repeating: 200, count: 100 * 80 * 3)
        var mask = [Bool](repeating: false, count: 100 * 80)
        for y in 0..<80 {
            for x in 0..<100 {
                let lung = (20..<60).contains(y) && ((20..<40).contains(x) || (60..<80).contains(x))
                let marker = x < 8 && y < 8
                let value: UInt8 = lung ? 50 : (marker ? 255 : 200)
                for c in 0..<3 { pixels[(y * 100 + x) * 3 + c] = value }
                mask[y * 100 + x] = lung
            }
        }
        return (RGBImage(width: 100, height: 80, pixels: pixels), BinaryMask(width: 100, height: 80, pixels: mask))
    }

    @Test func cropsToTheLungsWithTheMargin() {
        let (image, mask) = scene()
        let field = LungFieldInput(margin: 0.1, surround: .keep, widening: 0).apply(to: image, mask: mask)
        // Box 20..<80 x 20..<60 (60 x 40), plus 10 % = 6 and 4 pixels on each side.
        #expect(field.width == 72 && field.height == 48)
        #expect(!field.pixels.contains(255), "the marker outside the box is cropped away")
    }

    @Test func meanSurroundHidesEverythingButTheLungs() {
        let (image, mask) = scene()
        let field = LungFieldInput(margin: 0.5, surround: .mean, widening: 0).apply(to: image, mask: mask)
        // The margin reaches the marker, but the surround is replaced by the lungs' mean colour (50).
        #expect(Set(field.pixels) == [50])
        let black = LungFieldInput(margin: 0.5, surround: .black, widening: 0).apply(to: image, mask: mask)
        #expect(Set(black.pixels) == [0, 50])
    }

    @Test func wideningKeepsAStripAroundTheMask() {
        let (image, mask) = scene()
        let field = LungFieldInput(margin: 0, surround: .black, widening: 0.05).apply(to: image, mask: mask)
        // 5 % of 100 px: 5 pixels of the original background survive on each side of each lung.
        #expect(field.pixels.contains(200))
        let dilated = mask.dilated(radius: 5)
        #expect(dilated.area == 2 * 30 * 50, "each 20x40 lung grows to 30x50")
    }

    @Test func anEmptyMaskLeavesTheImageAsItIs() {
        let (image, _) = scene()
        let empty = BinaryMask(width: 100, height: 80, pixels: [Bool](repeating: false, count: 8000))
        #expect(LungFieldInput().apply(to: image, mask: empty) == image)
    }

    @Test func aMaskOfAnotherSizeIsResampledToTheImage() {
        let (image, mask) = scene()
        let half = mask.resized(width: 50, height: 40)
        let field = LungFieldInput(margin: 0, surround: .keep, widening: 0).apply(to: image, mask: half)
        #expect(field.width == 60 && field.height == 40)
    }

    @Test func identifierNamesEverySetting() {
        let preprocessing = Preprocessing(lungField: LungFieldInput(margin: 0.05, surround: .mean, widening: 0.02))
        #expect(preprocessing.identifier == "area,caffe,224,lungs=mean,margin=0.05,widen=0.02")
        #expect(Preprocessing().identifier == "area,caffe,224", "whole-image keys stay as they were")
    }
}
