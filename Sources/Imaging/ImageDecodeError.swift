/// Why an input could not be decoded; `description` names the file and the reason.
public struct ImageDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case empty
        case unreadable(String)                 // open/read failed (errno text)
        case notAnImage                         // magic bytes are neither PNG, JPEG nor DICOM
        case tooLarge(width: Int, height: Int, maxPixels: Int)
        case fileTooLarge(bytes: Int, maxBytes: Int)
        case corrupt(String)                    // decoder's own message, e.g. "Premature end of JPEG file"
        case refused(String)                    // a valid DICOM object that is not one greyscale radiograph (why)
    }
    public let file: String
    public let reason: Reason
    /// The format the bytes claimed to be, when the magic bytes were recognised; used in `description`.
    public let format: ImageFormat?

    public init(file: String, reason: Reason) {
        self.init(file: file, reason: reason, format: nil)
    }

    public init(file: String, reason: Reason, format: ImageFormat?) {
        self.file = file
        self.reason = reason
        self.format = format
    }

    /// For example `scan 1.jpg: truncated or corrupt JPEG (Premature end of JPEG file)`.
    public var description: String {
        "\(file): \(reasonText)"
    }

    /// The reason alone, as the ledger and the command line give it (one wording for both).
    public var reasonText: String {
        switch reason {
        case .empty:
            return "empty file (0 bytes)"
        case .unreadable(let why):
            return "unreadable (\(why))"
        case .notAnImage:
            return "not an image (neither PNG, JPEG nor DICOM content)"
        case .tooLarge(let width, let height, let maxPixels):
            return "\(width)x\(height) pixels is over the max_pixels limit of \(maxPixels)"
        case .fileTooLarge(let bytes, let maxBytes):
            return "\(bytes) bytes is over the max_bytes limit of \(maxBytes)"
        case .corrupt(let message):
            return "truncated or corrupt \(format?.rawValue ?? "image") (\(message))"
        case .refused(let message):
            return "\(format?.rawValue ?? "image") object not screened: \(message)"
        }
    }
}
