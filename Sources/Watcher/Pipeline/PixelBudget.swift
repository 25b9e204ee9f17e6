import Synchronization

/// Bounds the memory of decoded images in the pipeline by their pixels rather than their count: a burst of
/// 8000x8000 images holds as few at a time as fit in the budget, a burst of small radiographs as many as the
/// claim limit allows. Reservations are granted first come, first served (a large image is not starved by
/// small ones behind it); an image larger than the whole budget is granted alone, once nothing else is held.
final class PixelBudget: Sendable {
    /// Pixels that may be held at once.
    let limit: Int

    private struct Waiter {
        let id: Int
        let pixels: Int
        let continuation: CheckedContinuation<Void, Never>
    }
    private struct State {
        var held = 0
        var waiters: [Waiter] = []
        var nextWaiterID = 0
    }
    private let state = Mutex(State())

    init(limit: Int) {
        precondition(limit > 0, "a pixel budget holds at least one pixel")
        self.limit = limit
    }

    /// Pixels reserved now.
    var held: Int { state.withLock { $0.held } }
    /// Reservations waiting.
    var waiting: Int { state.withLock { $0.waiters.count } }

    /// Waits until `pixels` fit, then reserves them; `release` gives them back. A cancelled wait is granted
    /// at once, over the budget (a cancelled pipeline is ending; its stages may no longer release anything).
    func reserve(_ pixels: Int) async {
        let id = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let granted = state.withLock { state in
                    let free = state.waiters.isEmpty && Self.fits(pixels, held: state.held, limit: limit)
                    guard free || Task.isCancelled else {
                        state.waiters.append(Waiter(id: id, pixels: pixels, continuation: continuation))
                        return false
                    }
                    state.held += pixels
                    return true
                }
                if granted { continuation.resume() }
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { state in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                state.held += pixels
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume()
        }
    }

    /// Gives back a reservation and grants waiting ones, in order, as far as they fit.
    func release(_ pixels: Int) {
        let granted: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.held -= pixels
            precondition(state.held >= 0, "released more pixels than were reserved")
            var granted: [CheckedContinuation<Void, Never>] = []
            while let first = state.waiters.first, Self.fits(first.pixels, held: state.held, limit: limit) {
                state.held += first.pixels
                granted.append(state.waiters.removeFirst().continuation)
            }
            return granted
        }
        for continuation in granted { continuation.resume() }
    }

    private static func fits(_ pixels: Int, held: Int, limit: Int) -> Bool {
        held == 0 || held + pixels <= limit
    }
}
