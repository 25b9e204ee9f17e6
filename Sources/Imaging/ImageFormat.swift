/// The container formats the decoder accepts, recognised by their magic bytes (never by file extension).
public enum ImageFormat: String, Sendable, Equatable, CaseIterable {
    case png = "PNG"
    case jpeg = "JPEG"
    /// A DICOM Part 10 file: a 128-byte preamble, then `DICM`.
    case dicom = "DICOM"

    /// The format whose signature starts `bytes`, or nil.
    public init?(sniffing bytes: [UInt8]) {
        let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let jpegSignature: [UInt8] = [0xFF, 0xD8, 0xFF]
        if bytes.starts(with: pngSignature) {
            self = .png
        } else if bytes.starts(with: jpegSignature) {
            self = .jpeg
        } else if bytes.count >= 132, bytes[128..<132].elementsEqual("DICM".utf8) {
            self = .dicom
        } else {
            return nil
        }
    }
}
