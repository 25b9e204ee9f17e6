import CImageIO

/// Why an image could not be encoded.
public struct ImageEncodeError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    /// `PNG` or `JPEG`.
    public var format = "PNG"
    public var description: String { "\(format) encoding failed: \(reason)" }
}

/// Writes decoded images back out (the outbox copies) without losing a bit.
public enum PNGEncoder {
    /// Lossless 8-bit RGB PNG.
    public static func encode(_ image: RGBImage) throws(ImageEncodeError) -> [UInt8] {
        try encodedBytes(image).withUnsafeBytes { Array($0) }
    }

    /// Lossless 8-bit RGB PNG, left in the encoder's buffer: for a large image written straight to a file,
    /// this saves a copy as large as the file (up to 190 MB for a 64-megapixel photograph).
    public static func encodedBytes(_ image: RGBImage) throws(ImageEncodeError) -> EncodedBytes {
        try CEncoder.run(format: "PNG") { data, size, message in
            image.pixels.withUnsafeBufferPointer { pixels in
                cimageio_encode_png(pixels.baseAddress, Int32(image.width), Int32(image.height), &data, &size, message)
            }
        }
    }
}

/// An encoded file in the buffer the C encoder allocated, freed with this object.
public final class EncodedBytes: @unchecked Sendable {   // immutable after creation
    private let pointer: UnsafeMutablePointer<UInt8>
    public let count: Int

    fileprivate init(taking pointer: UnsafeMutablePointer<UInt8>, count: Int) {
        self.pointer = pointer
        self.count = count
    }

    deinit { cimageio_free(pointer) }

    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}

/// Baseline JPEG at a given quality: what many archives store, for processing-shift augmentation and probes.
public enum JPEGEncoder {
    public static func encode(_ image: RGBImage, quality: Int) throws(ImageEncodeError) -> [UInt8] {
        precondition((1...100).contains(quality), "JPEG quality is 1...100")
        return try CEncoder.run(format: "JPEG") { data, size, message in
            image.pixels.withUnsafeBufferPointer { pixels in
                cimageio_encode_jpeg(pixels.baseAddress, Int32(image.width), Int32(image.height), Int32(quality), &data, &size, message)
            }
        }.withUnsafeBytes { Array($0) }
    }
}

/// Calls one of the shim's encoders and takes its malloc'd output.
private enum CEncoder {
    static func run(format: String, _ call: (inout UnsafeMutablePointer<UInt8>?, inout Int, UnsafeMutablePointer<CChar>) -> cimageio_status)
        throws(ImageEncodeError) -> EncodedBytes {
        var data: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: Int(CIMAGEIO_MESSAGE_CAPACITY))
        let status = message.withUnsafeMutableBufferPointer { call(&data, &size, $0.baseAddress!) }
        guard status == CIMAGEIO_OK, let data else {
            throw ImageEncodeError(reason: String(decoding: message.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self), format: format)
        }
        return EncodedBytes(taking: data, count: size)
    }
}
