import Imaging
import Testing

@Suite("PNG decoding matches OpenCV IMREAD_COLOR exactly")
struct PNGDecodeTests {
    @Test(arguments: ["png_grey8.png", "png_grey16.png", "png_grey_alpha.png"])
    func greyIsReplicatedToRGB(file: String) throws {
        let image = try ImageDecoder.decode(contentsOf: FixtureFiles.path(file))
        #expect(image == (try FixtureFiles.greyReference()))
    }

    @Test(arguments: ["png_rgb8.png", "png_rgb16.png", "png_rgba.png", "png_interlaced.png"])
    func colourKeepsHighByteAndDropsAlpha(file: String) throws {
        let image = try ImageDecoder.decode(contentsOf: FixtureFiles.path(file))
        #expect(image == (try FixtureFiles.reference("reference_rgb8.rgb")))
    }

    @Test(arguments: ["png_palette.png", "png_palette_trns.png"])
    func paletteIsExpanded(file: String) throws {
        let image = try ImageDecoder.decode(contentsOf: FixtureFiles.path(file))
        #expect(image == (try FixtureFiles.reference("palette.rgb")))
    }
}
