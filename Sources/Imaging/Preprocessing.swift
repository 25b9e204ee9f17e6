/// How 0...255 pixels become network input values.
public enum Normalisation: String, Sendable, Codable, CaseIterable {
    /// BGR order, minus the ImageNet mean [103.939, 116.779, 123.68]: what the VGG16 weights expect.
    case caffe
    /// RGB order divided by 255: the tutorial's.
    case unit
}

/// Crop, resize, intensity and normalise: the whole path from a decoded image to network input.
///
/// `border` and `intensity` exist to make models generalise across hospitals: cropping the outer frame drops
/// burned-in text and borders, and intensity normalisation removes scanner contrast differences.
public struct Preprocessing: Sendable, Codable, Equatable, Hashable {
    public var resize: ResizeMode
    public var normalisation: Normalisation
    public var size: Int
    /// Fraction of the width and height cut from each side before resizing (0 = none, at most 0.25).
    public var border: Double
    public var intensity: IntensityNormalisation
    /// Look only at the lungs (crop and mask, before the border crop and resizing); nil: the whole image.
    public var lungField: LungFieldInput?

    public init(resize: ResizeMode = .area, normalisation: Normalisation = .caffe, size: Int = 224,
                border: Double = 0, intensity: IntensityNormalisation = .none, lungField: LungFieldInput? = nil) {
        precondition((0...0.25).contains(border), "border must be between 0 and 0.25")
        self.resize = resize; self.normalisation = normalisation; self.size = size
        self.border = border; self.intensity = intensity; self.lungField = lungField
    }

    /// Whether the lungs must be found before this preprocessing can run (lung-field input or lung-based intensity).
    public var readsLungs: Bool { lungField != nil || intensity.readsLungs }

    /// A stable text naming every setting, e.g. `area,caffe,224` or `area,caffe,224,border=0.08,intensity=equalise`;
    /// keys caches of preprocessed data (settings at their defaults are left out, so old keys stay valid).
    public var identifier: String {
        var parts = [resize.rawValue, normalisation.rawValue, String(size)]
        if border > 0 { parts.append("border=\(border)") }
        if intensity != .none { parts.append("intensity=\(intensity.rawValue)") }
        if let lungField { parts.append(lungField.identifier) }
        return parts.joined(separator: ",")
    }

    private enum CodingKeys: String, CodingKey { case resize, normalisation, size, border, intensity, lungField }

    /// Manifests written before `border` and `intensity` existed read as "none".
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let border = try container.decodeIfPresent(Double.self, forKey: .border) ?? 0
        guard (0...0.25).contains(border) else {
            throw DecodingError.dataCorruptedError(forKey: .border, in: container, debugDescription: "border must be between 0 and 0.25")
        }
        self.init(resize: try container.decode(ResizeMode.self, forKey: .resize),
                  normalisation: try container.decode(Normalisation.self, forKey: .normalisation),
                  size: try container.decode(Int.self, forKey: .size),
                  border: border,
                  intensity: try container.decodeIfPresent(IntensityNormalisation.self, forKey: .intensity) ?? .none,
                  lungField: try container.decodeIfPresent(LungFieldInput.self, forKey: .lungField))
    }

    /// The ImageNet channel means in B, G, R order that Keras' "caffe" preprocessing subtracts.
    static let caffeMeanBGR: (Float, Float, Float) = (103.939, 116.779, 123.68)

    /// `size x size x 3` floats, HWC. `lungs` is the image's lung mask, used when `readsLungs` (without one the
    /// whole image is used: the caller has flagged that no lungs were found).
    public func networkInput(for image: RGBImage, lungs: BinaryMask? = nil) -> [Float] {
        let field = lungField.flatMap { settings in lungs.map { settings.apply(to: image, mask: $0) } } ?? image
        let scaled = field.croppingBorder(border).resized(width: size, height: size, mode: resize)
        let resized = intensity.readsLungs ? intensity.apply(to: scaled, measuredOn: image, lungs: lungs) : intensity.apply(to: scaled)
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
