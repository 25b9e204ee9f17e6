import Glibc
import Imaging

/// Inputs read while their writer paused: a truncated or corrupt file that changed since it was claimed,
/// or was modified less than `incompleteGraceSeconds` ago, goes back to the inbox instead of `rejected`.
extension Processor {
    /// True when a decoding failure for `reason` is probably a file still being written.
    func stillArriving(_ item: WorkItem, after reason: ImageDecodeError.Reason) -> Bool {
        guard incompleteGraceSeconds > 0 else { return false }
        switch reason {
        case .empty, .corrupt: break
        default: return false
        }
        guard let now = try? item.claim.item.status(of: item.claim.name), now.kind == .regular else { return false }
        if let claimed = item.claimedStatus, claimed.size != now.size || claimed.modified != now.modified { return true }
        // Modified within the grace time; an mtime further in the future (clock skew) does not count.
        let age = Self.wallClockNanoseconds() - now.modified, grace = Int(incompleteGraceSeconds * 1e9)
        return age < grace && age > -grace
    }

    /// Returns an incomplete input to the inbox to settle again; false when it cannot (it is then rejected).
    func handBackIncomplete(_ item: WorkItem, reason: String) -> Bool {
        retryHolds?.hold(item.claim.name, now: monotonicSeconds())
        guard unclaim(item) else { return false }
        logger.info("\(item.claim.name) looks incomplete (\(reason)); still being written? Back to the inbox to settle again (rejected once unchanged for \(incompleteGraceSeconds) s)")
        return true
    }

    static func wallClockNanoseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int(now.tv_sec) * 1_000_000_000 + Int(now.tv_nsec)
    }
}
