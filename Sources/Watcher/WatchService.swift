import Foundation
import Logging
import Screening
import ServiceLifecycle
import Synchronization

/// The long-running watcher: finds every file dropped into the inbox, waits until it has settled, claims
/// it, decodes it (in parallel with inference), classifies it in batches, writes the outbox copy and one
/// ledger row, and moves it away. On graceful shutdown (SIGTERM, SIGINT) it stops taking files, finishes
/// those in hand, hands unstarted claims back to the inbox, and returns. SIGHUP reopens the ledger; an inbox
/// deleted and recreated (or replaced) is opened and watched again; a file that looks half-written goes
/// back to the inbox for up to `incomplete_grace_seconds`.
public struct WatchService: Service {
    public let configuration: Configuration
    public let screener: any BatchScreener
    public let logger: Logger
    /// Process what is in the inbox now, then return (no waiting for new files).
    public let once: Bool
    /// Decoding tasks running beside the classifier.
    public let decoders: Int

    public init(configuration: Configuration, screener: any BatchScreener, logger: Logger, once: Bool = false, decoders: Int = 1) {
        self.configuration = configuration
        self.screener = screener
        self.logger = logger
        self.once = once
        self.decoders = max(1, decoders)
    }

    public func run() async throws {
        do {
            try await watch()
        } catch {
            logger.critical("\(error)")
            throw error
        }
    }

    /// Runs the four stages of the pipeline side by side until the inbox is done with (`once`) or a shutdown is
    /// asked for, then tidies the claim folders; throws the first failure the stages met.
    private func watch() async throws {
        let setup = try prepare()
        let hangups = HangupHandler(ledger: setup.processor.ledger, logger: logger)
        defer { hangups.cancel() }
        let pipeline = Pipeline(setup: setup, shared: Shared(capacity: configuration.batchSize * 2 + decoders + 1),
                                budget: PixelBudget(limit: configuration.maxPixelsInFlight))
        // Claims of crashed instances (or of this one's previous run) are finished first.
        let initiallyAdopted = adoptAgain(setup: setup, shared: pipeline.shared, claimed: pipeline.claimed, adopted: [])
        let adopted = await withGracefulShutdownHandler {
            await withTaskGroup(of: [ClaimFolder].self) { group in
                group.addTask { await claimStage(pipeline, adopted: initiallyAdopted) }
                group.addTask { await decodeStage(pipeline); return [] }
                group.addTask { await classifyStage(pipeline); return [] }
                group.addTask { await finishStage(pipeline); return [] }
                return await group.reduce(into: []) { $0 += $1 }
            }
        } onGracefulShutdown: {
            pipeline.shared.requestStop()
            setup.monitor.wake()
        }
        for folder in adopted { _ = try? folder.removeIfEmpty(from: setup.folders.current.work) }
        for opened in setup.folders.all { _ = try? opened.own.removeIfEmpty(from: opened.work) }
        if let failure = pipeline.shared.failure { throw failure }
        logger.info("stopped")
    }

    /// Returns unstarted claims to the inbox at shutdown; gives back those that must stay claimed (their
    /// name was taken in the inbox meanwhile), which are then processed as usual.
    func handBack(_ items: [WorkItem], setup: Setup, shared: Shared) -> [WorkItem] {
        items.filter { item in
            guard setup.processor.unclaim(item) else { return true }
            shared.inFlight.subtract(1, ordering: .relaxed)
            logger.debug("handed \(item.claim.name) back to the inbox")
            return false
        }
    }

    // MARK: Set-up

    struct Setup: Sendable {
        /// The inbox, work and claim folders, reopened when the inbox is replaced.
        let folders: InboxFolders
        let monitor: InboxMonitor
        let processor: Processor
        let ignore: IgnoreRules
        let holds: RetryHolds
    }

