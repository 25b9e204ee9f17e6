import Imaging
import Screening

/// A claimed input travelling through the pipeline.
struct WorkItem: Sendable {
    let claim: ClaimedInput
    /// Monotonic time of the claim, for `elapsed_ms`.
    let claimedAt: Double
}

/// A work item after reading, hashing and decoding.
struct PreparedItem: Sendable {
    enum Outcome: Sendable {
        /// Decoded: goes through the classifier.
        case image(RGBImage)
        /// Cannot be classified; the reason for the ledger.
        case rejected(String)
        /// Same content as an earlier `ok` row.
        case duplicate(of: LedgerRow)
    }

    let item: WorkItem
    let sha256: String
    let bytes: Int
    let outcome: Outcome

    var image: RGBImage? {
        if case .image(let image) = outcome { return image }
        return nil
    }
}
