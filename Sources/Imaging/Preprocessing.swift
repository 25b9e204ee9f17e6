/// How 0...255 pixels become network input values.
public enum Normalisation: String, Sendable, Codable, CaseIterable {
    /// BGR order, minus the ImageNet mean [103.939, 116.779, 123.68]: what the VGG16 weights expect.
    case caffe
    /// RGB order divided by 255: the tutorial's.
    case unit
}

/// Resize + normalise: the whole path from a decoded image to network input.
public struct Preprocessing: Sendable, Codable, Equatable, Hashable {
    public var resize: ResizeMode
    public var normalisation: Normalisation
    public var size: Int
    public init(resize: ResizeMode = .area, normalisation: Normalisation = .caffe, size: Int = 224) {
        self.resize = resize; self.normalisation = normalisation; self.size = size
    }

    /// The ImageNet channel means in B, G, R order that Keras' "caffe" preprocessing subtracts.
    static let caffeMeanBGR: (Float, Float, Float) = (103.939, 116.779, 123.68)

    /// `size x size x 3` floats, HWC.
    public func networkInput(for image: RGBImage) -> [Float] {
        let resized = image.resized(width: size, height: size, mode: resize)
        var input = [Float](repeating: 0, count: size * size * 3)
        resized.pixels.withUnsafeBufferPointer { pixels in
            input.withUnsafeMutableBufferPointer { out in
                for pixel in stride(from: 0, to: pixels.count, by: 3) {
                    let red = Float(pixels[pixel]), green = Float(pixels[pixel + 1]), blue = Float(pixels[pixel + 2])
                    switch normalisation {
                    case .caffe:
                        out[pixel] = blue - Self.caffeMeanBGR.0
                        out[pixel + 1] = green - Self.caffeMeanBGR.1
                        out[pixel + 2] = red - Self.caffeMeanBGR.2
                    case .unit:
                        out[pixel] = red / 255
                        out[pixel + 1] = green / 255
                        out[pixel + 2] = blue / 255
                    }
                }
            }
        }
        return input
    }
}
