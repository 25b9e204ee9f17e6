import Synchronization

/// Inbox names handed back because they looked incomplete (still being written): the intake loop leaves
/// each alone until its time comes, so a paused writer is not re-read in a tight loop.
final class RetryHolds: Sendable {
    /// How long a handed-back file is left alone at least.
    static let seconds = 1.0

    private let holds = Mutex<[FileName: Double]>([:])

    /// Leaves `name` alone until `seconds` from `now` (monotonic seconds).
    func hold(_ name: FileName, now: Double) {
        holds.withLock { $0[name] = now + Self.seconds }
    }

    /// True while `name` is held; forgets holds that have expired.
    func isHeld(_ name: FileName, now: Double) -> Bool {
        holds.withLock { holds in
            guard let until = holds[name] else { return false }
            if until > now { return true }
            holds[name] = nil
            return false
        }
    }

    /// When the earliest hold ends (monotonic seconds), nil when none is held; forgets expired holds
    /// (of files that were not listed again).
    func nextRelease(now: Double) -> Double? {
        holds.withLock { holds in
            holds = holds.filter { $0.value > now - Self.seconds }   // a grace of one hold for the next listing
            return holds.values.min()
        }
    }
}
