import Glibc
import Synchronization

/// Wakes the intake loop when something may have changed in the inbox: inotify events (close-after-write,
/// moved-in, created, attribute changes), a timeout, or an explicit `wake()` (shutdown, capacity freed).
/// In poll mode, or when inotify cannot be set up, only timeouts and wakes happen.
public final class InboxMonitor: Sendable {
    public enum Mode: Sendable, Equatable, CustomStringConvertible {
        case inotify
        case poll(seconds: Double, reason: String)
        public var description: String {
            switch self {
            case .inotify: "inotify"
            case .poll(let seconds, let reason): "poll every \(seconds) s (\(reason))"
            }
        }
    }

    /// What ended a wait.
    public struct Wakeup: Sendable {
        /// Names inotify reported (hints: the listing is the truth).
        public var names: [FileName] = []
        /// The kernel's event queue overflowed: events were lost, rescan.
        public var overflowed = false
        /// The inbox itself was deleted, moved away or replaced (check which folder the path names now).
        public var inboxGone = false
    }

    public let mode: Mode
    private let inotifyDescriptor: Int32
    /// The inotify watch on the current inbox folder (replaced by `rewatch`).
    private let watchDescriptor = Atomic<Int32>(-1)
    /// A watch on the inbox's parent folder, for the inbox's own name: the inbox's watch hears nothing of
    /// its deletion while the watcher holds it open (the kernel reports IN_DELETE_SELF only once the folder
    /// is freed), so `rm -rf inbox; mkdir inbox` is seen here. -1 when the parent cannot be watched.
    private let parentDescriptor: Int32
    /// The inbox's last path component, as the parent's events name it.
    private let inboxName: [UInt8]
    /// Watches on sub-folders of the inbox (with `recursive`): descriptor -> the folder's path relative to
    /// the inbox, so their events name files by that path.
    private let subfolderWatches = Mutex<[Int32: [UInt8]]>([:])
    /// A self-pipe: `wake()` writes a byte, `wait` polls the read end.
    private let wakeDescriptor: Int32
    private let wakeWriteDescriptor: Int32

