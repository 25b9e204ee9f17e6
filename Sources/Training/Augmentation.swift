import Foundation
import Imaging

/// Which augmented copies of each training image are extracted: the backbone is too expensive to run
/// every epoch, so `draws` versions are computed once (draw 0 = the original image, draws 1... = random
/// transforms) and cached; each epoch then picks one draw per training image. Validation and evaluation
/// always use draw 0.
public struct AugmentationSettings: Sendable, Codable, Equatable {
    /// Versions per image, including the original (1 = no augmentation).
    public var draws = 4
    /// Rotation uniformly within +-`rotation` degrees, nearest fill (the tutorial's 15).
    public var rotation = 15.0
    /// Contrast factor uniformly within 1 +- `contrast` (0 = off).
    public var contrast = 0.0
    /// Brightness shift uniformly within +- `brightness` of the full 0...255 range (0 = off).
    public var brightness = 0.0
    /// Zoom about the centre uniformly within 1 +- `scale` (0 = off).
    public var scale = 0.0
    /// Processing shift, so that a verdict does not depend on how a site stores its images (all 0 = off):
    /// gamma log-uniformly within [1 / (1 + gamma), 1 + gamma];
    public var gamma = 0.0
    /// Gaussian noise with a deviation uniformly within [0, noise] pixel levels;
    public var noise = 0.0
    /// the long side stored at a size uniformly within [smallestSide, 512] (only ever smaller), as archives
    /// and publications keep small copies;
    public var smallestSide = 0
    /// re-encoded as JPEG at a quality uniformly within [jpegQuality, 95].
    public var jpegQuality = 0

    public init() {}

    public init(draws: Int, rotation: Double, contrast: Double = 0, brightness: Double = 0, scale: Double = 0,
                gamma: Double = 0, noise: Double = 0, smallestSide: Int = 0, jpegQuality: Int = 0) {
        self.draws = draws; self.rotation = rotation; self.contrast = contrast
        self.brightness = brightness; self.scale = scale
        self.gamma = gamma; self.noise = noise; self.smallestSide = smallestSide; self.jpegQuality = jpegQuality
    }

    private enum CodingKeys: String, CodingKey { case draws, rotation, contrast, brightness, scale, gamma, noise, smallestSide, jpegQuality }

    /// Reports and manifests written before the processing-shift settings existed read them as off.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(draws: try container.decode(Int.self, forKey: .draws), rotation: try container.decode(Double.self, forKey: .rotation),
                  contrast: try container.decode(Double.self, forKey: .contrast), brightness: try container.decode(Double.self, forKey: .brightness),
                  scale: try container.decode(Double.self, forKey: .scale),
                  gamma: try container.decodeIfPresent(Double.self, forKey: .gamma) ?? 0,
                  noise: try container.decodeIfPresent(Double.self, forKey: .noise) ?? 0,
                  smallestSide: try container.decodeIfPresent(Int.self, forKey: .smallestSide) ?? 0,
                  jpegQuality: try container.decodeIfPresent(Int.self, forKey: .jpegQuality) ?? 0)
    }

    /// Checks ranges, so a bad setting fails before any work.
    public func validate() throws(SettingError) {
        try SettingError.check(draws >= 1, .augmentationDraws, draws, "at least 1 (1 = original images only)")
        try SettingError.check(rotation >= 0 && rotation <= 180, .rotation, rotation, "within 0...180 degrees")
        try SettingError.check(contrast >= 0 && contrast < 1, .contrast, contrast, "within [0, 1)")
        try SettingError.check(brightness >= 0 && brightness < 1, .brightness, brightness, "within [0, 1)")
        try SettingError.check(scale >= 0 && scale < 1, .scale, scale, "within [0, 1)")
        try SettingError.check(gamma >= 0 && gamma <= 2, .gamma, gamma, "within 0...2")
        try SettingError.check(noise >= 0 && noise <= 50, .noise, noise, "within 0...50 pixel levels")
        try SettingError.check(smallestSide == 0 || (32...512).contains(smallestSide), .smallestSide, smallestSide, "0 (off) or within 32...512")
        try SettingError.check(jpegQuality == 0 || (10...95).contains(jpegQuality), .jpegQuality, jpegQuality, "0 (off) or within 10...95")
    }

    /// The transform of draw `draw` of the image with content hash `imageSHA256`: the same on every
    /// run, so cached features stay valid whatever the training seed. Draw 0 is the identity.
    public func transform(imageSHA256: String, draw: Int) -> AugmentationTransform {
        guard draw > 0 else { return .identity }
        var random = SeededRandom(seed: 0xA06_3E17, key: "\(imageSHA256)#\(draw)")
        var transform = AugmentationTransform(
            rotation: random.uniform(-rotation, rotation),
            contrast: 1 + random.uniform(-contrast, contrast),
            brightness: 255 * random.uniform(-brightness, brightness),
            scale: 1 + random.uniform(-scale, scale))
        // Drawn after the original four, so transforms of earlier settings stay the same.
        if gamma > 0 { transform.gamma = exp(random.uniform(-log(1 + gamma), log(1 + gamma))) }
        if noise > 0 { transform.noise = random.uniform(0, noise); transform.noiseSeed = random.next() }
        if smallestSide > 0 { transform.longSide = smallestSide + random.index(below: 512 - smallestSide + 1) }
        if jpegQuality > 0 { transform.jpegQuality = jpegQuality + random.index(below: 95 - jpegQuality + 1) }
        return transform
    }

    /// What the cache key records of these settings for draw `draw` (draw 0 does not depend on them).
    public func cacheDescription(draw: Int) -> String {
        guard draw > 0 else { return "original" }
        var text = "draw=\(draw);rotation=\(rotation);contrast=\(contrast);brightness=\(brightness);scale=\(scale)"
        if gamma > 0 || noise > 0 || smallestSide > 0 || jpegQuality > 0 {
            text += ";gamma=\(gamma);noise=\(noise);side=\(smallestSide);jpeg=\(jpegQuality)"
        }
        return text
    }
}

