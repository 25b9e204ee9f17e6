import Imaging
import Testing

@Suite("Augmentation: rotation, zoom, contrast")
struct AugmentationTests {
    /// Every pixel distinct, so any misplaced pixel is visible.
    private func numbered(_ width: Int, _ height: Int) -> RGBImage {
        RGBImage(width: width, height: height, pixels: (0..<width * height).flatMap { [UInt8($0 % 256), UInt8($0 / 256), 7] })
    }

    private func pixel(_ image: RGBImage, _ x: Int, _ y: Int) -> [UInt8] {
        Array(image.pixels[(y * image.width + x) * 3..<(y * image.width + x) * 3 + 3])
    }

    @Test func zeroRotationAndUnitZoomAreIdentity() throws {
        let image = try FixtureFiles.reference("reference_rgb8.rgb")
        #expect(image.rotated(degrees: 0) == image)
        #expect(image.rotated(degrees: 360) == image)
        #expect(image.scaledAboutCentre(1) == image)
    }

    /// Counter-clockwise by 90 on a square: out(x, y) = in(size - 1 - y, x), i.e. transpose then flip vertically.
    @Test(arguments: [5, 6])
    func quarterTurnIsTransposeAndFlip(size: Int) {
        let image = numbered(size, size)
        let turned = image.rotated(degrees: 90)
        for y in 0..<size {
            for x in 0..<size {
                #expect(pixel(turned, x, y) == pixel(image, size - 1 - y, x))
            }
        }
        #expect(turned.rotated(degrees: -90) == image)
    }

    @Test func rotationKeepsSizeAndFillsFromTheEdge() {
        let image = numbered(8, 4)
        let turned = image.rotated(degrees: 30)
        #expect(turned.width == 8 && turned.height == 4)
        let original = Set(stride(from: 0, to: image.pixels.count, by: 3).map { pixel(image, ($0 / 3) % 8, ($0 / 3) / 8) })
        #expect((0..<32).allSatisfy { original.contains(pixel(turned, $0 % 8, $0 / 8)) })
    }

    @Test func zoomInMagnifiesAboutTheCentre() {
        let image = numbered(5, 5)
        let zoomed = image.scaledAboutCentre(2)
        #expect(pixel(zoomed, 2, 2) == pixel(image, 2, 2))
        #expect(pixel(zoomed, 0, 0) == pixel(image, 1, 1))
        #expect(pixel(zoomed, 4, 4) == pixel(image, 3, 3))
        let shrunk = image.scaledAboutCentre(0.5)
        #expect(pixel(shrunk, 1, 2) == pixel(image, 0, 2))
        #expect(pixel(shrunk, 0, 2) == pixel(image, 0, 2))  // beyond the border: the edge pixel
    }

    @Test func contrastAndBrightness() throws {
        let image = try FixtureFiles.reference("reference_rgb8.rgb")
        #expect(image.adjusted(contrast: 1, brightness: 0) == image)
        let values = RGBImage(width: 1, height: 1, pixels: [100, 250, 0])
        // (100-128)*2+128+10 = 82; 250 -> 382 -> 255; 0 -> -118 -> 0
        #expect(values.adjusted(contrast: 2, brightness: 10).pixels == [82, 255, 0])
    }
}
