import Foundation
import Imaging
import Logging
import Screening

/// The per-input steps of the pipeline: read + hash + decode (`prepare`), then write the outbox copy,
/// append the ledger row and move the input away (`finish`), and the crash recovery of claim folders.
/// Every step is a blocking call; the service runs them off the cooperative pool.
struct Processor: Sendable {
    let inbox: Directory
    let archive: Directory
    let rejected: Directory
    let outbox: Outbox
    let ledger: Ledger
    let limits: ImageLimits
    let after: AfterProcessing
    let policy: String
    /// The ledger's `models` column: `name@shorthash` per model.
    let modelsColumn: String
    /// The ledger's `thresholds` column: `name=threshold` per model.
    var thresholdsColumn = ""
    let logger: Logger
    /// How long after its last modification a truncated or corrupt input is still taken as being written
    /// (handed back to the inbox) rather than rejected; 0 rejects at once.
    var incompleteGraceSeconds: Double = 0
    /// The inbox as currently open (it may be replaced while running); `inbox` when nil.
    var currentFolders: InboxFolders? = nil
    /// Names handed back as incomplete, left alone for a moment by the intake loop.
    var retryHolds: RetryHolds? = nil
    /// Where each screened image is also written with its lung outline (`<outbox name>.lungs.png`); nil: nowhere.
    var overlaysFolder: String? = nil
    /// What the outbox copy looks like.
    var outboxImage: OutboxImage = .annotated

    /// Where unstarted or incomplete inputs go back to.
    var inboxNow: Directory { currentFolders?.current.inbox ?? inbox }

    /// Smallest width and height taken as a radiograph; anything smaller is rejected.
    static let minimumSide = 32

    // MARK: Prepare

    /// Reads, hashes and decodes one input (`read`, then `decode`).
    func prepare(_ item: WorkItem) -> PreparedItem {
        switch read(item) {
        case .finished(let prepared): prepared
        case .toDecode(let input): decode(input)
        }
    }

    /// What `read` found: an input settled without decoding (rejected, duplicate) or one to decode.
    enum ReadOutcome: Sendable {
        case finished(PreparedItem)
        case toDecode(ReadInput)
    }

    /// Checks, reads and hashes one input, and reads its image header for the pixel count (so the service
    /// can reserve the pixels before the decoded image exists).
    func read(_ item: WorkItem) -> ReadOutcome {
        let folder = item.claim.item, name = item.claim.name
        func rejected(_ reason: String, bytes: Int = 0) -> ReadOutcome {
            .finished(PreparedItem(item: item, sha256: "", bytes: bytes, outcome: .rejected(reason)))
        }
        let status: FileStatus?
        do { status = try folder.status(of: name) } catch { return rejected("unreadable (\(error))") }
        guard let status else { return rejected("disappeared from the work folder") }
        switch status.kind {
        case .regular: break
        case .symbolicLink: return rejected("a symbolic link (to \(folder.linkTarget(name))); links are never followed")
        case .directory: return rejected("a folder, not an image file")
        case .other: return rejected("not a regular file (a device, FIFO or socket)")
        }
        let bytes: [UInt8]
        do { bytes = try folder.readRegularFile(name, maxBytes: limits.maxBytes) } catch {
            switch error {
            case .tooLarge(let size): return rejected("file is \(size) bytes, over the max_bytes limit of \(limits.maxBytes)", bytes: size)
            case .notRegular: return rejected("not a regular file")
            case .system(let system): return rejected("unreadable (\(String(cString: strerror(system.code))))", bytes: status.size)
            }
        }
        let sha = FileDigest.sha256(of: bytes)
        if !bytes.isEmpty, ledger.earlierResult(sha256: sha) != nil {
            return .finished(PreparedItem(item: item, sha256: sha, bytes: bytes.count, outcome: .seenBefore))
        }
        do {
            let header = try ImageDecoder.header(of: bytes, file: name.description, limits: limits)
            // A large JPEG is decoded at a reduced scale: only those pixels are held.
            let decoded = ImageDecoder.decodedSize(header.format, width: header.width, height: header.height, limits: limits)
            return .toDecode(ReadInput(item: item, sha256: sha, bytes: bytes, pixels: decoded.width * decoded.height))
        } catch {
            return .finished(failedDecoding(item, sha: sha, bytes: bytes.count, error))
        }
    }