/// One concrete augmentation: rotation (degrees, counter-clockwise), contrast factor, brightness
/// shift in pixel levels, zoom factor; then the processing shift: gamma, noise, a smaller stored size and
/// a JPEG round trip (each 1 or 0 = none).
public struct AugmentationTransform: Sendable, Equatable {
    public var rotation: Double
    public var contrast: Double
    public var brightness: Double
    public var scale: Double
    public var gamma = 1.0
    public var noise = 0.0
    public var noiseSeed: UInt64 = 0
    /// Long side of the stored copy in pixels (0 = as is).
    public var longSide = 0
    public var jpegQuality = 0

    public init(rotation: Double, contrast: Double, brightness: Double, scale: Double) {
        self.rotation = rotation; self.contrast = contrast; self.brightness = brightness; self.scale = scale
    }

    public static let identity = AugmentationTransform(rotation: 0, contrast: 1, brightness: 0, scale: 1)

    public func apply(to image: RGBImage) -> RGBImage {
        var result = image
        if scale != 1 { result = result.scaledAboutCentre(scale) }
        if rotation != 0 { result = result.rotated(degrees: rotation) }
        if contrast != 1 || brightness != 0 { result = result.adjusted(contrast: contrast, brightness: brightness) }
        if gamma != 1 { result = result.gammaAdjusted(gamma) }
        if noise > 0 {
            var random = SeededRandom(seed: noiseSeed)
            result = result.withNoise(sigma: noise, random: &random)
        }
        if longSide > 0 { result = result.storedSmaller(longSide: longSide) }
        if jpegQuality > 0 { result = result.jpegRoundTrip(quality: jpegQuality) }
        return result
    }
}

extension RGBImage {
    /// Shrunk (area averaging) so that its long side is at most `longSide`: how archives keep small copies.
    public func storedSmaller(longSide: Int) -> RGBImage {
        let long = max(width, height)
        guard longSide < long else { return self }
        let factor = Double(longSide) / Double(long)
        return resized(width: max(1, Int((Double(width) * factor).rounded())), height: max(1, Int((Double(height) * factor).rounded())), mode: .area)
    }

    /// Encoded as JPEG at `quality` and decoded again (unchanged if either step fails, which libjpeg does not
    /// do for valid RGB).
    public func jpegRoundTrip(quality: Int) -> RGBImage {
        guard let bytes = try? JPEGEncoder.encode(self, quality: quality),
              let decoded = try? ImageDecoder.decode(bytes, file: "(JPEG round trip)") else { return self }
        return decoded
    }
}
