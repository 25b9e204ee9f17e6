import CDicom

/// What a DICOM file says about itself that screening uses; nothing that identifies the patient.
public struct DicomAttributes: Sendable, Equatable {
    public var modality: String
    /// `PA`, `AP`, `LL`, `RL`, `LATERAL`, ... (empty when absent).
    public var viewPosition: String
    /// `CHEST`, ... (empty when absent).
    public var bodyPart: String
    public var sopInstanceUID: String
    public var studyInstanceUID: String
    public var transferSyntax: String
    public var photometric: String
    public var bitsStored: Int
    /// Which VOI transformation gave the grey levels: `VOI LUT`, `window` or `min-max`.
    public var voi: String

    /// Why the models must not judge this object although it decoded: a lateral view, or a body part other
    /// than the chest. nil for a frontal chest radiograph or when the attributes are absent.
    public var notFrontalChestReason: String? {
        let view = viewPosition.uppercased()
        if ["LL", "RL", "LATERAL", "LAT", "LLD", "RLD"].contains(view) {
            return "DICOM ViewPosition \(viewPosition): a lateral view; the models read frontal (PA/AP) chest radiographs"
        }
        let part = bodyPart.uppercased()
        if !part.isEmpty, part != "CHEST", part != "THORAX", part != "LUNG" {
            return "DICOM BodyPartExamined \(bodyPart): not a chest radiograph"
        }
        return nil
    }
}

/// DICOM decoding through the CDicom shim over DCMTK: one greyscale frame as displayed (MONOCHROME1
/// inverted; Rescale Slope/Intercept applied; then the file's VOI LUT if it has one, else its first window
/// centre/width, else its full range), replicated to RGB like a greyscale PNG.
enum DicomDecoder {
    /// Size and attributes only (no pixel decoded), after the checks that refuse the object.
    static func header(of bytes: [UInt8], file: String, limits: ImageLimits) throws(ImageDecodeError) -> (width: Int, height: Int, attributes: DicomAttributes) {
        var result = cdicom_image()
        let status = run(bytes, maxPixels: 0, into: &result)
        guard status == CDICOM_TOO_LARGE else { throw failure(status, &result, file: file, limits: limits) }
        let (width, height) = (Int(result.width), Int(result.height))
        guard width * height <= limits.maxPixels else {
            throw ImageDecodeError(file: file, reason: .tooLarge(width: width, height: height, maxPixels: limits.maxPixels), format: .dicom)
        }
        return (width, height, attributes(of: &result))
    }

    /// The pixels of an object whose header (`width` x `height`) the caller has read and checked.
    static func decode(_ bytes: [UInt8], width: Int, height: Int, file: String, limits: ImageLimits) throws(ImageDecodeError) -> (RGBImage, DicomAttributes) {
        var grey = [UInt8](repeating: 0, count: width * height)
        var result = cdicom_image()
        let status = grey.withUnsafeMutableBufferPointer { buffer in
            result.destination = buffer.baseAddress
            result.destination_size = buffer.count
            return run(bytes, maxPixels: limits.maxPixels, into: &result)
        }
        guard status == CDICOM_OK, Int(result.width) == width, Int(result.height) == height else {
            throw failure(status, &result, file: file, limits: limits)
        }
        let attributes = attributes(of: &result)
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        rgb.withUnsafeMutableBufferPointer { output in
            for (index, value) in grey.enumerated() { output[3 * index] = value; output[3 * index + 1] = value; output[3 * index + 2] = value }
        }
        return (RGBImage(width: width, height: height, pixels: rgb), attributes)
    }

    private static func run(_ bytes: [UInt8], maxPixels: Int, into result: inout cdicom_image) -> cdicom_status {
        bytes.withUnsafeBufferPointer { cdicom_decode($0.baseAddress, $0.count, Int64(maxPixels), &result) }
    }

    private static func failure(_ status: cdicom_status, _ result: inout cdicom_image, file: String, limits: ImageLimits) -> ImageDecodeError {
        let message = text(&result.message)
        switch status {
        case CDICOM_TOO_LARGE:
            return ImageDecodeError(file: file, reason: .tooLarge(width: Int(result.width), height: Int(result.height), maxPixels: limits.maxPixels), format: .dicom)
        case CDICOM_REFUSED:
            return ImageDecodeError(file: file, reason: .refused(message), format: .dicom)
        default:
            return ImageDecodeError(file: file, reason: .corrupt(message), format: .dicom)
        }
    }

    private static func attributes(of result: inout cdicom_image) -> DicomAttributes {
        DicomAttributes(modality: text(&result.modality), viewPosition: text(&result.view_position), bodyPart: text(&result.body_part),
                        sopInstanceUID: text(&result.sop_instance_uid), studyInstanceUID: text(&result.study_instance_uid),
                        transferSyntax: text(&result.transfer_syntax), photometric: text(&result.photometric),
                        bitsStored: Int(result.bits_stored), voi: text(&result.voi))
    }

    /// A NUL-terminated C character array as a String.
    private static func text<T>(_ tuple: inout T) -> String {
        withUnsafeBytes(of: &tuple) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
