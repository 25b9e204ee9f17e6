import Dispatch

/// Fork-join over the cores, for the backbone's layers and the fine-tuning of block 5.
public enum Parallel {
    /// Runs `body` on up to `workers` threads, each with a contiguous share of `0..<count` and its worker
    /// index, and returns when all are done. Shares cover every index once; with one share, `body` runs on
    /// the calling thread.
    public static func forEachShare(of count: Int, workers: Int, _ body: (Range<Int>, Int) -> Void) {
        let share = (count + workers - 1) / workers
        let ranges = (0..<workers).map { min(count, $0 * share)..<min(count, ($0 + 1) * share) }.filter { !$0.isEmpty }
        if ranges.count <= 1 { return ranges.first.map { body($0, 0) } ?? () }
        withoutActuallyEscaping(body) { body in
            // Each share writes only its own outputs; shared inputs are only read.
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: ranges.count) { worker in body(ranges[worker], worker) }
        }
    }

    /// `transform` of every index in `0..<count`, spread over `workers` threads in contiguous shares; results in order.
    public static func map<T: Sendable>(_ count: Int, workers: Int, _ transform: (Int) -> T) -> [T] {
        guard count > 0 else { return [] }
        let slots = Slots<T>(count: count)
        // Each share fills only its own slots.
        forEachShare(of: count, workers: workers) { share, _ in
            for index in share { slots[index] = transform(index) }
        }
        return slots.values
    }
}

/// Fixed result slots that concurrent workers fill, each only its own index (a raw buffer: no copy-on-write
/// checks, no lock). The one place results of parallel work are collected.
public final class Slots<Value>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Value?>

    public init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit { slots.deinitialize().deallocate() }

    public subscript(index: Int) -> Value? {
        get { slots[index] }
        set { slots[index] = newValue }
    }

    /// Every slot's value, in order; each must have been filled.
    public var values: [Value] { slots.map { $0! } }
}
