import Imaging
import Testing

@Suite("Network input normalisation")
struct PreprocessingTests {
    private let pixel = RGBImage(width: 2, height: 2, pixels: Array(repeating: [10, 20, 30], count: 4).flatMap { $0 })

    @Test func caffeIsBGRMinusImageNetMean() {
        let input = Preprocessing(resize: .area, normalisation: .caffe, size: 2).networkInput(for: pixel)
        #expect(input.count == 12)
        let expected: [Float] = [30 - 103.939, 20 - 116.779, 10 - 123.68]
        #expect(Array(input.prefix(3)) == expected)
    }

    @Test func unitIsRGBOver255() {
        let input = Preprocessing(resize: .cv2Linear, normalisation: .unit, size: 2).networkInput(for: pixel)
        let expected: [Float] = [10 / 255, 20 / 255, 30 / 255]
        #expect(Array(input.suffix(3)) == expected)
    }

    @Test func resizesToTheNetworkSize() throws {
        let image = try FixtureFiles.reference("reference_rgb8.rgb")
        let preprocessing = Preprocessing(size: 16)
        let input = preprocessing.networkInput(for: image)
        let resized = image.resized(width: 16, height: 16, mode: .area)
        #expect(input.count == 16 * 16 * 3)
        #expect(input[3 * 17] == Float(resized.pixels[3 * 17 + 2]) - 103.939)
    }
}
