import CSVFormat
import Foundation
import Synchronization
import Watcher

/// The ledger's rows for the pages, read incrementally: each call reads only what was appended since the
/// last one (the ledger only grows), and starts again from the top when the file was replaced or truncated
/// (a rotation). So a dashboard polled every second costs a `stat` and the new rows, not the whole file.
final class LedgerFollower: Sendable {
    private struct State {
        var device: UInt64 = 0, inode: UInt64 = 0
        var offset = 0
        /// Modification time when `offset` was reached: a file of the same size but newer was rewritten.
        var modified = 0
        var rows: [LedgerRow] = []
        var headerSeen = false
    }
    private let path: String
    private let layout: LedgerLayout
    private let state = Mutex(State())

    init(path: String, layout: LedgerLayout) {
        self.path = path
        self.layout = layout
    }

    /// Every row, oldest first.
    func rows() -> [LedgerRow] {
        var info = stat()
        guard stat(path, &info) == 0 else { return state.withLock { $0 = State(); return [] } }
        return state.withLock { state in
            let size = Int(info.st_size), modified = Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec)
            guard let handle = FileHandle(forReadingAtPath: path) else { return state.rows }
            defer { try? handle.close() }
            // Replaced (rotated), shorter (truncated), rewritten to the same size, or rewritten past what was read
            // (the byte before the offset is no longer a line end, as the ledger itself checks): from the top.
            let rewrittenPast: Bool = {
                guard size > state.offset, state.offset > 0 else { return false }
                try? handle.seek(toOffset: UInt64(state.offset - 1))
                return (try? handle.read(upToCount: 1)) != Data([10])
            }()
            if UInt64(info.st_dev) != state.device || UInt64(info.st_ino) != state.inode || size < state.offset
                || (size == state.offset && modified != state.modified) || rewrittenPast {
                state = State(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
            }
            state.modified = modified
            guard size > state.offset else { return state.rows }
            try? handle.seek(toOffset: UInt64(state.offset))
            let appended = (try? handle.readToEnd()) ?? Data()
            let parsed = CSV.parse(Array(appended))
            var records = parsed.records[...]
            if !state.headerSeen, !records.isEmpty { records = records.dropFirst(); state.headerSeen = true }
            state.rows += records.compactMap { LedgerRow(fields: $0, layout: layout) }
            state.offset += parsed.consumed
            return state.rows
        }
    }
}
