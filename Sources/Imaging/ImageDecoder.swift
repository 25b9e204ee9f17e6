import CImageIO

/// Decodes PNG and JPEG radiographs to 8-bit RGB exactly as OpenCV's `imread(IMREAD_COLOR)` would
/// (EXIF orientation applied, alpha dropped, 16-bit reduced to the high byte), and DICOM radiographs as
/// displayed (`DicomDecoder`), with typed errors.
public enum ImageDecoder {
    /// Decodes PNG or JPEG by content; `file` is only used in errors. The header is read first, so the
    /// pixels are decoded straight into the returned image's storage (one full-size buffer, not two).
    public static func decode(_ bytes: [UInt8], file: String, limits: ImageLimits = ImageLimits()) throws(ImageDecodeError) -> RGBImage {
        try decodeWithAttributes(bytes, file: file, limits: limits).image
    }

    /// A decoded image, with the DICOM attributes screening uses when it came from a DICOM file.
    public struct Decoded: Sendable {
        public let image: RGBImage
        public let dicom: DicomAttributes?
    }

    /// Decodes PNG, JPEG or DICOM by content, keeping a DICOM file's attributes (view, body part, UIDs).
    public static func decodeWithAttributes(_ bytes: [UInt8], file: String, limits: ImageLimits = ImageLimits()) throws(ImageDecodeError) -> Decoded {
        let (format, width, height) = try header(of: bytes, file: file, limits: limits)
        if format == .dicom {
            let (image, attributes) = try DicomDecoder.decode(bytes, width: width, height: height, file: file, limits: limits)
            return Decoded(image: image, dicom: attributes)
        }
        var result = cimageio_image()
        var status = CIMAGEIO_OK
        let (decodedWidth, decodedHeight) = decodedSize(format, width: width, height: height, limits: limits)
        result.minimum_long_side = Int32(format == .jpeg ? limits.jpegDecodeLongSide : 0)
        let pixels = [UInt8](unsafeUninitializedCapacity: decodedWidth * decodedHeight * 3) { buffer, initialized in
            result.destination = buffer.baseAddress
            result.destination_size = buffer.count
            status = run(format, on: bytes, maxPixels: limits.maxPixels, into: &result)
            initialized = status == CIMAGEIO_OK ? buffer.count : 0
        }
        guard status == CIMAGEIO_OK else { throw failure(status, &result, file: file, format: format, limits: limits) }
        precondition(Int(result.width) == decodedWidth && Int(result.height) == decodedHeight, "libjpeg scaled to another size than computed")
        let image = RGBImage(width: decodedWidth, height: decodedHeight, pixels: pixels)
        return Decoded(image: image.reoriented(exif: Int(result.exif_orientation)), dicom: nil)
    }

    /// The stored width and height (before EXIF rotation) from the header alone, with the format, after the
    /// same checks as `decode` (empty, too many bytes, not an image, too many pixels); no pixel is decoded.
    public static func header(of bytes: [UInt8], file: String, limits: ImageLimits = ImageLimits())
        throws(ImageDecodeError) -> (format: ImageFormat, width: Int, height: Int) {
        if bytes.isEmpty { throw ImageDecodeError(file: file, reason: .empty) }
        if bytes.count > limits.maxBytes {
            throw ImageDecodeError(file: file, reason: .fileTooLarge(bytes: bytes.count, maxBytes: limits.maxBytes))
        }
        guard let format = ImageFormat(sniffing: bytes) else {
            throw ImageDecodeError(file: file, reason: .notAnImage)
        }
        if format == .dicom {
            let header = try DicomDecoder.header(of: bytes, file: file, limits: limits)
            return (format, header.width, header.height)
        }
        // A pixel limit of 0 makes the shim stop after the header, reporting the size as "too large".
        var result = cimageio_image()
        let status = run(format, on: bytes, maxPixels: 0, into: &result)
        guard status == CIMAGEIO_TOO_LARGE else { throw failure(status, &result, file: file, format: format, limits: limits) }
        let width = Int(result.width), height = Int(result.height)
        guard width * height <= limits.maxPixels else {
            throw ImageDecodeError(file: file, reason: .tooLarge(width: width, height: height, maxPixels: limits.maxPixels), format: format)
        }
        return (format, width, height)
    }

    /// The size a file of `width x height` decodes to: a large JPEG at its reduced DCT scale, else as stored.
    public static func decodedSize(_ format: ImageFormat, width: Int, height: Int, limits: ImageLimits) -> (width: Int, height: Int) {
        guard format == .jpeg else { return (width, height) }
        let denominator = Int(cimageio_jpeg_scale_denominator(Int32(width), Int32(height), Int32(limits.jpegDecodeLongSide)))
        return ((width + denominator - 1) / denominator, (height + denominator - 1) / denominator)
    }

    private static func run(_ format: ImageFormat, on bytes: [UInt8], maxPixels: Int, into result: inout cimageio_image) -> cimageio_status {
        bytes.withUnsafeBufferPointer { buffer in
            switch format {
            case .png: cimageio_decode_png(buffer.baseAddress, buffer.count, Int64(maxPixels), &result)
            case .jpeg: cimageio_decode_jpeg(buffer.baseAddress, buffer.count, Int64(maxPixels), &result)
            case .dicom: preconditionFailure("DICOM goes through DicomDecoder")
            }
        }
    }

    private static func failure(_ status: cimageio_status, _ result: inout cimageio_image, file: String, format: ImageFormat,
                                limits: ImageLimits) -> ImageDecodeError {
        if status == CIMAGEIO_TOO_LARGE {
            return ImageDecodeError(
                file: file, reason: .tooLarge(width: Int(result.width), height: Int(result.height), maxPixels: limits.maxPixels),
                format: format)
        }
        // CIMAGEIO_LIBRARY_ERROR, or (rarely, after the pixel-limit check) CIMAGEIO_OUT_OF_MEMORY, whose
        // message says so: either way this file could not be decoded.
        return ImageDecodeError(file: file, reason: .corrupt(message(of: &result)), format: format)
    }

    /// Reads and decodes a file; errors name it by `path` as given (three `scan.png` in three folders stay apart).
    public static func decode(contentsOf path: String, limits: ImageLimits = ImageLimits()) throws(ImageDecodeError) -> RGBImage {
        try decodeWithAttributes(contentsOf: path, limits: limits).image
    }

    /// Reads and decodes a file, keeping a DICOM file's attributes; errors name it by `path` as given.
    public static func decodeWithAttributes(contentsOf path: String, limits: ImageLimits = ImageLimits()) throws(ImageDecodeError) -> Decoded {
        let bytes = try FileReader.read(path, name: path, maxBytes: limits.maxBytes)
        return try decodeWithAttributes(bytes, file: path, limits: limits)
    }

    private static func message(of result: inout cimageio_image) -> String {
        withUnsafeBytes(of: &result.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }
}
