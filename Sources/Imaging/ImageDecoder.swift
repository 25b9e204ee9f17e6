import CImageIO

/// Decodes PNG and JPEG radiographs to 8-bit RGB exactly as OpenCV's `imread(IMREAD_COLOR)` would
/// (EXIF orientation applied, alpha dropped, 16-bit reduced to the high byte), with typed errors.
public enum ImageDecoder {
    /// Decodes PNG or JPEG by content; `file` is only used in errors.
    public static func decode(_ bytes: [UInt8], file: String, limits: ImageLimits = ImageLimits()) throws(ImageDecodeError) -> RGBImage {
        if bytes.isEmpty { throw ImageDecodeError(file: file, reason: .empty) }
        if bytes.count > limits.maxBytes {
            throw ImageDecodeError(file: file, reason: .fileTooLarge(bytes: bytes.count, maxBytes: limits.maxBytes))
        }
        guard let format = ImageFormat(sniffing: bytes) else {
            throw ImageDecodeError(file: file, reason: .notAnImage)
        }
        var result = cimageio_image()
        let status = bytes.withUnsafeBufferPointer { buffer in
            switch format {
            case .png: cimageio_decode_png(buffer.baseAddress, buffer.count, Int64(limits.maxPixels), &result)
            case .jpeg: cimageio_decode_jpeg(buffer.baseAddress, buffer.count, Int64(limits.maxPixels), &result)
            }
        }
        switch status {
        case CIMAGEIO_OK:
            defer { cimageio_free(result.pixels) }
            let width = Int(result.width), height = Int(result.height)
            let pixels = Array(UnsafeBufferPointer(start: result.pixels, count: width * height * 3))
            let image = RGBImage(width: width, height: height, pixels: pixels)
            return image.reoriented(exif: Int(result.exif_orientation))
        case CIMAGEIO_TOO_LARGE:
            throw ImageDecodeError(
                file: file, reason: .tooLarge(width: Int(result.width), height: Int(result.height), maxPixels: limits.maxPixels),
                format: format)
        default:
            throw ImageDecodeError(file: file, reason: .corrupt(message(of: &result)), format: format)
        }
    }

    /// Reads and decodes a file; errors name the file by its last path component.
    public static func decode(contentsOf path: String, limits: ImageLimits = ImageLimits()) throws(ImageDecodeError) -> RGBImage {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let bytes = try FileReader.read(path, name: name, maxBytes: limits.maxBytes)
        return try decode(bytes, file: name, limits: limits)
    }

    private static func message(of result: inout cimageio_image) -> String {
        withUnsafeBytes(of: &result.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }
}
