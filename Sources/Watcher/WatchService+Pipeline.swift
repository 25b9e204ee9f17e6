import Imaging
import Screening

/// The watch service's pipeline, in the order a file goes through it: each stage is one task, and the
/// queues hand work from one stage to the next (a stage finishes its output queue when its input is done).
///
/// 1. `claimStage`: lists the inbox, claims settled files (`claimed`);
/// 2. `decodeStage`: reads and decodes them, within the pixel budget (`decoded`);
/// 3. `classifyStage`: screens the decoded images in batches (`classified`);
/// 4. `finishStage`: writes the outbox copy and the ledger row and moves the input away.
///
/// On shutdown the first three hand files not yet started back to the inbox; the last finishes what it has.
extension WatchService {
    /// The state the stages share.
    struct Pipeline: Sendable {
        let setup: Setup
        let shared: Shared
        let budget: PixelBudget
        let claimed = WorkQueue<WorkItem>()
        let decoded = WorkQueue<PreparedItem>()
        let classified = WorkQueue<(PreparedItem, Verdict?)>()
    }

    /// Stage 1: the intake loop (see `intake`); at its end, claims not yet decoded go back to the inbox.
    /// Returns the claim folders adopted from stopped instances.
    func claimStage(_ pipeline: Pipeline, adopted: [ClaimFolder]) async -> [ClaimFolder] {
        let adopted = await intake(setup: pipeline.setup, shared: pipeline.shared, claimed: pipeline.claimed, adopted: adopted)
        for item in handBack(pipeline.claimed.drain(), setup: pipeline.setup, shared: pipeline.shared) { pipeline.claimed.push(item) }
        pipeline.claimed.finish()
        return adopted
    }

    /// Stage 2: `decoders` tasks reading and decoding claimed files.
    func decodeStage(_ pipeline: Pipeline) async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<decoders {
                group.addTask {
                    while let item = await pipeline.claimed.next(upTo: 1).first {
                        // Shutting down: a file not started yet goes back to the inbox.
                        if pipeline.shared.stopRequested, handBack([item], setup: pipeline.setup, shared: pipeline.shared).isEmpty { continue }
                        pipeline.decoded.push(await decode(item, processor: pipeline.setup.processor, budget: pipeline.budget))
                    }
                }
            }
        }
        pipeline.decoded.finish()
    }

    /// Stage 3: screens what was decoded, in batches of up to `batchSize`; inputs that were not decoded pass
    /// through without a verdict.
    func classifyStage(_ pipeline: Pipeline) async {
        while true {
            var batch = await pipeline.decoded.next(upTo: configuration.batchSize)
            if batch.isEmpty { break }
            if pipeline.shared.stopRequested {
                batch = handBackUnscreened(batch, pipeline)
                if batch.isEmpty { continue }
            }
            var verdicts = await screen(batch.compactMap(\.image))[...]
            for prepared in batch {
                pipeline.classified.push((prepared, prepared.image == nil ? nil : verdicts.popFirst()))
            }
        }
        pipeline.classified.finish()
    }

    /// Stage 4: finishes each classified input; a failure to do so stops the service (the file stays claimed).
    func finishStage(_ pipeline: Pipeline) async {
        while let (prepared, verdict) = await pipeline.classified.next(upTo: 1).first {
            let processor = pipeline.setup.processor, logger = logger
            let failure: WatchFailure? = await offload {
                let started = monotonicSeconds()
                defer { WatcherMetrics().stage("write", seconds: monotonicSeconds() - started) }
                do { try processor.finish(prepared, verdict: verdict); return nil } catch {
                    logger.error("cannot finish \(prepared.item.claim.name): \(error); stopping (the file stays in \(prepared.item.claim.item.path) and is processed at the next start)")
                    return .cannotFinish(file: prepared.item.claim.name.description, cause: error)
                }
            }
            if let failure { pipeline.shared.fail(failure) }
            pipeline.budget.release(prepared.reservedPixels)
            pipeline.shared.inFlight.subtract(1, ordering: .relaxed)
            WatcherMetrics().queueDepth(pipeline.shared.inFlight.load(ordering: .relaxed))
            pipeline.setup.monitor.wake()
        }
    }

    /// Reads an input, waits until its decoded pixels fit in the budget, then decodes it. The reservation
    /// travels with the item and is given back when it is finished (at once when nothing was decoded).
    private func decode(_ item: WorkItem, processor: Processor, budget: PixelBudget) async -> PreparedItem {
        switch await offload({ processor.read(item) }) {
        case .finished(let prepared):
            return prepared
        case .toDecode(let input):
            await budget.reserve(input.pixels)
            let started = monotonicSeconds()
            var prepared = await offload { processor.decode(input) }
            WatcherMetrics().stage("decode", seconds: monotonicSeconds() - started)
            if prepared.image == nil { budget.release(input.pixels) } else { prepared.reservedPixels = input.pixels }
            return prepared
        }
    }

    /// Shutting down: only files already in the classifier are finished; the others of `batch` go back to the
    /// inbox (with their pixel reservations released), except those that must stay claimed.
    private func handBackUnscreened(_ batch: [PreparedItem], _ pipeline: Pipeline) -> [PreparedItem] {
        let kept = Set(handBack(batch.map(\.item), setup: pipeline.setup, shared: pipeline.shared).map(\.claim.claimID))
        for handed in batch where !kept.contains(handed.item.claim.claimID) { pipeline.budget.release(handed.reservedPixels) }
        return batch.filter { kept.contains($0.item.claim.claimID) }
    }

    /// Verdicts for `images` off the cooperative pool, with the per-image stage times recorded.
    private func screen(_ images: [RGBImage]) async -> [Verdict] {
        guard !images.isEmpty else { return [] }
        let screener = screener
        let (verdicts, timings) = await offload {
            var timings = Screener.StageSeconds()
            return (screener.screen(images, timings: &timings), timings)
        }
        WatcherMetrics().stage("backbone", seconds: timings.backbone / Double(images.count))
        WatcherMetrics().stage("heads", seconds: timings.heads / Double(images.count))
        return verdicts
    }
}
