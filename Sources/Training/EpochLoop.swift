/// The mini-batch epoch loop both trainers run (the head alone, and block 5 with the head): each epoch
/// shuffles the examples and picks one augmentation draw per example from the seed, cuts batches, draws a
/// dropout keep-mask per batch, and records the epoch's mean loss and accuracy.
struct EpochLoop {
    var epochs: Int
    var batchSize: Int
    var dropout: Double
    /// Units the dropout mask covers per example.
    var hidden: Int
    var seed: UInt64
    /// Epoch e draws from random stream `streamBase + e` (each trainer its own).
    var streamBase: UInt64 = 0
    /// Also pick, per example, a partner draw other than its chosen one (for a consistency loss), from a
    /// stream of its own so that the chosen draws, order and masks are the same with or without partners.
    var withPartners = false

    /// One mini-batch: which example (by index) and which of its draws, and the dropout keep-mask (nil
    /// without dropout; `hidden` values per example, 0 or the inverted-dropout scale).
    struct Batch {
        var examples: [Int]
        var draws: [Int]
        var keepMask: [Float]?
        /// Per example, another of its draws (when partners are asked for and it has more than one draw).
        var partners: [Int]?
    }

    /// What a trainer reports at the end of an epoch: the learning rate reached and, with validation images,
    /// their loss and accuracy.
    struct EpochEnd {
        var learningRate: Double
        var validation: (loss: Double, accuracy: Double)?
    }

    /// Runs every epoch over examples that have `drawCounts[i]` draws each. `step` trains on one batch and
    /// returns its mean loss and how many it got right.
    func run(drawCounts: [Int], step: (Batch) -> (loss: Double, correct: Int), endEpoch: (Int) -> EpochEnd,
             onEvent: (TrainingEvent) -> Void) -> [EpochRecord] {
        let keepScale = Float(1 / (1 - dropout))
        var history: [EpochRecord] = []
        for epoch in 1...epochs {
            var random = SeededRandom(seed: seed, stream: streamBase + UInt64(epoch))
            var order = Array(drawCounts.indices)
            random.shuffle(&order)
            let draws = order.map { random.index(below: drawCounts[$0]) }
            let partners = withPartners ? partnerDraws(order: order, draws: draws, drawCounts: drawCounts, epoch: epoch) : nil
            let batches = (order.count + batchSize - 1) / batchSize
            var lossSum = 0.0, correct = 0
            for batch in 0..<batches {
                let range = (batch * batchSize)..<min((batch + 1) * batchSize, order.count)
                let mask: [Float]? = dropout > 0
                    ? (0..<(range.count * hidden)).map { _ in random.unitDouble() < dropout ? 0 : keepScale }
                    : nil
                let result = step(Batch(examples: range.map { order[$0] }, draws: range.map { draws[$0] }, keepMask: mask,
                                        partners: partners.map { partners in range.map { partners[$0] } }))
                lossSum += result.loss * Double(range.count)
                correct += result.correct
                onEvent(.batch(epoch: epoch, batch: batch + 1, batches: batches))
            }
            let end = endEpoch(epoch)
            var record = EpochRecord(epoch: epoch, loss: lossSum / Double(order.count), accuracy: Double(correct) / Double(order.count),
                                     learningRate: end.learningRate)
            record.validationLoss = end.validation?.loss
            record.validationAccuracy = end.validation?.accuracy
            history.append(record)
            onEvent(.epoch(record))
        }
        return history
    }

    /// For each position of `order`, a draw of that example other than `draws[position]` (the same draw
    /// when the example has only one).
    private func partnerDraws(order: [Int], draws: [Int], drawCounts: [Int], epoch: Int) -> [Int] {
        var random = SeededRandom(seed: seed, stream: streamBase + (1 << 32) + UInt64(epoch))
        return zip(order, draws).map { example, draw in
            let count = drawCounts[example]
            guard count > 1 else { return draw }
            return (draw + 1 + random.index(below: count - 1)) % count
        }
    }
}
