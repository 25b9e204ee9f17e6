import Imaging
import Testing

@Suite("PNG encoding")
struct PNGEncoderTests {
    @Test func roundTripIsLossless() throws {
        let original = try FixtureFiles.reference("reference_rgb8.rgb")
        let encoded = try PNGEncoder.encode(original)
        #expect(ImageFormat(sniffing: encoded) == .png)
        #expect(try ImageDecoder.decode(encoded, file: "round-trip.png") == original)
    }

    @Test func singlePixelRoundTrips() throws {
        let pixel = RGBImage(width: 1, height: 1, pixels: [1, 2, 3])
        #expect(try ImageDecoder.decode(try PNGEncoder.encode(pixel), file: "pixel.png") == pixel)
    }
}
