import CSVFormat
import Glibc
import Screening
import Logging
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
///
/// The ledger follows its path, not its first file: before every append it checks (under the lock) that the
/// path still names the open file and that the file has not shrunk, so a deleted ledger, a logrotate `create`
/// rotation (`mv ledger.csv ledger.csv.1`) or a `copytruncate` rotation all get a fresh file with its header.
public final class Ledger: Sendable {
    public let path: String
    /// The columns: the fixed ones around one score column per loaded model.
    public let layout: LedgerLayout
    /// `layout`'s header line.
    let header: [UInt8]
    let logger: Logger?
    let syscalls: SystemCalls
    let state: Mutex<State>

    struct State {
        /// The open ledger file (replaced when the path names another file).
        var descriptor: Int32
        /// Earliest `ok` row per content hash.
        var okRows: [String: LedgerRow] = [:]
        /// Bytes of the file already read into the index.
        var offset = 0
    }

    /// Opens (creating when absent) the ledger, writes the header into an empty file, and reads the index.
    /// A ledger with another xraywatch header (an earlier version's, or other models') is set aside first.
    /// `logger` hears about ledgers that were deleted, rotated or truncated under the running watcher.
    public init(path: String, layout: LedgerLayout = .shipped, logger: Logger? = nil, syscalls: SystemCalls = .live) throws(LedgerError) {
        let fd = try Self.openFile(path, syscalls: syscalls)
        self.path = path
        self.layout = layout
        self.header = Array(CSV.record(layout.columns).utf8)
        self.logger = logger
        self.syscalls = syscalls
        self.state = Mutex(State(descriptor: fd))
        try locked { state throws(LedgerError) in try refresh(&state) }
    }

    deinit { close(state.withLock { $0.descriptor }) }

    /// Opens the ledger path anew (SIGHUP, the daemon convention after a rotation); the next append checks
    /// the new file's header as at start-up.
    public func reopen() throws(LedgerError) {
        let fd = try Self.openFile(path, syscalls: syscalls)
        state.withLock { state in
            close(state.descriptor)
            state.descriptor = fd
            state.offset = 0
        }
    }

    /// The earlier `ok` row for this content, as far as this instance has read the ledger.
    public func earlierResult(sha256: String) -> LedgerRow? {
        state.withLock { $0.okRows[sha256] }
    }

    /// Appends `proposed` exactly once and returns the row written.
    ///
    /// Under the lock it first reads rows other instances appended, then makes the one duplicate decision
    /// (`decide`). When that changes the row, `rejournal` records the final row before it is appended (so a
    /// crash right after the append is recognised on restart); the caller journaled `proposed` itself. The
    /// row is written with one `write`; its `fsync` runs after the lock is released (other instances do not
    /// wait for it; the caller removes its journal only after this returns). With `unlessPresent`, a row
    /// whose exact line is already in the file is not written again (recovery).
    public func commit(_ proposed: LedgerRow, unlessPresent: Bool = false,
                       rejournal: (LedgerRow) throws(SystemError) -> Void) throws(LedgerError) -> LedgerRow {
        try locked(thenFlush: true) { state throws(LedgerError) in
            try refresh(&state)
            if unlessPresent, try contains(proposed.encoded(in: layout), in: state.descriptor) { return proposed }
            let row = try Self.decide(proposed, earlier: state.okRows[proposed.sha256], ledger: path)
            if row != proposed {
                do { try rejournal(row) } catch { throw LedgerError(path: path, reason: "journal: \(error)") }
            }
            let rest = try fileSize(state.descriptor) - state.offset
            var bytes: [UInt8] = []
            if rest > 0 {
                // A torn last line from an earlier crash: close it (and any open quote) so this row stands alone.
                let torn = try read(state.descriptor, from: state.offset, count: rest)
                bytes = Array((CSV.parse(torn + [10]).restIsInsideQuotes ? "\"\r\n" : "\r\n").utf8)
            }
            try write(bytes + row.encoded(in: layout), to: state.descriptor)
            try refresh(&state)
            return row
        }
    }

