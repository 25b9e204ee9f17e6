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

    public init() {}

    public init(draws: Int, rotation: Double, contrast: Double = 0, brightness: Double = 0, scale: Double = 0) {
        self.draws = draws; self.rotation = rotation; self.contrast = contrast
        self.brightness = brightness; self.scale = scale
    }

    public func validate() throws(DatasetError) {
        func check(_ ok: Bool, _ message: String) throws(DatasetError) {
            if !ok { throw DatasetError(file: "(options)", reason: message) }
        }
        try check(draws >= 1, "--augment-draws must be at least 1 (1 = original images only)")
        try check(rotation >= 0 && rotation <= 180, "--rotation must be within 0...180 degrees")
        try check(contrast >= 0 && contrast < 1, "--contrast must be within [0, 1)")
        try check(brightness >= 0 && brightness < 1, "--brightness must be within [0, 1)")
        try check(scale >= 0 && scale < 1, "--scale must be within [0, 1)")
        try check(ImageAugmentation.available || (contrast == 0 && brightness == 0 && scale == 0),
                  "--contrast, --brightness and --scale are not available in this build yet")
    }

    /// The transform of draw `draw` of the image with content hash `imageSHA256`: the same on every
    /// run, so cached features stay valid whatever the training seed. Draw 0 is the identity.
    public func transform(imageSHA256: String, draw: Int) -> AugmentationTransform {
        guard draw > 0 else { return .identity }
        var random = SeededRandom(seed: 0xA06_3E17, key: "\(imageSHA256)#\(draw)")
        return AugmentationTransform(
            rotation: random.uniform(-rotation, rotation),
            contrast: 1 + random.uniform(-contrast, contrast),
            brightness: 255 * random.uniform(-brightness, brightness),
            scale: 1 + random.uniform(-scale, scale))
    }

    /// What the cache key records of these settings for draw `draw` (draw 0 does not depend on them).
    public func cacheDescription(draw: Int) -> String {
        draw == 0 ? "original" : "draw=\(draw);rotation=\(rotation);contrast=\(contrast);brightness=\(brightness);scale=\(scale)"
    }
}

/// One concrete augmentation: rotation (degrees, counter-clockwise), contrast factor, brightness
/// shift in pixel levels, zoom factor.
public struct AugmentationTransform: Sendable, Equatable {
    public var rotation: Double
    public var contrast: Double
    public var brightness: Double
    public var scale: Double

    public static let identity = AugmentationTransform(rotation: 0, contrast: 1, brightness: 0, scale: 1)

    public func apply(to image: RGBImage) -> RGBImage {
        var result = image
        if scale != 1 { result = ImageAugmentation.scaledAboutCentre(result, factor: scale) }
        if rotation != 0 { result = result.rotated(degrees: rotation) }
        if contrast != 1 || brightness != 0 {
            result = ImageAugmentation.adjusted(result, contrast: contrast, brightness: brightness)
        }
        return result
    }
}
