/// The write-ahead record of one claimed input, kept as `.row` in its item folder from just before its
/// ledger row is appended until the input has left the work folder. After a crash it tells the recovery
/// exactly which row belongs to this claim (so it is appended once, never twice) and what is left to do.
struct Journal: Codable, Sendable {
    /// The row as appended (or about to be).
    var row: LedgerRow
    /// The input's name in the item folder.
    var input: [UInt8]
    /// This claim's own outbox copy, when it wrote one (removed again if the row became a duplicate).
    var ownOutput: [UInt8]?
    /// With `outbox_image: both`, this claim's plain copy beside it (removed with it).
    var plainOutput: [UInt8]?
    var disposition: Disposition

    enum Disposition: String, Codable, Sendable {
        case archive, rejected, delete
    }

    static let fileName = FileName(".row")
}
