import Imaging
import Testing

@Suite("Resizing follows OpenCV's INTER_AREA and INTER_LINEAR")
struct ResizeTests {
    /// A `width x height` image whose three channels all hold `values` (row-major, one value per pixel).
    private func image(width: Int, height: Int, values: [UInt8]) -> RGBImage {
        RGBImage(width: width, height: height, pixels: values.flatMap { [$0, $0, $0] })
    }

    private func firstChannel(_ image: RGBImage) -> [UInt8] {
        stride(from: 0, to: image.pixels.count, by: 3).map { image.pixels[$0] }
    }

    @Test func areaHalvingAveragesTwoByTwoBlocksRoundingHalvesUp() {
        let source = image(width: 4, height: 2, values: [0, 10, 100, 200,
                                                         20, 31, 101, 101])
        // (0+10+20+31)/4 = 15.25 -> 15; (100+200+101+101)/4 = 125.5 -> 126 (OpenCV's 2x2 path: half up)
        #expect(firstChannel(source.resized(width: 2, height: 1, mode: .area)) == [15, 126])
    }

    @Test func areaQuarteringRoundsHalvesToEven() {
        // 4x1 -> 1x1 is not the 2x2 fast path: (1+2+3+4)/4 = 2.5 -> 2 (cvRound, half to even)
        #expect(firstChannel(image(width: 4, height: 1, values: [1, 2, 3, 4]).resized(width: 1, height: 1, mode: .area)) == [2])
    }

    @Test func areaWeighsFractionalCoverage() {
        let source = image(width: 3, height: 1, values: [0, 90, 180])
        // [0, 1.5) -> (0 + 0.5 * 90) / 1.5 = 30; [1.5, 3) -> (0.5 * 90 + 180) / 1.5 = 150
        #expect(firstChannel(source.resized(width: 2, height: 1, mode: .area)) == [30, 150])
    }

    @Test(arguments: [ResizeMode.area, .cv2Linear])
    func constantStaysConstant(mode: ResizeMode) {
        let source = image(width: 7, height: 5, values: Array(repeating: 77, count: 35))
        for (width, height) in [(3, 2), (10, 9), (1, 1)] {
            let resized = source.resized(width: width, height: height, mode: mode)
            #expect(resized.width == width && resized.height == height)
            #expect(resized.pixels.allSatisfy { $0 == 77 })
        }
    }

    @Test func linearUsesPixelCentresAndClampsBorders() {
        let source = image(width: 2, height: 1, values: [0, 200])
        // positions -0.25 (clamped), 0.25, 0.75, 1.25 (clamped)
        #expect(firstChannel(source.resized(width: 4, height: 1, mode: .cv2Linear)) == [0, 50, 150, 200])
    }

    @Test func linearHalvingAveragesPairs() {
        let source = image(width: 4, height: 1, values: [0, 100, 50, 51])
        // positions 0.5 and 2.5: (0+100)/2 = 50; (50+51)/2 = 50.5 -> 51 (OpenCV rounds half up in fixed point)
        #expect(firstChannel(source.resized(width: 2, height: 1, mode: .cv2Linear)) == [50, 51])
    }

    @Test(arguments: [ResizeMode.area, .cv2Linear])
    func sameSizeIsIdentity(mode: ResizeMode) throws {
        let original = try FixtureFiles.reference("reference_rgb8.rgb")
        #expect(original.resized(width: original.width, height: original.height, mode: mode) == original)
    }

    @Test func channelsStaySeparate() {
        let source = RGBImage(width: 2, height: 2, pixels: Array(repeating: [10, 20, 30], count: 4).flatMap { $0 })
        #expect(source.resized(width: 1, height: 1, mode: .area).pixels == [10, 20, 30])
        #expect(source.resized(width: 3, height: 3, mode: .cv2Linear).pixels == Array(repeating: [10, 20, 30], count: 9).flatMap { $0 })
    }
}