    /// The one place a row becomes a `duplicate`: content that already has an `ok` row (another file, another
    /// instance, this one's earlier run) points to that row. A row proposed as `duplicate` (content the
    /// caller's index had seen) is completed from it.
    static func decide(_ proposed: LedgerRow, earlier: LedgerRow?, ledger: String) throws(LedgerError) -> LedgerRow {
        switch proposed.status {
        case .rejected:
            return proposed
        case .ok:
            guard let earlier, earlier.outputFile != proposed.outputFile else { return proposed }
            return duplicate(of: earlier, for: proposed)
        case .duplicate:
            if !proposed.outputFile.isEmpty { return proposed }   // already decided (a journaled row, in recovery)
            guard let earlier else {
                throw LedgerError(path: ledger, reason: "\(proposed.inputFile) was taken as seen before, but no ok row for its content is in the ledger")
            }
            return duplicate(of: earlier, for: proposed)
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
        copy.lungArea = earlier.lungArea
        copy.lungs = earlier.lungs
        copy.saliencyInLungs = earlier.saliencyInLungs
        copy.distancePercent = earlier.distancePercent
        copy.sopInstanceUID = earlier.sopInstanceUID
        copy.studyInstanceUID = earlier.studyInstanceUID
        copy.reason = "same content as \(earlier.inputFile) (\(earlier.time))"
        if earlier.result == ScreeningResult.indeterminate.rawValue, !earlier.reason.isEmpty { copy.reason += "; \(earlier.reason)" }
        return copy
    }

    // MARK: File access (callers hold the lock)

    /// Runs `body` under the `flock` (other instances) and the mutex (this one's threads); with `thenFlush`,
    /// fsyncs the file after releasing the `flock`, still under the mutex (so the descriptor stays open).
    private func locked<R>(thenFlush: Bool = false, _ body: (inout State) throws(LedgerError) -> R) throws(LedgerError) -> R {
        try state.withLock { state throws(LedgerError) -> R in
            try lockCurrentFile(&state)
            let result: R
            do {
                defer { _ = flock(state.descriptor, LOCK_UN) }
                try checkContents(&state)
                result = try body(&state)
            }
            if thenFlush { try flush(state.descriptor) }
            return result
        }
    }

    /// Reads complete records appended since the last refresh into the index.
    private func refresh(_ state: inout State) throws(LedgerError) {
        let size = try fileSize(state.descriptor)
        guard size > state.offset else { return }
        let parsed = CSV.parse(try read(state.descriptor, from: state.offset, count: size - state.offset))
        for fields in parsed.records {
            guard let row = LedgerRow(fields: fields, layout: layout), row.status == .ok, state.okRows[row.sha256] == nil else { continue }
            state.okRows[row.sha256] = row
        }
        state.offset += parsed.consumed
    }

    private func contains(_ line: [UInt8], in fd: Int32) throws(LedgerError) -> Bool {
        let all = try read(fd, from: 0, count: try fileSize(fd))
        return all.firstRange(of: [10] + line) != nil
    }

    func fileSize(_ fd: Int32) throws(LedgerError) -> Int {
        var s = stat()
        guard syscalls.run(.stat, { fstat(fd, &s) }) == 0 else { throw failure("cannot be examined") }
        return Int(s.st_size)
    }

    func read(_ fd: Int32, from offset: Int, count: Int) throws(LedgerError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                syscalls.run(.read) { pread(fd, buffer.baseAddress! + filled, count - filled, off_t(offset + filled)) }
            }
            guard n > 0 else {
                if n == 0 { break }
                throw failure("cannot be read")
            }
            filled += n
        }
        return Array(bytes.prefix(filled))
    }

    /// One `write` of the whole buffer (O_APPEND), then `fsync`.
    func append(_ bytes: [UInt8], to fd: Int32) throws(LedgerError) {
        try write(bytes, to: fd)
        try flush(fd)
    }

    /// One `write` of the whole buffer (O_APPEND).
    func write(_ bytes: [UInt8], to fd: Int32) throws(LedgerError) {
        do { try bytes.withUnsafeBytes { buffer in Result { () throws(SystemError) in try syscalls.writeAll(fd, buffer, what: path) } }.get() } catch {
            throw LedgerError(path: path, reason: "cannot be written (\(error))")
        }
    }

    func flush(_ fd: Int32) throws(LedgerError) {
        guard syscalls.run(.fsync, { fsync(fd) }) == 0 else { throw failure("cannot be flushed") }
    }

    /// A `LedgerError` with the current `errno` text (read before anything else can change it).
    func failure(_ what: String, code: Int32 = errno) -> LedgerError {
        LedgerError(path: path, reason: "\(what) (\(String(cString: strerror(code))))")
    }
}
