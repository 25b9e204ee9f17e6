import Foundation
import Imaging

/// Augmentation for lung segmentation, safe for anatomy: the same rotation and zoom move the image and its
/// mask together; contrast, brightness, gamma, noise and a resolution round-trip change only the image.
///
/// No flips: the heart lies on the patient's left, so the left lung is the smaller one with the cardiac
/// notch; a mirrored radiograph is not an anatomy the segmenter will meet (and the right/left area ratio
/// that flags implausible masks relies on it).
public struct LungAugmentation: Sendable, Codable, Equatable {
    /// Versions per training image, including the original (draw 0).
    public var draws = 6
    public var rotation = 10.0
    public var scale = 0.12
    public var contrast = 0.3
    public var brightness = 0.1
    /// Gamma drawn log-uniformly within [1 / (1 + gamma), 1 + gamma].
    public var gamma = 0.5
    /// Largest standard deviation of added Gaussian noise, in pixel levels.
    public var noise = 8.0
    /// Smallest long side of the resolution round-trip (down with area averaging, back up bilinearly).
    public var smallestSide = 128

    public init() {}

    /// The image and mask of draw `draw` (0: unchanged), the same for the same `key` on every run.
    public func apply(to image: RGBImage, mask: BinaryMask, key: String, draw: Int) -> (RGBImage, BinaryMask) {
        guard draw > 0 else { return (image, mask) }
        var random = SeededRandom(seed: 0x1A46_A0A0, key: "\(key)#\(draw)")
        let angle = random.uniform(-rotation, rotation), zoom = 1 + random.uniform(-scale, scale)
        let contrastFactor = 1 + random.uniform(-contrast, contrast), shift = 255 * random.uniform(-brightness, brightness)
        let gammaValue = exp(random.uniform(-log(1 + gamma), log(1 + gamma)))
        let sigma = random.uniform(0, noise)
        let side = smallestSide + random.index(below: max(1, 512 - smallestSide + 1))

        func geometry(_ picture: RGBImage) -> RGBImage { picture.scaledAboutCentre(zoom).rotated(degrees: angle) }
        var augmented = geometry(image).adjusted(contrast: contrastFactor, brightness: shift).gammaAdjusted(gammaValue)
        let long = max(augmented.width, augmented.height)
        if side < long {
            let factor = Double(side) / Double(long)
            let (width, height) = (max(1, Int(Double(augmented.width) * factor)), max(1, Int(Double(augmented.height) * factor)))
            augmented = augmented.resized(width: width, height: height, mode: .area).resized(width: image.width, height: image.height, mode: .cv2Linear)
        }
        augmented = augmented.withNoise(sigma: sigma, random: &random)
        return (augmented, BinaryMask(image: geometry(mask.asImage())))
    }
}

extension RGBImage {
    /// 255 * (p / 255)^gamma on every channel.
    func gammaAdjusted(_ gamma: Double) -> RGBImage {
        let table = (0...255).map { UInt8((255 * pow(Double($0) / 255, gamma)).rounded()) }
        return RGBImage(width: width, height: height, pixels: pixels.map { table[Int($0)] })
    }

    /// Gaussian noise of deviation `sigma` levels, the same on the three channels of a pixel (grey stays grey).
    func withNoise(sigma: Double, random: inout SeededRandom) -> RGBImage {
        guard sigma > 0 else { return self }
        var output = pixels
        for pixel in stride(from: 0, to: output.count, by: 3) {
            let delta = random.normal() * sigma
            for channel in 0..<3 { output[pixel + channel] = UInt8(clamping: Int((Double(output[pixel + channel]) + delta).rounded())) }
        }
        return RGBImage(width: width, height: height, pixels: output)
    }
}

extension BinaryMask {
    /// Black and white RGB, for geometry shared with images and for drawing.
    public func asImage() -> RGBImage {
        RGBImage(width: width, height: height, pixels: pixels.flatMap { $0 ? [255, 255, 255] : [0, 0, 0] })
    }
}
