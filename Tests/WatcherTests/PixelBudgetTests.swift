import Synchronization
import Testing
@testable import Watcher

/// The watcher's memory bound: decoded pixels in flight, not a count of images.
@Suite struct PixelBudgetTests {
    /// Records the order in which reservations were granted.
    final class Order: Sendable {
        private let names = Mutex<[String]>([])
        func note(_ name: String) { names.withLock { $0.append(name) } }
        var all: [String] { names.withLock { $0 } }
    }

    /// Polls until `condition` holds (a few seconds at most), for tasks that should be blocked or granted.
    func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<500 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
    }

    @Test func reservationsWithinTheLimitAreGrantedAtOnceAndALargerOneWaits() async throws {
        let budget = PixelBudget(limit: 100)
        await budget.reserve(60)
        await budget.reserve(40)
        #expect(budget.held == 100)
        let order = Order()
        let waiting = Task { await budget.reserve(30); order.note("30") }
        try await Task.sleep(for: .milliseconds(100))
        #expect(order.all.isEmpty, "30 more pixels do not fit while 100 are held")
        budget.release(40)
        await waiting.value
        #expect(order.all == ["30"])
        #expect(budget.held == 90)
    }

    @Test func anImageLargerThanTheWholeBudgetIsTakenAloneOnceNothingIsHeld() async throws {
        let budget = PixelBudget(limit: 100)
        await budget.reserve(10)
        let order = Order()
        let huge = Task { await budget.reserve(500); order.note("huge") }
        try await Task.sleep(for: .milliseconds(100))
        #expect(order.all.isEmpty)
        budget.release(10)
        await huge.value
        #expect(budget.held == 500)
        let small = Task { await budget.reserve(1); order.note("small") }
        try await Task.sleep(for: .milliseconds(100))
        #expect(order.all == ["huge"], "nothing joins an image over the budget")
        budget.release(500)
        await small.value
        #expect(order.all == ["huge", "small"])
    }

    @Test func grantsFollowArrivalOrderSoALargeImageIsNotStarved() async throws {
        let budget = PixelBudget(limit: 100)
        await budget.reserve(50)
        let order = Order()
        let large = Task { await budget.reserve(80); order.note("large") }
        try await eventually { budget.waiting == 1 }
        let small = Task { await budget.reserve(10); order.note("small") }
        try await eventually { budget.waiting == 2 }
        #expect(order.all.isEmpty, "the small one would fit, but waits behind the large one")
        budget.release(50)
        await large.value
        await small.value
        #expect(order.all == ["large", "small"])
        #expect(budget.held == 90)
    }

    @Test func cancellingAWaitGrantsItSoAStoppingPipelineNeverHangs() async throws {
        let budget = PixelBudget(limit: 10)
        await budget.reserve(10)
        let waiting = Task { await budget.reserve(5) }
        try await eventually { budget.waiting == 1 }
        waiting.cancel()
        await waiting.value
        #expect(budget.held == 15)
        #expect(budget.waiting == 0)
    }
}
