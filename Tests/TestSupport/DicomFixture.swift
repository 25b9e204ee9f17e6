import CDicom
import Foundation

/// A DICOM object for tests, written with DCMTK's API through the CDicom shim (fixtures are made at test
/// time from pixels in memory, never committed).
public struct DicomFixture {
    public var width: Int
    public var height: Int
    /// 8 or 16.
    public var bitsAllocated = 8
    public var bitsStored = 8
    /// Samples, row-major: values of `bitsStored` bits.
    public var samples: [Int]
    public var photometric = "MONOCHROME2"
    public var modality: String? = "DX"
    public var viewPosition: String? = "PA"
    public var bodyPart: String? = "CHEST"
    public var sopInstanceUID: String? = "1.2.826.0.1.3680043.10.1234.1"
    public var studyInstanceUID: String? = "1.2.826.0.1.3680043.10.1234.2"
    public var patientName: String? = "Doe^Jane"
    public var rescaleSlope = 1.0
    public var rescaleIntercept = 0.0
    public var windowCenter = 0.0
    /// 0: no window in the file.
    public var windowWidth = 0.0
    public var frames = 1
    /// `explicit-little`, `jpeg-baseline`, `jpeg-lossless`, `jpeg-ls-lossless` or `rle`.
    public var transferSyntax = "explicit-little"
    /// Without PixelData (e.g. a structured report).
    public var withoutPixels = false

    public init(width: Int, height: Int, samples: [Int]) {
        precondition(samples.count == width * height)
        self.width = width; self.height = height; self.samples = samples
    }

    /// An 8-bit greyscale object from RGB pixels (their first channel).
    public init(width: Int, height: Int, rgb: [UInt8]) {
        self.init(width: width, height: height, samples: stride(from: 0, to: rgb.count, by: 3).map { Int(rgb[$0]) })
    }

    public struct WriteError: Error, CustomStringConvertible { public let description: String }

    public func write(to path: String) throws {
        let modality = modality, view = viewPosition, body = bodyPart, sop = sopInstanceUID, study = studyInstanceUID, patient = patientName
        var message = [CChar](repeating: 0, count: Int(CDICOM_MESSAGE_CAPACITY))
        let status: cdicom_status = withOptionalCStrings([photometric, modality, view, body, sop, study, patient, transferSyntax]) { strings in
            let pixels8 = samples.map { UInt8(clamping: $0) }, pixels16 = samples.map { UInt16(clamping: $0) }
            return pixels8.withUnsafeBytes { bytes8 in
                pixels16.withUnsafeBytes { bytes16 in
                    var object = cdicom_test_object()
                    object.width = Int32(width); object.height = Int32(height)
                    object.bits_allocated = Int32(bitsAllocated); object.bits_stored = Int32(bitsStored)
                    object.pixels = withoutPixels ? nil : (bitsAllocated == 8 ? bytes8.baseAddress : bytes16.baseAddress)
                    object.photometric = strings[0]; object.modality = strings[1]; object.view_position = strings[2]
                    object.body_part = strings[3]; object.sop_instance_uid = strings[4]; object.study_instance_uid = strings[5]
                    object.patient_name = strings[6]; object.transfer_syntax = strings[7]
                    object.rescale_slope = rescaleSlope; object.rescale_intercept = rescaleIntercept
                    object.window_center = windowCenter; object.window_width = windowWidth
                    object.frames = Int32(frames)
                    return message.withUnsafeMutableBufferPointer { cdicom_write_test_file(path, &object, $0.baseAddress) }
                }
            }
        }
        guard status == CDICOM_OK else {
            throw WriteError(description: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }
}

/// C strings for optional Swift strings (nil stays NULL), valid inside `body`.
private func withOptionalCStrings<R>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = values.map { $0.map { strdup($0) } ?? nil }
    defer { for copy in copies { free(copy) } }
    return body(copies.map { $0.map { UnsafePointer($0) } })
}
