import Glibc

/// Following the ledger's path: deletion, logrotate's `create` (rename away) and `copytruncate` (truncate in
/// place), and a new empty file at start-up. All of it runs under the ledger's mutex.
extension Ledger {
    /// Opens (creating when absent) the ledger file for appending.
    static func openFile(_ path: String, syscalls: SystemCalls) throws(LedgerError) -> Int32 {
        let fd = syscalls.run(.open) { open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644) }
        guard fd >= 0 else {
            let code = errno
            throw LedgerError(path: path, reason: "cannot be opened (\(String(cString: strerror(code))))")
        }
        return fd
    }

    /// Takes the `flock` on the file the path names now. When the open file is no longer at the path
    /// (deleted, or renamed away by a rotation), the path is opened anew (created when absent), with a warning.
    func lockCurrentFile(_ state: inout State) throws(LedgerError) {
        while true {
            guard syscalls.run(.lock, { flock(state.descriptor, LOCK_EX) }) == 0 else { throw failure("cannot be locked") }
            guard let change = try changeOfPath(since: state.descriptor) else { return }
            _ = flock(state.descriptor, LOCK_UN)
            let fd = try Self.openFile(path, syscalls: syscalls)
            close(state.descriptor)
            state.descriptor = fd
            state.offset = 0
            logger?.warning("ledger \(path) \(change); appending to a new \(path) (with its header)")
        }
    }

    /// nil when `path` still names the open file `fd`; otherwise what happened to it.
    private func changeOfPath(since fd: Int32) throws(LedgerError) -> String? {
        var open = stat(), named = stat()
        guard syscalls.run(.stat, { fstat(fd, &open) }) == 0 else { throw failure("cannot be examined") }
        guard syscalls.run(.stat, { lstat(path, &named) }) == 0 else {
            let code = errno
            if code == ENOENT { return "was deleted or moved away (rotated?)" }
            throw failure("cannot be examined", code: code)
        }
        guard open.st_dev != named.st_dev || open.st_ino != named.st_ino else { return nil }
        return "was replaced by another file (rotated?)"
    }

    /// Before reading or appending: a file shorter than what was read (truncated, e.g. logrotate's
    /// `copytruncate`), or no longer holding a line end where the read part ended, is read again from the start; an empty file gets the header; a file read from the
    /// start must begin with the header.
    func checkContents(_ state: inout State) throws(LedgerError) {
        var size = try fileSize(state.descriptor)
        if size < state.offset {
            logger?.warning("ledger \(path) shrank from \(state.offset) to \(size) bytes (truncated, e.g. rotated with copytruncate); continuing in it\(size == 0 ? " with a new header" : "")")
            state.offset = 0
        } else if state.offset > 0, try read(state.descriptor, from: state.offset - 1, count: 1) != [10] {
            // What was read ended with a line end; if that byte is something else now, the file was truncated
            // and written again (by another instance) past where this one had read.
            logger?.warning("ledger \(path) was truncated and written again since this instance last read it; reading it from the start")
            state.offset = 0
        }
        if size == 0 {
            try append(header, to: state.descriptor)
            size = header.count
        }
        guard state.offset == 0 else { return }
        let start = try read(state.descriptor, from: 0, count: min(size, header.count))
        guard start != header else { return }
        let firstLine = try read(state.descriptor, from: 0, count: min(size, 4096)).prefix { $0 != 13 && $0 != 10 }
        guard firstLine.starts(with: Self.xraywatchHeaderStart) else {
            throw LedgerError(path: path, reason: "its first line is not an xraywatch ledger header (\(layout.columns.joined(separator: ","))); name a new file or an xraywatch ledger")
        }
        try setAside(&state, header: String(decoding: firstLine, as: UTF8.self))
        try checkContents(&state)
    }

    /// How every xraywatch ledger header begins, whatever its version and models.
    static let xraywatchHeaderStart = Array("time_utc,input_file,input_sha256,".utf8)

    /// A ledger with another xraywatch header (an earlier version's columns, or other models' score columns)
    /// is renamed to `<name>.<UTC time>.csv` (readers keep a file whose columns never change under them) and a
    /// new one with this layout's header takes its place, with a warning naming both headers.
    private func setAside(_ state: inout State, header old: String) throws(LedgerError) {
        let stamp = String(LedgerRow.timestamp().prefix(19).filter { $0 != ":" })
        let base = path.hasSuffix(".csv") ? String(path.dropLast(4)) : path
        let aside = "\(base).\(stamp).csv"
        guard syscalls.run(.rename, { rename(path, aside) }) == 0 else { throw failure("cannot be renamed to \(aside)", code: errno) }
        let fd = try Self.openFile(path, syscalls: syscalls)
        _ = flock(state.descriptor, LOCK_UN)
        close(state.descriptor)
        state.descriptor = fd
        state.offset = 0
        guard syscalls.run(.lock, { flock(fd, LOCK_EX) }) == 0 else { throw failure("cannot be locked") }
        logger?.warning("ledger \(path) had other columns (an earlier version's, or other models'): \(old); renamed to \(aside), new rows go to a new \(path) with the columns \(layout.columns.joined(separator: ","))")
    }
}
