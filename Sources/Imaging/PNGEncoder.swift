import CImageIO

/// Why a PNG could not be written.
public struct ImageEncodeError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { "PNG encoding failed: \(reason)" }
}

/// Writes decoded images back out (the outbox copies) without losing a bit.
public enum PNGEncoder {
    /// Lossless 8-bit RGB PNG.
    public static func encode(_ image: RGBImage) throws(ImageEncodeError) -> [UInt8] {
        var data: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: Int(CIMAGEIO_MESSAGE_CAPACITY))
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            cimageio_encode_png(pixels.baseAddress, Int32(image.width), Int32(image.height), &data, &size, &message)
        }
        guard status == CIMAGEIO_OK, let data else {
            throw ImageEncodeError(reason: String(decoding: message.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        defer { cimageio_free(data) }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }
}
