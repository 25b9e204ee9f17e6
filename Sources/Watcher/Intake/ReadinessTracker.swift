/// Decides when an inbox file has finished arriving: it must look the same (size, mtime, ctime, inode,
/// link count) on two looks, and nothing about it may have changed, nor any inotify event named it, for
/// the settle time. A slow copy, a writer that reopens the file, or a hard-link finalisation all change
/// one of these, so a file still being written is never taken.
public struct ReadinessTracker: Sendable {
    /// What is compared between looks.
    public struct Signature: Sendable, Equatable {
        public let kind: FileStatus.Kind
        public let size: Int
        public let modified: Int
        public let changed: Int
        public let inode: UInt64
        public let linkCount: Int

        public init(_ status: FileStatus) {
            kind = status.kind; size = status.size; modified = status.modified
            changed = status.changed; inode = status.inode; linkCount = status.linkCount
        }
    }

    private struct Entry: Sendable {
        var signature: Signature
        /// Monotonic seconds of the last change seen or event received.
        var lastActivity: Double
    }

    public let settleSeconds: Double
    private var entries: [FileName: Entry] = [:]

    public init(settleSeconds: Double) { self.settleSeconds = settleSeconds }

    /// Records a look at `name`; true when the file is ready to be taken.
    public mutating func observe(_ name: FileName, _ signature: Signature, now: Double) -> Bool {
        guard var entry = entries[name] else {
            entries[name] = Entry(signature: signature, lastActivity: now)
            return false
        }
        if entry.signature != signature {
            entry.signature = signature
            entry.lastActivity = now
            entries[name] = entry
            return false
        }
        return now - entry.lastActivity >= settleSeconds
    }

    /// An inotify event named this file: it is not quiet yet.
    public mutating func noteActivity(_ name: FileName, now: Double) {
        entries[name]?.lastActivity = now
    }

    /// Forgets a file (taken, or gone).
    public mutating func forget(_ name: FileName) { entries[name] = nil }

    /// Forgets every file not in `present` (the latest listing).
    public mutating func keepOnly(_ present: Set<FileName>) {
        entries = entries.filter { present.contains($0.key) }
    }

    /// Files seen but not yet ready.
    public var pendingCount: Int { entries.count }

    /// When the next look could find a pending file ready (monotonic seconds), nil when none is pending.
    public var nextDeadline: Double? {
        entries.values.map { $0.lastActivity + settleSeconds }.min()
    }
}
