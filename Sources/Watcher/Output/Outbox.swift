import Glibc
import Imaging
import Screening

/// Writes outbox copies durably and never over an existing file: a hidden temporary (`.tmp-<claim>.png`)
/// is written and fsynced, hard-linked to the final name (`_2`, `_3`... on a clash), and the folder fsynced.
/// The temporary stays until the ledger row is written, so after a crash its link count tells whether the
/// final name exists (and which one: the entry with the same inode).
public struct Outbox: Sendable {
    public let folder: Directory

    public init(folder: Directory) { self.folder = folder }

    /// Longest file name most filesystems accept.
    static let nameLimit = 255

    /// The tutorial web app's name: `POSITIVE_Prob_96_Name_<original file name>.png`, built from the name's
    /// escaped form (`FileName.escaped`, as the ledger writes it), so it is always valid UTF-8 and the
    /// ledger's `output_file` names it exactly. A very long original name is shortened (at a character
    /// boundary, never inside a `%XX` escape) so the name, plus a `_NNN` clash suffix, still fits.
    public static func outputName(result: ScreeningResult, prob: Int, original: FileName) -> FileName {
        let prefix = Array("\(result.rawValue)_Prob_\(prob)_Name_".utf8)
        let suffix = Array(".png".utf8)
        let room = nameLimit - prefix.count - suffix.count - 6
        var middle = Array(original.escaped.utf8)
        if middle.count > room {
            middle = Array(middle.prefix(room))
            while let last = middle.last, last & 0xC0 == 0x80 { middle.removeLast() }   // continuation bytes
            if let last = middle.last, last >= 0xC0 { middle.removeLast() }              // a cut lead byte
            if let percent = middle.suffix(2).lastIndex(of: UInt8(ascii: "%")) { middle.removeSubrange(percent...) }   // a cut escape
        }
        return FileName(bytes: prefix + middle + suffix)
    }

    /// The temporary name of a claim's outbox copy.
    public static func temporaryName(claimID: String) -> FileName { FileName(".tmp-\(claimID).png") }

    /// The temporary name of a claim's plain copy (`outbox_image: both`).
    public static func plainTemporaryName(claimID: String) -> FileName { FileName(".tmp-\(claimID).plain.png") }

    /// `<name>.plain.png` for `<name>.png`: the plain copy beside an annotated one.
    public static func plainName(for name: FileName) -> FileName {
        let bytes = name.bytes
        let stem = bytes.count > 4 && Array(bytes.suffix(4)) == Array(".png".utf8) ? Array(bytes.dropLast(4)) : bytes
        return FileName(bytes: stem + Array(".plain.png".utf8))
    }

    /// Writes `png` under `name` (or the first free numbered variant) and returns the name used. The
    /// temporary `temporary` is left in place: remove it with `discard` once the ledger row is written.
    /// A write that fails (a full disk) removes its temporary again.
    public func write(_ png: [UInt8], as name: FileName, temporary: FileName) throws(SystemError) -> FileName {
        try png.withUnsafeBytes { bytes in Result { () throws(SystemError) in try write(bytes, as: name, temporary: temporary) } }.get()
    }

    /// The same, from an encoder's buffer (no copy of a large image's file).
    public func write(_ png: EncodedBytes, as name: FileName, temporary: FileName) throws(SystemError) -> FileName {
        try png.withUnsafeBytes { (bytes) throws(SystemError) in try write(bytes, as: name, temporary: temporary) }
    }

    private func write(_ png: UnsafeRawBufferPointer, as name: FileName, temporary: FileName) throws(SystemError) -> FileName {
        try folder.unlink(temporary)          // a partial one from a crash before its link
        do { try folder.writeNewFile(temporary, bytes: png) } catch {
            _ = try? folder.unlink(temporary)
            throw error
        }
        let final: FileName
        do { final = try folder.linkNumbered(temporary, to: folder, as: name) } catch {
            _ = try? folder.unlink(temporary)
            throw error
        }
        try folder.sync()
        return final
    }

    /// Removes the temporary (after the ledger row), keeping the final copy.
    public func discard(temporary: FileName) throws(SystemError) {
        if try folder.unlink(temporary) { try folder.sync() }
    }

    /// After a crash before the ledger row: removes the temporary and, when it had been linked, its final
    /// copy too (found by inode), so the input is processed again from scratch.
    public func removeUnrecorded(temporary: FileName) throws(SystemError) {
        guard let status = try folder.status(of: temporary) else { return }
        if status.linkCount > 1 {
            for entry in try folder.entries() where entry != temporary {
                if let other = try folder.status(of: entry), other.inode == status.inode, other.device == status.device {
                    try folder.unlink(entry)
                }
            }
        }
        try folder.unlink(temporary)
        try folder.sync()
    }
}
