import Dispatch
import Glibc
import Synchronization

/// Seconds on the monotonic clock (never jumps with the wall clock).
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Runs blocking work (decoding, BLAS, fsync, waiting on inotify) on a Dispatch thread, so it never
/// occupies one of the few threads of Swift's cooperative pool. Blocking work cannot be abandoned half-way
/// (its result matters), so cancelling the calling task runs `onCancel`, which should make the work end
/// early (e.g. wake the inbox monitor); the result is still awaited.
func offload<T: Sendable>(_ work: @escaping @Sendable () -> T, onCancel: @escaping @Sendable () -> Void = {}) async -> T {
    await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    } onCancel: {
        onCancel()
    }
}

/// A first-in first-out hand-over between pipeline stages: `push` never blocks; `next(upTo:)` waits for
/// at least one item and takes as many as are there (up to a maximum), which is what batches a burst.
final class WorkQueue<Item: Sendable>: Sendable {
    private struct Waiter {
        let id: Int
        let limit: Int
        let continuation: CheckedContinuation<[Item], Never>
    }
    private struct State {
        var items: [Item] = []
        var waiters: [Waiter] = []
        var finished = false
        var nextWaiterID = 0
    }
    private let state = Mutex(State())

    func push(_ item: Item) {
        let handOver: (CheckedContinuation<[Item], Never>, [Item])? = state.withLock { state in
            if !state.waiters.isEmpty {
                return (state.waiters.removeFirst().continuation, [item])
            }
            state.items.append(item)
            return nil
        }
        if let (continuation, items) = handOver { continuation.resume(returning: items) }
    }

    /// No more items will come: waiters get what is left, then empty arrays.
    func finish() {
        let waiters = state.withLock { state in
            state.finished = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.continuation.resume(returning: []) }
    }

    /// Removes and returns every queued item (used at shutdown to hand unstarted claims back).
    func drain() -> [Item] {
        state.withLock { state in
            defer { state.items = [] }
            return state.items
        }
    }

    /// Up to `limit` items, waiting for the first; empty once finished and empty, and empty when the
    /// waiting task is cancelled (so a cancelled pipeline stage ends instead of hanging).
    func next(upTo limit: Int) async -> [Item] {
        let id = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: [Item]? = state.withLock { state in
                    if !state.items.isEmpty {
                        let taken = Array(state.items.prefix(limit))
                        state.items.removeFirst(taken.count)
                        return taken
                    }
                    // Checked under the lock: a cancellation either sees this waiter or is seen here.
                    if state.finished || Task.isCancelled { return [] }
                    state.waiters.append(Waiter(id: id, limit: limit, continuation: continuation))
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { state in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(returning: [])
        }
    }
}
