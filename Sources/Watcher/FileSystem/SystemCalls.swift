import Glibc
import Synchronization

/// The one door between the watcher's file layer and the kernel, in the manner of swift-system's
/// `system_*` wrappers: every call that touches the inbox, the claim folders, the outbox, the journal or
/// the ledger goes through `run`, which retries EINTR and, in tests, lets a `FaultInjector` make a call fail
/// with an errno or stop the "process" there. Production code uses `.live` (no injector, no cost but a nil check).
public struct SystemCalls: Sendable {
    /// The kinds of call a fault can be aimed at.
    public enum Call: String, Sendable, CaseIterable {
        case open, read, write, fsync, stat, list, rename, link, unlink, mkdir, rmdir, lock
    }

    /// Faults to inject; nil: every call goes straight to the kernel.
    public let faults: FaultInjector?

    public init(faults: FaultInjector? = nil) { self.faults = faults }

    /// Straight to the kernel.
    public static let live = SystemCalls()

    /// Makes one system call (`body` returns -1 and sets errno on failure), retrying while it fails with
    /// EINTR. An injected fault sets errno and returns -1 without calling the kernel.
    @inline(__always)
    func run<Result: BinaryInteger>(_ call: Call, _ body: () -> Result) -> Result {
        var attempt = 0
        while true {
            defer { attempt += 1 }
            let result: Result
            if let faults, let code = faults.fault(for: call, retry: attempt > 0) {
                errno = code
                result = -1
            } else {
                result = body()
            }
            if result != -1 || errno != EINTR { return result }
        }
    }
}

/// Faults for tests: the n-th call (of one kind, or of any kind) fails with an errno, or "crashes": from that
/// call on, every call fails with EIO and changes nothing, which leaves the files exactly as a `kill -9` at
/// that step would (closing descriptors and releasing locks still work, as the kernel does for a dead process).
public final class FaultInjector: Sendable {
    public enum Effect: Sendable, Equatable {
        /// This call fails with the errno (EINTR makes the caller retry).
        case fail(Int32)
        /// The process is gone from this call on.
        case crash
    }

    public struct Rule: Sendable {
        /// The kind aimed at; nil: calls of every kind count.
        public var call: SystemCalls.Call?
        /// 1 for the first matching call.
        public var occurrence: Int
        public var effect: Effect
        /// Every matching call from `occurrence` on, not just that one.
        public var repeats: Bool

        public init(_ call: SystemCalls.Call? = nil, occurrence: Int = 1, effect: Effect, repeats: Bool = false) {
            self.call = call; self.occurrence = occurrence; self.effect = effect; self.repeats = repeats
        }
    }

    private struct State {
        var rules: [Rule]
        var counts: [SystemCalls.Call: Int] = [:]
        var total = 0
        var crashed = false
        var log: [SystemCalls.Call] = []
    }
    private let state: Mutex<State>

    public init(_ rules: [Rule]) { state = Mutex(State(rules: rules)) }

    /// True once a `.crash` rule fired.
    public var crashed: Bool { state.withLock { $0.crashed } }
    /// Calls made (or refused) so far, in order.
    public var calls: [SystemCalls.Call] { state.withLock { $0.log } }

    /// The errno to fail this call with, or nil to let it through. Rules count and hit first attempts only,
    /// so an injected EINTR is followed by a retry that goes through.
    func fault(for call: SystemCalls.Call, retry: Bool) -> Int32? {
        state.withLock { state in
            if state.crashed { return EIO }
            if retry { return nil }
            state.total += 1
            state.counts[call, default: 0] += 1
            state.log.append(call)
            for rule in state.rules {
                let count = rule.call.map { $0 == call ? state.counts[call]! : 0 } ?? state.total
                guard count > 0, rule.repeats ? count >= rule.occurrence : count == rule.occurrence else { continue }
                switch rule.effect {
                case .fail(let code): return code
                case .crash:
                    state.crashed = true
                    return EIO
                }
            }
            return nil
        }
    }
}
