import Imaging
import Testing

/// Large JPEGs decoded at a reduced DCT scale (`ImageLimits.jpegDecodeLongSide`).
@Suite("Reduced JPEG decoding")
struct ReducedJPEGDecodeTests {
    /// A smooth gradient with a bright square, `width x height`, as JPEG quality 95.
    static func jpeg(width: Int, height: Int) throws -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let inSquare = (x / 300) % 2 == 0 && (y / 100) % 2 == 0
                let value = inSquare ? 230 : UInt8((x + y) * 200 / (width + height))
                for channel in 0..<3 { pixels[(y * width + x) * 3 + channel] = value }
            }
        }
        return try JPEGEncoder.encode(RGBImage(width: width, height: height, pixels: pixels), quality: 95)
    }

    @Test func aLargeJPEGDecodesAtTheSmallestScaleKeepingTheLongSide() throws {
        let bytes = try Self.jpeg(width: 4200, height: 300)
        let reduced = try ImageDecoder.decode(bytes, file: "wide.jpg")
        // 4200 / 2 = 2100 keeps 2048; 4200 / 4 = 1050 would not.
        #expect((reduced.width, reduced.height) == (2100, 150))
        let full = try ImageDecoder.decode(bytes, file: "wide.jpg", limits: ImageLimits(jpegDecodeLongSide: 0))
        #expect((full.width, full.height) == (4200, 300))
        // The scaled IDCT is close to averaging 2x2 blocks of the full decode.
        var difference = 0
        for y in 0..<reduced.height {
            for x in 0..<reduced.width {
                var sum = 0
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] { sum += Int(full.pixels[((2 * y + dy) * full.width + 2 * x + dx) * 3]) }
                difference += abs(sum / 4 - Int(reduced.pixels[(y * reduced.width + x) * 3]))
            }
        }
        let mean = Double(difference) / Double(reduced.width * reduced.height)
        #expect(mean < 2, "mean difference \(mean) grey levels from 2x2 averages")
    }

    @Test func decodedSizeMatchesTheDecoderAndSmallImagesStayWhole() throws {
        let limits = ImageLimits(jpegDecodeLongSide: 256)
        for (width, height) in [(2100, 90), (1030, 1031), (511, 200), (300, 255)] {
            let bytes = try Self.jpeg(width: width, height: height)
            let image = try ImageDecoder.decode(bytes, file: "x.jpg", limits: limits)
            let predicted = ImageDecoder.decodedSize(.jpeg, width: width, height: height, limits: limits)
            #expect((image.width, image.height) == (predicted.width, predicted.height), "\(width)x\(height)")
            #expect(max(image.width, image.height) >= min(256, max(width, height)))
            #expect(max(image.width, image.height) < 2 * 256 || (image.width, image.height) == (width, height))
        }
        #expect(ImageDecoder.decodedSize(.png, width: 9000, height: 9000, limits: limits) == (9000, 9000))
    }
}