    /// Decodes an input `read` accepted.
    func decode(_ input: ReadInput) -> PreparedItem {
        let item = input.item
        do {
            let decoded = try ImageDecoder.decodeWithAttributes(input.bytes, file: item.claim.name.description, limits: limits)
            let image = decoded.image
            guard image.width >= Self.minimumSide, image.height >= Self.minimumSide else {
                return PreparedItem(item: item, sha256: input.sha256, bytes: input.bytes.count, outcome: .rejected(
                    "\(image.width)x\(image.height) pixels is too small for a radiograph (at least \(Self.minimumSide)x\(Self.minimumSide))"))
            }
            var prepared = PreparedItem(item: item, sha256: input.sha256, bytes: input.bytes.count, outcome: .image(image))
            prepared.dicom = decoded.dicom
            return prepared
        } catch {
            return failedDecoding(item, sha: input.sha256, bytes: input.bytes.count, error)
        }
    }

    /// A header or pixel decoding failure: incomplete (back to the inbox) while the file may still be
    /// arriving, rejected otherwise.
    private func failedDecoding(_ item: WorkItem, sha: String, bytes: Int, _ error: ImageDecodeError) -> PreparedItem {
        let text = error.reasonText
        let outcome: PreparedItem.Outcome = stillArriving(item, after: error.reason) ? .incomplete(text) : .rejected(text)
        return PreparedItem(item: item, sha256: sha, bytes: bytes, outcome: outcome)
    }


    // MARK: Finish

    /// Writes the outputs of one prepared input. Throws only when the outbox or ledger cannot be written;
    /// the input then stays in its claim folder and is processed at the next start.
    func finish(_ prepared: PreparedItem, verdict: Verdict?) throws {
        let item = prepared.item
        var row = LedgerRow(time: LedgerRow.timestamp(), inputFile: item.claim.name.escaped, sha256: prepared.sha256,
                            bytes: prepared.bytes, policy: policy, status: .rejected, models: modelsColumn,
                            elapsedMilliseconds: 0)
        row.thresholds = thresholdsColumn
        row.version = ProgramVersion.text
        var ownOutput: FileName?
        var plainOutput: FileName?
        var disposition: Journal.Disposition = after == .delete ? .delete : .archive
        switch prepared.outcome {
        case .rejected(let reason):
            row.reason = reason
            disposition = .rejected
        case .seenBefore:
            row.status = .duplicate   // completed from the earlier row by the ledger
        case .incomplete(let reason):
            if handBackIncomplete(item, reason: reason) { return }
            row.reason = reason
            disposition = .rejected
        case .image(let image):
            guard let screened = verdict else { preconditionFailure("a decoded image reaches finish with its verdict") }
            let verdict = screened.checked(against: prepared.dicom)
            row.sopInstanceUID = prepared.dicom?.sopInstanceUID ?? ""
            row.studyInstanceUID = prepared.dicom?.studyInstanceUID ?? ""
            row.width = image.width
            row.height = image.height
            let png: EncodedBytes, plainPNG: EncodedBytes?
            do {
                png = try PNGEncoder.encodedBytes(outboxImage == .plain ? image
                    : AnnotatedImage.render(image, verdict: verdict, policy: policy, date: String(row.time.prefix(10))))
                plainPNG = outboxImage == .both ? try PNGEncoder.encodedBytes(image) : nil
            } catch {
                row.reason = error.description
                disposition = .rejected
                break
            }
            let name = Outbox.outputName(result: verdict.result, prob: verdict.prob, original: item.claim.name.lastComponent)
            let final = try outbox.write(png, as: name, temporary: Outbox.temporaryName(claimID: item.claim.claimID))
            ownOutput = final
            if let plainPNG {
                plainOutput = try outbox.write(plainPNG, as: Outbox.plainName(for: final), temporary: Outbox.plainTemporaryName(claimID: item.claim.claimID))
            }
            row.status = .ok
            row.result = verdict.result.rawValue
            row.prob = verdict.prob
            row.scores = Dictionary(verdict.scores.map { ($0.model, $0.probability) }, uniquingKeysWith: { first, _ in first })
            row.outputFile = final.description
            if let refusal = verdict.refusal { row.reason = refusal.reason }
            row.saliencyInLungs = verdict.saliencyInLungs
            row.distancePercent = verdict.distancePercent
            if let lungs = verdict.lungs {
                row.lungArea = lungs.figures.areaFraction
                row.lungs = lungs.problem.map { "not found: \($0)" } ?? "found"
                writeOverlay(lungs, image: image, outputName: final.description)
            }
        }
        row.elapsedMilliseconds = Int(((monotonicSeconds() - item.claimedAt) * 1000).rounded())
        let journal = Journal(row: row, input: item.claim.name.bytes, ownOutput: ownOutput?.bytes, plainOutput: plainOutput?.bytes,
                              disposition: disposition)
        let written = try commit(journal, claim: item.claim, recovering: false)
        report(written)
    }