    private static let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
    private static let parentMask = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR)

    /// How long a wait may last when the parent folder cannot be watched, so a replaced inbox is still
    /// noticed soon (by the service's identity check after each wait).
    static let unwatchedParentWaitSeconds = 2.0

    /// Sets up inotify on `inbox` unless `pollSeconds` > 0; falls back to polling every 2 s if it fails.
    public init(inbox: String, pollSeconds: Double) throws(SystemError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw SystemError("pipe", inbox) }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        wakeDescriptor = ends[0]
        wakeWriteDescriptor = ends[1]
        let components = inbox.split(separator: "/", omittingEmptySubsequences: true)
        inboxName = Array((components.last ?? "").utf8)
        if pollSeconds > 0 {
            mode = .poll(seconds: pollSeconds, reason: "configured")
            inotifyDescriptor = -1
            parentDescriptor = -1
            return
        }
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        let watch = fd >= 0 ? inotify_add_watch(fd, inbox, Self.mask) : -1
        if watch >= 0 {
            mode = .inotify
            inotifyDescriptor = fd
            watchDescriptor.store(watch, ordering: .relaxed)
            let parentComponents = components.dropLast().joined(separator: "/")
            let parent = inbox.hasPrefix("/") ? "/" + parentComponents : (parentComponents.isEmpty ? "." : parentComponents)
            parentDescriptor = inotify_add_watch(fd, parent, Self.parentMask)
        } else {
            let code = errno
            let reason = "inotify unavailable: \(String(cString: strerror(code)))"
            if fd >= 0 { close(fd) }
            mode = .poll(seconds: 2, reason: reason)
            inotifyDescriptor = -1
            parentDescriptor = -1
        }
    }

    deinit {
        if inotifyDescriptor >= 0 { close(inotifyDescriptor) }
        close(wakeDescriptor)
        close(wakeWriteDescriptor)
    }

    /// Watches `inbox` anew (the inbox folder was deleted or moved and another one now has its path); the
    /// old watch is dropped. Nothing to do in poll mode.
    public func rewatch(_ inbox: String) throws(SystemError) {
        guard inotifyDescriptor >= 0 else { return }
        let watch = inotify_add_watch(inotifyDescriptor, inbox, Self.mask)
        guard watch >= 0 else { throw SystemError("watch (inotify)", inbox) }
        let old = watchDescriptor.exchange(watch, ordering: .relaxed)
        if old >= 0, old != watch { _ = inotify_rm_watch(inotifyDescriptor, old) }   // fails harmlessly when gone
    }

    /// Watches a sub-folder of the inbox (`relative` to it) as the inbox is watched. Idempotent: inotify gives
    /// an already watched folder its existing descriptor. Nothing to do in poll mode.
    public func watchSubfolder(_ path: String, relative: FileName) {
        guard inotifyDescriptor >= 0 else { return }
        let watch = inotify_add_watch(inotifyDescriptor, path, Self.mask)
        guard watch >= 0 else { return }   // gone again, or out of watches: the periodic rescan still finds its files
        subfolderWatches.withLock { $0[watch] = relative.bytes }
    }

    /// Ends the current (or next) `wait` early.
    public func wake() {
        var one: UInt8 = 1
        _ = SystemCalls.live.run(.write) { write(wakeWriteDescriptor, &one, 1) }   // a full pipe already wakes
    }

    /// Blocks until an event, a wake, or `timeout` seconds. Interrupted waits are resumed, and so are waits
    /// woken only by other entries of the inbox's parent folder; other failures of `poll` or `read` are thrown.
    public func wait(timeout: Double) throws(SystemError) -> Wakeup {
        var fds = [pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        if inotifyDescriptor >= 0 { fds.append(pollfd(fd: inotifyDescriptor, events: Int16(POLLIN), revents: 0)) }
        let longest = inotifyDescriptor >= 0 && parentDescriptor < 0 ? Self.unwatchedParentWaitSeconds : 3600
        let deadline = monotonicSeconds() + max(0, min(timeout, longest))
        while try pollReady(&fds, until: deadline) {
            var drained = [UInt8](repeating: 0, count: 64)
            var woken = false
            while try readAvailable(wakeDescriptor, into: &drained, what: "the inbox monitor's wake pipe") > 0 { woken = true }
            let (wakeup, relevant) = inotifyDescriptor >= 0 ? try readEvents() : (Wakeup(), false)
            if woken || relevant { return wakeup }
        }
        return Wakeup()
    }

    /// `poll` until `deadline` (monotonic seconds), resumed after EINTR; false when the time ran out.
    private func pollReady(_ fds: inout [pollfd], until deadline: Double) throws(SystemError) -> Bool {
        while true {
            let milliseconds = Int32(max(0, deadline - monotonicSeconds()) * 1000)
            let result = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), milliseconds) }
            if result >= 0 { return result > 0 }
            let code = errno
            guard code == EINTR else { throw SystemError("poll", "the inbox monitor", code: code) }
        }
    }

    /// One non-blocking `read`: the byte count, 0 when nothing is waiting; EINTR retried, errors thrown.
    private func readAvailable(_ fd: Int32, into buffer: inout [UInt8], what: String) throws(SystemError) -> Int {
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count >= 0 { return count }
            let code = errno
            if code == EAGAIN || code == EWOULDBLOCK { return 0 }
            guard code == EINTR else { throw SystemError("read", what, code: code) }
        }
    }

    /// The events waiting, and whether any concerns the inbox (not just other entries of its parent).
    private func readEvents() throws(SystemError) -> (Wakeup, relevant: Bool) {
        var wakeup = Wakeup()
        var relevant = false
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let watch = watchDescriptor.load(ordering: .relaxed)
        while true {
            let count = try readAvailable(inotifyDescriptor, into: &buffer, what: "inotify events")
            guard count > 0 else { return (wakeup, relevant || wakeup.overflowed || wakeup.inboxGone) }
            var offset = 0
            let headerSize = MemoryLayout<inotify_event>.size
            while offset + headerSize <= count {
                let (descriptor, mask, length) = buffer.withUnsafeBytes { raw in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (event.wd, event.mask, Int(event.len))
                }
                if mask & UInt32(IN_Q_OVERFLOW) != 0 { wakeup.overflowed = true }
                if descriptor == parentDescriptor {
                    // Only the inbox's own name matters in its parent folder.
                    let start = offset + headerSize
                    if Array(buffer[start..<(start + length)].prefix { $0 != 0 }) == inboxName { wakeup.inboxGone = true }
                    offset += headerSize + length
                    continue
                }
                relevant = true
                // Only the current watch counts: the old one reports IN_IGNORED after a `rewatch`.
                if descriptor == watch, mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED) != 0 { wakeup.inboxGone = true }
                let folder: [UInt8]? = descriptor == watch ? nil : subfolderWatches.withLock { watches in
                    if mask & UInt32(IN_IGNORED) != 0 { return watches.removeValue(forKey: descriptor) }
                    return watches[descriptor]
                }
                if length > 0 {
                    let start = offset + headerSize
                    let name = Array(buffer[start..<(start + length)].prefix { $0 != 0 })
                    if !name.isEmpty { wakeup.names.append(FileName(bytes: folder.map { $0 + [UInt8(ascii: "/")] + name } ?? name)) }
                }
                offset += headerSize + length
            }
        }
    }
}