    private func prepare() throws -> Setup {
        try configuration.createFolders()
        let inbox = try Directory(path: configuration.inboxPath)
        let work = try Directory(path: configuration.workPath)
        // inotify first, then the start-up scan (the intake loop's first listing): nothing slips between.
        let monitor = try InboxMonitor(inbox: configuration.inboxPath, pollSeconds: configuration.pollSeconds)
        let ledger = try Ledger(path: configuration.ledgerPath, layout: LedgerLayout(modelNames: screener.modelIdentities.map(\.name)), logger: logger)
        let own = try ClaimFolder.create(in: work)
        let folders = InboxFolders(inboxPath: configuration.inboxPath, workPath: configuration.workPath,
                                   current: InboxFolders.Opened(inbox: inbox, work: work, own: own))
        let holds = RetryHolds()
        var processor = Processor(
            inbox: inbox, archive: try Directory(path: configuration.archivePath),
            rejected: try Directory(path: configuration.rejectedPath),
            outbox: Outbox(folder: try Directory(path: configuration.outboxPath)), ledger: ledger,
            limits: configuration.imageLimits, after: configuration.after,
            policy: configuration.decision.policy.description,
            modelsColumn: screener.modelIdentities.map { "\($0.name)@\($0.shortHash)" }.joined(separator: ";"), logger: logger,
            incompleteGraceSeconds: configuration.incompleteGraceSeconds, currentFolders: folders, retryHolds: holds,
            overlaysFolder: configuration.overlaysPath, outboxImage: configuration.outboxImage)
        WatcherMetrics().modelInfo(screener.modelIdentities)
        processor.thresholdsColumn = screener.modelIdentities.map { "\($0.name)=\($0.threshold)" }.joined(separator: ";")
        logger.info("watching \(configuration.inboxPath) (\(monitor.mode)); outbox \(configuration.outboxPath), ledger \(configuration.ledgerPath), settle \(configuration.settleSeconds) s, batch \(configuration.batchSize), instance \(own.name)",
                    metadata: ["mode": "\(monitor.mode)", "inbox": "\(configuration.inboxPath)", "instance": "\(own.name)"])
        return Setup(folders: folders, monitor: monitor, processor: processor,
                     ignore: IgnoreRules(patterns: configuration.ignorePatterns), holds: holds)
    }

    // MARK: Intake

    /// Lists the inbox on every wake-up (inotify event, settle deadline, poll interval, safety rescan,
    /// freed capacity), claims the files that are ready, and returns when asked to stop (or, with `once`,
    /// when the inbox is empty and all work is done).
    func intake(setup: Setup, shared: Shared, claimed: WorkQueue<WorkItem>, adopted: [ClaimFolder]) async -> [ClaimFolder] {
        var tracker = ReadinessTracker(settleSeconds: configuration.settleSeconds)
        var adopted = adopted
        var foldersSeen: Set<FileName> = []
        var nextRescan = monotonicSeconds() + configuration.rescanSeconds
        let pollSeconds: Double? = if case .poll(let seconds, _) = setup.monitor.mode { seconds } else { nil }
        while !shared.stopRequested, !Task.isCancelled {
            let now = monotonicSeconds()
            var blocked = false
            let folders = setup.folders.current
            let names: [FileName]
            do throws(SystemError) { names = try listInbox(folders.inbox, setup: setup) } catch {
                logger.error("cannot list the inbox: \(error); stopping")
                shared.fail(.cannotListInbox(error))
                break
            }
            tracker.keepOnly(Set(names))
            foldersSeen.formIntersection(names)
            for name in names where !setup.holds.isHeld(name, now: now) {
                guard let status = try? folders.inbox.status(of: name) else { tracker.forget(name); continue }
                if status.kind == .directory {
                    // A sub-folder is the user's: left where it is (not moved to rejected), said once.
                    if foldersSeen.insert(name).inserted {
                        logger.warning("\(name) is a folder: left in the inbox unscreened (set \"recursive\": true to screen files in sub-folders)")
                    }
                    tracker.forget(name)
                    continue
                }
                guard tracker.observe(name, ReadinessTracker.Signature(status), now: now) else { continue }
                guard shared.inFlight.load(ordering: .relaxed) < shared.capacity else { blocked = true; break }
                tracker.forget(name)
                do {
                    guard let claim = try folders.own.claim(name, from: folders.inbox) else { continue }   // another instance took it
                    shared.inFlight.add(1, ordering: .relaxed)
                    WatcherMetrics().queueDepth(shared.inFlight.load(ordering: .relaxed))
                    claimed.push(WorkItem(claim: claim, claimedAt: monotonicSeconds(), claimedStatus: status))
                    logger.debug("claimed \(name)")
                } catch {
                    logger.error("cannot claim \(name): \(error)")
                }
            }
            let release = setup.holds.nextRelease(now: now)
            if once, tracker.pendingCount == 0, shared.inFlight.load(ordering: .relaxed) == 0, release == nil { break }

            var timeout = pollSeconds ?? max(0, nextRescan - now)
            if !blocked, let deadline = tracker.nextDeadline { timeout = min(timeout, max(0.02, deadline - now)) }
            if let release { timeout = min(timeout, max(0.02, release - now)) }
            let monitor = setup.monitor, waitSeconds = timeout
            let waited = await offload({ Result { () throws(SystemError) in try monitor.wait(timeout: waitSeconds) } },
                                       onCancel: { monitor.wake() })
            let wakeup: InboxMonitor.Wakeup
            switch waited {
            case .success(let value): wakeup = value
            case .failure(let error):
                logger.error("cannot watch the inbox: \(error); stopping")
                shared.fail(.cannotWatchInbox(error))
                return adopted
            }
            let after = monotonicSeconds()
            for name in wakeup.names { tracker.noteActivity(name, now: after) }
            if wakeup.overflowed { logger.warning("inotify event queue overflowed; rescanning the inbox") }
            // Checked after every wake (inotify reports the inbox's replacement through `inboxGone`).
            if setup.folders.inboxChange() != nil {
                guard await reopenInbox(setup: setup, shared: shared) else { break }
                tracker = ReadinessTracker(settleSeconds: configuration.settleSeconds)
            }
            if after >= nextRescan {
                nextRescan = after + configuration.rescanSeconds
                adopted = adoptAgain(setup: setup, shared: shared, claimed: claimed, adopted: adopted)
            }
        }
        return adopted
    }