    /// The lung overlay beside the verdict, best effort: a failure is logged and screening goes on (the
    /// outbox copy and the ledger row are what must not be lost).
    private func writeOverlay(_ lungs: LungFindings, image: RGBImage, outputName: String) {
        guard let overlaysFolder else { return }
        let name = (outputName.hasSuffix(".png") ? String(outputName.dropLast(4)) : outputName) + ".lungs.png"
        do { try LungOverlayFile.write(lungs.overlay(on: image), named: name, into: overlaysFolder) } catch {
            logger.warning("lung overlay \(error.file) not written: \(error.reason)")
        }
    }

    /// Appends the journal's row exactly once, then finalises. The journal is written (and fsynced) before
    /// the ledger's lock is taken, so instances waiting on that lock do not wait for it; it is written again
    /// under the lock only when the ledger decides another row (a duplicate found there).
    private func commit(_ journal: Journal, claim: ClaimedInput, recovering: Bool) throws -> LedgerRow {
        if !recovering { try write(journal, in: claim) }
        var final = journal
        let written = try ledger.commit(journal.row, unlessPresent: recovering) { (row: LedgerRow) throws(SystemError) in
            final.row = row
            try write(final, in: claim)
        }
        final.row = written
        try finalize(final, claim: claim)
        return written
    }

    private func write(_ journal: Journal, in claim: ClaimedInput) throws(SystemError) {
        let data: Data
        do { data = try JSONEncoder().encode(journal) } catch { throw SystemError("encode journal", claim.item.path, code: EINVAL) }
        try claim.item.writeAtomically(Journal.fileName, bytes: Array(data))
    }

    /// After the row: drops a superseded own copy, the outbox temporary, moves the input, removes the item.
    private func finalize(_ journal: Journal, claim: ClaimedInput) throws {
        if journal.row.status == .duplicate {
            for own in [journal.ownOutput, journal.plainOutput].compactMap({ $0 }) { try outbox.folder.unlink(FileName(bytes: own)) }
        }
        try outbox.discard(temporary: Outbox.temporaryName(claimID: claim.claimID))
        try outbox.discard(temporary: Outbox.plainTemporaryName(claimID: claim.claimID))
        let input = FileName(bytes: journal.input)
        if try claim.item.status(of: input) != nil {
            switch journal.disposition {
            case .archive: _ = try claim.item.moveNumbered(input, to: archive, as: input.lastComponent)
            case .rejected: _ = try claim.item.moveNumbered(input, to: rejected, as: input.lastComponent)
            case .delete: try claim.item.unlink(input)
            }
        }
        try claim.item.unlink(Journal.fileName)
        try claim.owner.removeItem(claim.token)
    }

