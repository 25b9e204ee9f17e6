import Imaging
import Screening

/// A claimed input travelling through the pipeline.
struct WorkItem: Sendable {
    let claim: ClaimedInput
    /// Monotonic time of the claim, for `elapsed_ms`.
    let claimedAt: Double
    /// The input's status when it was claimed (nil for recovered claims): a file that changed since was
    /// still being written.
    var claimedStatus: FileStatus? = nil
}

/// A work item read and hashed, with its pixel count from the image header; not decoded yet.
struct ReadInput: Sendable {
    let item: WorkItem
    let sha256: String
    let bytes: [UInt8]
    /// Width x height as stored (what the decoded image will hold).
    let pixels: Int
}

/// A work item after reading, hashing and decoding.
struct PreparedItem: Sendable {
    enum Outcome: Sendable {
        /// Decoded: goes through the classifier.
        case image(RGBImage)
        /// Cannot be classified; the reason for the ledger.
        case rejected(String)
        /// Content this instance's ledger index already has an `ok` row for: not decoded or classified. The
        /// ledger makes (under its lock) the row a `duplicate` of that earlier one.
        case seenBefore
        /// Truncated or corrupt, but changed since the claim or modified recently: probably still being
        /// written, so it goes back to the inbox to settle again; the reason is used if it cannot.
        case incomplete(String)
    }

    let item: WorkItem
    let sha256: String
    let bytes: Int
    let outcome: Outcome
    /// Pixels reserved in the service's budget for this item's image, given back when it is finished.
    var reservedPixels = 0
    /// A DICOM input's attributes (view, body part, UIDs).
    var dicom: DicomAttributes? = nil

    var image: RGBImage? {
        if case .image(let image) = outcome { return image }
        return nil
    }
}