    /// The inbox's candidate inputs, sorted: its own entries, or with `recursive` every entry below it by its
    /// relative path (sub-folders are watched as they are found, so their new files wake the loop).
    private func listInbox(_ inbox: Directory, setup: Setup) throws(SystemError) -> [FileName] {
        guard configuration.recursive else { return try inbox.entries().filter { !setup.ignore.ignores($0) }.sorted() }
        let tree = try inbox.tree()
        for folder in tree.folders { setup.monitor.watchSubfolder(inbox.path(of: folder), relative: folder) }
        return tree.entries.filter { !setup.ignore.ignores($0) }.sorted()
    }

    /// Picks up the claim folders of instances that are gone (at start-up, then on every safety-net rescan),
    /// queues their unfinished files, and removes adopted folders that are done. Errors are logged, not fatal.
    private func adoptAgain(setup: Setup, shared: Shared, claimed: WorkQueue<WorkItem>, adopted: [ClaimFolder]) -> [ClaimFolder] {
        let work = setup.folders.current.work
        var kept = adopted.filter { !((try? $0.removeIfEmpty(from: work)) ?? false) }
        do {
            for folder in try ClaimFolder.adoptOrphans(in: work) {
                let items = try setup.processor.recover(folder)
                if !items.isEmpty { logger.info("resuming \(items.count) file(s) claimed by a stopped instance (\(folder.name))") }
                for item in items { shared.inFlight.add(1, ordering: .relaxed); claimed.push(item) }
                kept.append(folder)
            }
        } catch {
            logger.error("cannot recover claims of a stopped instance: \(error)")
        }
        return kept
    }
}

/// State shared by the service's tasks.
final class Shared: Sendable {
    let capacity: Int
    /// Claimed inputs not yet finished (bounded, so that a second instance on the same inbox gets a share).
    let inFlight = Atomic<Int>(0)
    private let stop = Atomic<Bool>(false)
    private let firstFailure = Mutex<WatchFailure?>(nil)

    init(capacity: Int) { self.capacity = capacity }

    var stopRequested: Bool { stop.load(ordering: .relaxed) }
    func requestStop() { stop.store(true, ordering: .relaxed) }

    /// The first failure; the service stops for it.
    var failure: WatchFailure? { firstFailure.withLock { $0 } }
    func fail(_ failure: WatchFailure) {
        firstFailure.withLock { if $0 == nil { $0 = failure } }
        requestStop()
    }
}