    /// One log line per input, and its count in the metrics.
    private func report(_ row: LedgerRow) {
        switch row.status {
        case .ok: WatcherMetrics().screened(row.result)
        case .rejected: WatcherMetrics().rejected(row.reason)
        case .duplicate: WatcherMetrics().duplicate()
        }
        var metadata: Logger.Metadata = [
            "input": "\(row.inputFile)", "status": "\(row.status.rawValue)", "sha256": "\(row.sha256.prefix(12))",
            "elapsed_ms": .stringConvertible(row.elapsedMilliseconds),
        ]
        let scores = row.scores.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.3f", $0.value))" }.joined(separator: ", ")
        switch row.status {
        case .ok, .duplicate:
            metadata["output"] = "\(row.outputFile)"
            metadata["result"] = "\(row.result)"
            metadata["prob"] = .stringConvertible(row.prob ?? 0)
            for (model, score) in row.scores { metadata[model] = .stringConvertible(score) }
            var lungs = ""
            if let area = row.lungArea {
                metadata["lung_area"] = .stringConvertible(area)
                metadata["lungs"] = "\(row.lungs)"
                lungs = row.lungs == "found" ? String(format: "; lungs %.1f %%", 100 * area) : "; lungs \(row.lungs)"
            }
            let what = row.status == .ok ? "ok" : "duplicate"
            var refused = ""
            if row.result == ScreeningResult.indeterminate.rawValue, row.status == .ok {
                metadata["reason"] = "\(row.reason)"
                refused = "; \(row.reason)"
            }
            logger.info("\(what) \(row.inputFile) -> \(row.outputFile) (\(row.result) \(row.prob ?? 0)%; \(scores)\(lungs)\(refused)) \(row.elapsedMilliseconds) ms", metadata: metadata)
        case .rejected:
            metadata["reason"] = "\(row.reason)"
            logger.warning("rejected \(row.inputFile): \(row.reason)", metadata: metadata)
        }
    }

    // MARK: Recovery

    /// Finishes or requeues the items of a claim folder left by a crashed instance (or an earlier run of
    /// this one). Items whose row was journaled are finished without a second row; the others lose any
    /// unrecorded outbox copy and are returned for processing from the start.
    func recover(_ folder: ClaimFolder) throws -> [WorkItem] {
        var requeued: [WorkItem] = []
        for (token, item) in try folder.items() {
            let input = try ClaimFolder.input(in: item)
            let claim = ClaimedInput(owner: folder, token: token, name: input ?? FileName(""), item: item)
            // A journal is finished as written, unless it holds a "seen before" row whose earlier row this
            // ledger no longer has (it was rotated away meanwhile): that input is screened again from the start.
            if let data = try item.readSmallFile(Journal.fileName), let journal = try? JSONDecoder().decode(Journal.self, from: Data(data)),
               !(journal.row.status == .duplicate && journal.row.outputFile.isEmpty && ledger.earlierResult(sha256: journal.row.sha256) == nil) {
                let recovered = ClaimedInput(owner: folder, token: token, name: FileName(bytes: journal.input), item: item)
                let written = try commit(journal, claim: recovered, recovering: true)
                logger.info("recovered \(written.inputFile): its ledger row is in place (\(written.status.rawValue))")
                continue
            }
            try item.unlink(Journal.fileName)
            try item.unlink(FileName(Journal.fileName.description + ".tmp"))
            try outbox.removeUnrecorded(temporary: Outbox.temporaryName(claimID: claim.claimID))
            try outbox.removeUnrecorded(temporary: Outbox.plainTemporaryName(claimID: claim.claimID))
            if input != nil {
                requeued.append(WorkItem(claim: claim, claimedAt: monotonicSeconds()))
            } else {
                try folder.removeItem(token)
            }
        }
        return requeued
    }

    /// Hands a claimed but unstarted input back to the inbox (at shutdown); false when it must stay claimed.
    func unclaim(_ item: WorkItem) -> Bool {
        do {
            guard try item.claim.item.moveWithoutReplacing(item.claim.name, to: inboxNow, as: item.claim.name) else { return false }
            try item.claim.owner.removeItem(item.claim.token)
            return true
        } catch {
            return false
        }
    }
}
