// PUBLIC API SKETCH of the Imaging target (to be replaced by the real implementation, file by file).
// Other targets program against exactly these names.

/// Limits checked before any pixel memory is allocated.
public struct ImageLimits: Sendable, Equatable {
    /// Largest width x height accepted (default 64 megapixels).
    public var maxPixels: Int
    /// Largest file size accepted, in bytes (default 256 MiB).
    public var maxBytes: Int
    public init(maxPixels: Int = 64_000_000, maxBytes: Int = 256 << 20) {
        self.maxPixels = maxPixels
        self.maxBytes = maxBytes
    }
}

/// Why an input could not be decoded; `description` names the file and the reason.
public struct ImageDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case empty
        case unreadable(String)                 // open/read failed (errno text)
        case notAnImage                         // magic bytes are neither PNG nor JPEG
        case tooLarge(width: Int, height: Int, maxPixels: Int)
        case fileTooLarge(bytes: Int, maxBytes: Int)
        case corrupt(String)                    // decoder's own message, e.g. "Premature end of JPEG file"
    }
    public let file: String
    public let reason: Reason
    public init(file: String, reason: Reason) { self.file = file; self.reason = reason }
    public var description: String { fatalError("sketch") }
}

public enum ImageDecoder {
    /// Decodes PNG or JPEG by content; `file` is only used in errors.
    public static func decode(_ bytes: [UInt8], file: String, limits: ImageLimits = ImageLimits()) throws(ImageDecodeError) -> RGBImage { fatalError("sketch") }
    /// Reads and decodes a file.
    public static func decode(contentsOf path: String, limits: ImageLimits = ImageLimits()) throws(ImageDecodeError) -> RGBImage { fatalError("sketch") }
}

public struct ImageEncodeError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { "PNG encoding failed: \(reason)" }
}

public enum PNGEncoder {
    /// Lossless 8-bit RGB PNG.
    public static func encode(_ image: RGBImage) throws(ImageEncodeError) -> [UInt8] { fatalError("sketch") }
}

/// How an image is scaled to the network's input size.
public enum ResizeMode: String, Sendable, Codable, CaseIterable {
    /// Antialiased box filter, OpenCV INTER_AREA semantics (default).
    case area
    /// OpenCV INTER_LINEAR semantics, as the tutorial resized.
    case cv2Linear = "cv2-linear"
}

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
    /// `size x size x 3` floats, HWC.
    public func networkInput(for image: RGBImage) -> [Float] { fatalError("sketch") }
}

extension RGBImage {
    public func resized(width: Int, height: Int, mode: ResizeMode) -> RGBImage { fatalError("sketch") }
    /// Rotation about the centre by `degrees` (counter-clockwise), nearest-neighbour sampling,
    /// Keras `fill_mode="nearest"` (outside pixels take the nearest edge pixel). Training augmentation.
    public func rotated(degrees: Double) -> RGBImage { fatalError("sketch") }
}
