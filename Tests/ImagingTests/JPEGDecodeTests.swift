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

    /// `jpeg_baseline.jpg` with an APP1 segment holding `exif` inserted right after SOI.
    private func baseline(withAPP1 exif: [UInt8]) throws -> [UInt8] {
        let bytes = try FixtureFiles.bytes("jpeg_baseline.jpg")
        let length = exif.count + 2
        return Array(bytes.prefix(2)) + [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + exif + bytes.dropFirst(2)
    }

    /// "Exif\0\0", big-endian TIFF header, IFD0 at `ifdOffset` declaring `count` entries, one orientation entry.
    private func bigEndianExif(orientation: UInt8, ifdOffset: UInt8 = 8, count: UInt8 = 1) -> [UInt8] {
        Array("Exif".utf8) + [0, 0, 0x4D, 0x4D, 0, 0x2A, 0, 0, 0, ifdOffset, 0, count,
                              0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0]
    }

    @Test func orientationEightTurnsCounterClockwise() throws {
        let image = try ImageDecoder.decode(try baseline(withAPP1: bigEndianExif(orientation: 8)), file: "o8.jpg")
        #expect(image.width == FixtureFiles.height && image.height == FixtureFiles.width)
        // The stored top-left marker ends up bottom-left.
        let offset = ((image.height - 3) * image.width + 2) * 3
        #expect(image.pixels[offset] > 200 && image.pixels[offset + 1] < 60)
    }

    /// An IFD offset past the end, an IFD with no entries, and an orientation value outside 1...8 all mean "upright".
    @Test(arguments: [(UInt8(200), UInt8(1), UInt8(6)), (8, 0, 6), (8, 1, 9)])
    func malformedOrInvalidExifIsIgnored(ifdOffset: UInt8, count: UInt8, orientation: UInt8) throws {
        let bytes = try baseline(withAPP1: bigEndianExif(orientation: orientation, ifdOffset: ifdOffset, count: count))
        let image = try ImageDecoder.decode(bytes, file: "odd-exif.jpg")
        #expect(image == (try ImageDecoder.decode(contentsOf: FixtureFiles.path("jpeg_baseline.jpg"))))
    }
}
