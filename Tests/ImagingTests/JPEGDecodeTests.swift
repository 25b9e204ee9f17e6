import Imaging
import Testing

@Suite("JPEG decoding")
struct JPEGDecodeTests {
    /// Pillow and this decoder both use libjpeg(-turbo) with the same defaults; allow a little for versions.
    static let tolerance = 2

    @Test(arguments: [
        ("jpeg_baseline.jpg", "jpeg_baseline.rgb"), ("jpeg_grey.jpg", "jpeg_grey.rgb"),
        ("jpeg_progressive.jpg", "jpeg_progressive.rgb"), ("jpeg_cmyk.jpg", "jpeg_cmyk.rgb"),
    ])
    func decodesLikeTheReference(file: String, reference: String) throws {
        let image = try ImageDecoder.decode(contentsOf: FixtureFiles.path(file))
        let expected = try FixtureFiles.reference(reference)
        try #require(image.width == expected.width && image.height == expected.height)
        let difference = PixelDifference(image, expected)
        #expect(difference.maximum <= Self.tolerance, "\(file): \(difference)")
    }

    @Test func greyJPEGHasEqualChannels() throws {
        let image = try ImageDecoder.decode(contentsOf: FixtureFiles.path("jpeg_grey.jpg"))
        for pixel in stride(from: 0, to: image.pixels.count, by: 3) {
            #expect(image.pixels[pixel] == image.pixels[pixel + 1] && image.pixels[pixel] == image.pixels[pixel + 2])
        }
    }

    /// Orientation 6 is stored turned counter-clockwise (48x64), 3 upside down; both must come out upright
    /// (64x48) with the red marker in the top-left corner and nowhere else.
    @Test(arguments: ["jpeg_exif_orientation6.jpg", "jpeg_exif_orientation3.jpg"])
    func exifOrientationIsApplied(file: String) throws {
        let image = try ImageDecoder.decode(contentsOf: FixtureFiles.path(file))
        #expect(image.width == FixtureFiles.width && image.height == FixtureFiles.height)
        func isRed(_ x: Int, _ y: Int) -> Bool {
            let offset = (y * image.width + x) * 3
            return image.pixels[offset] > 200 && image.pixels[offset + 1] < 60 && image.pixels[offset + 2] < 60
        }
        #expect(isRed(2, 2))
        #expect(!isRed(image.width - 3, 2))
        #expect(!isRed(2, image.height - 3))
        #expect(!isRed(image.width - 3, image.height - 3))
    }
}
