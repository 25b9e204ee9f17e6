import Glibc
import Synchronization

/// Why the ledger cannot be used or written.
public struct LedgerError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "ledger \(path): \(reason)" }
}

/// The CSV ledger: one row per input, appended with one `write` + `fsync` under an exclusive `flock`, so
/// instances sharing the file never interleave. Keeps an index content hash -> earlier `ok` row, refreshed
/// from rows other instances appended whenever it takes the lock.
public final class Ledger: Sendable {
    public let path: String
    private let descriptor: Int32
    private let state: Mutex<State>

    private struct State {
        /// Earliest `ok` row per content hash.
        var okRows: [String: LedgerRow] = [:]
        /// Bytes of the file already read into the index.
        var offset = 0
    }

    private static let header = Array(CSV.record(LedgerRow.columns).utf8)

    /// Opens (creating when absent) the ledger, writes the header into an empty file, and reads the index.
    public init(path: String) throws(LedgerError) {
        let fd = retryingInterrupts { open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644) }
        guard fd >= 0 else { throw LedgerError(path: path, reason: "cannot be opened (\(String(cString: strerror(errno))))") }
        self.path = path
        self.descriptor = fd
        self.state = Mutex(State())
        try locked { state throws(LedgerError) in
            var size = try fileSize()
            if size == 0 {
                try append(Self.header)
                size = Self.header.count
            }
            let start = try read(from: 0, count: min(size, Self.header.count))
            guard start == Self.header else {
                throw LedgerError(path: path, reason: "its first line is not the xraywatch ledger header (\(LedgerRow.columns.joined(separator: ","))); name a new file or an xraywatch ledger")
            }
            try refresh(&state)
        }
    }

    deinit { close(descriptor) }

    /// The earlier `ok` row for this content, as far as this instance has read the ledger.
    public func earlierResult(sha256: String) -> LedgerRow? {
        state.withLock { $0.okRows[sha256] }
    }

    /// Appends `proposed` exactly once and returns the row written.
    ///
    /// Under the lock it first reads rows other instances appended; an `ok` row whose content already has
    /// an `ok` row becomes a `duplicate` pointing to it. Then `journal` records the final row (so a crash
    /// right after the append is recognised on restart), and the row is written with one `write` + `fsync`.
    /// With `unlessPresent`, a row whose exact line is already in the file is not written again (recovery).
    public func commit(_ proposed: LedgerRow, unlessPresent: Bool = false,
                       journal: (LedgerRow) throws(SystemError) -> Void) throws(LedgerError) -> LedgerRow {
        try locked { state throws(LedgerError) in
            try refresh(&state)
            if unlessPresent, try contains(proposed.encoded) { return proposed }
            var row = proposed
            if row.status == .ok, let earlier = state.okRows[row.sha256], earlier.outputFile != row.outputFile {
                row = Self.duplicate(of: earlier, for: row)
            }
            do { try journal(row) } catch { throw LedgerError(path: path, reason: "journal: \(error)") }
            let rest = try fileSize() - state.offset
            var bytes: [UInt8] = []
            if rest > 0 {
                // A torn last line from an earlier crash: close it (and any open quote) so this row stands alone.
                let torn = try read(from: state.offset, count: rest)
                bytes = Array((CSV.parse(torn + [10]).restIsInsideQuotes ? "\"\r\n" : "\r\n").utf8)
            }
            try append(bytes + row.encoded)
            try refresh(&state)
            return row
        }
    }

    /// `row` made a `duplicate` of `earlier`: it points to the earlier outbox file and repeats its result.
    public static func duplicate(of earlier: LedgerRow, for row: LedgerRow) -> LedgerRow {
        var copy = row
        copy.status = .duplicate
        copy.outputFile = earlier.outputFile
        copy.result = earlier.result
        copy.prob = earlier.prob
        copy.scores = earlier.scores
        copy.width = earlier.width
        copy.height = earlier.height
        copy.reason = "same content as \(earlier.inputFile) (\(earlier.time))"
        return copy
    }

    // MARK: File access (callers hold the lock)

    private func locked<R>(_ body: (inout State) throws(LedgerError) -> R) throws(LedgerError) -> R {
        try state.withLock { state throws(LedgerError) -> R in
            guard retryingInterrupts({ flock(descriptor, LOCK_EX) }) == 0 else {
                throw LedgerError(path: path, reason: "cannot be locked (\(String(cString: strerror(errno))))")
            }
            defer { _ = flock(descriptor, LOCK_UN) }
            return try body(&state)
        }
    }

    /// Reads complete records appended since the last refresh into the index.
    private func refresh(_ state: inout State) throws(LedgerError) {
        let size = try fileSize()
        guard size > state.offset else { return }
        let parsed = CSV.parse(try read(from: state.offset, count: size - state.offset))
        for fields in parsed.records {
            guard let row = LedgerRow(fields: fields), row.status == .ok, state.okRows[row.sha256] == nil else { continue }
            state.okRows[row.sha256] = row
        }
        state.offset += parsed.consumed
    }

    private func contains(_ line: [UInt8]) throws(LedgerError) -> Bool {
        let all = try read(from: 0, count: try fileSize())
        return all.firstRange(of: [10] + line) != nil
    }

    private func fileSize() throws(LedgerError) -> Int {
        var s = stat()
        guard fstat(descriptor, &s) == 0 else { throw LedgerError(path: path, reason: "cannot be examined (\(String(cString: strerror(errno))))") }
        return Int(s.st_size)
    }

    private func read(from offset: Int, count: Int) throws(LedgerError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                retryingInterrupts { pread(descriptor, buffer.baseAddress! + filled, count - filled, off_t(offset + filled)) }
            }
            guard n > 0 else {
                if n == 0 { break }
                throw LedgerError(path: path, reason: "cannot be read (\(String(cString: strerror(errno))))")
            }
            filled += n
        }
        return Array(bytes.prefix(filled))
    }

    /// One `write` of the whole buffer (O_APPEND), then `fsync`.
    private func append(_ bytes: [UInt8]) throws(LedgerError) {
        do { try writeAll(descriptor, bytes, what: path) } catch {
            throw LedgerError(path: path, reason: "cannot be written (\(error))")
        }
        guard retryingInterrupts({ fsync(descriptor) }) == 0 else {
            throw LedgerError(path: path, reason: "cannot be flushed (\(String(cString: strerror(errno))))")
        }
    }
}
