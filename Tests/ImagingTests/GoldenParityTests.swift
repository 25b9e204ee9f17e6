import Imaging
import NeuralEngine
import Testing
import TestSupport

/// Parity with OpenCV (decode, INTER_LINEAR, INTER_AREA) and the caffe input, on ../shared/golden.
@Suite("Golden parity with OpenCV")
struct GoldenParityTests {
    static let size = 224

    struct Golden {
        /// The golden data, read with the program's own safetensors reader.
        let file: SafeTensorsFile
        let imagePaths: [String]

        init() throws {
            file = try SafeTensorsFile(contentsOf: Fixtures.sharedFile("golden/golden.safetensors"))
            imagePaths = (file.metadata["images"] ?? "").split(separator: ",").map { Fixtures.sharedFile("data/\($0)") }
        }

        func decoded(_ index: Int) throws -> RGBImage {
            try ImageDecoder.decode(contentsOf: imagePaths[index])
        }

        func image(_ name: String) throws -> RGBImage {
            RGBImage(width: GoldenParityTests.size, height: GoldenParityTests.size, pixels: try file.tensor(name).values.map { UInt8($0) })
        }
    }

    @Test(.enabled(if: Fixtures.hasShared, Fixtures.sharedMissing), arguments: 0..<3)
    func decodedShapeMatches(index: Int) throws {
        let golden = try Golden()
        let image = try golden.decoded(index)
        let shape = try golden.file.tensor("img\(index).decoded_rgb_shape").values
        #expect([Float(image.height), Float(image.width), 3] == shape)
    }

    @Test(.enabled(if: Fixtures.hasShared, Fixtures.sharedMissing),
          arguments: ResizeMode.allCases, 0..<3)
    func resizeMatchesWithinOne(mode: ResizeMode, index: Int) throws {
        let tensor = mode == .area ? "area224" : "linear224"
        let golden = try Golden()
        let resized = try golden.decoded(index).resized(width: Self.size, height: Self.size, mode: mode)
        let difference = PixelDifference(resized, try golden.image("img\(index).\(tensor)"))
        print("img\(index).\(tensor): \(difference)")
        #expect(difference.maximum <= 1, "img\(index).\(tensor): \(difference)")
    }

    @Test(.enabled(if: Fixtures.hasShared, Fixtures.sharedMissing), arguments: 0..<3)
    func caffeInputMatches(index: Int) throws {
        let golden = try Golden()
        let input = Preprocessing(resize: .area, normalisation: .caffe, size: Self.size)
            .networkInput(for: try golden.image("img\(index).area224"))
        let expected = try golden.file.tensor("img\(index).caffe_input").values
        try #require(input.count == expected.count)
        let maximum = zip(input, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(maximum <= 1e-4, "img\(index).caffe_input: max difference \(maximum)")
    }
}
