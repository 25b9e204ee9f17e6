import Foundation
import Logging
import Testing
import TestSupport
@testable import Watcher

/// Crash recovery of claimed inputs, one crash point at a time: the state a `kill -9` leaves is built by
/// hand, then a new instance adopts the claim folder and recovers it.
@Suite struct RecoveryTests {
    enum CrashPoint: CaseIterable {
        /// Outbox copy linked, no journal yet: the copy is unrecorded.
        case afterOutboxLink
        /// Journal written, ledger row not appended.
        case afterJournal
        /// Ledger row appended, input not yet moved.
        case afterLedgerAppend
    }

    struct Spool {
        let root: URL
        let inbox: Directory, work: Directory, outbox: Outbox, archive: Directory
        let ledgerPath: String

        init() throws {
            root = try Fixtures.makeTemporaryDirectory("recovery")
            for folder in ["inbox/.work", "outbox", "archive", "rejected"] {
                try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
            inbox = try Directory(path: root.appendingPathComponent("inbox").path)
            work = try Directory(path: root.appendingPathComponent("inbox/.work").path)
            outbox = Outbox(folder: try Directory(path: root.appendingPathComponent("outbox").path))
            archive = try Directory(path: root.appendingPathComponent("archive").path)
            ledgerPath = root.appendingPathComponent("ledger.csv").path
        }

        func processor() throws -> Processor {
            Processor(inbox: inbox, archive: archive, rejected: try Directory(path: root.appendingPathComponent("rejected").path),
                      outbox: outbox, ledger: try Ledger(path: ledgerPath), limits: .init(), after: .archive, policy: "both",
                      modelsColumn: "m@1", logger: Logger(label: "recovery-test"))
        }

        func rows() throws -> [LedgerRow] {
            CSV.parse(Array(try Data(contentsOf: URL(fileURLWithPath: ledgerPath)))).records.dropFirst().compactMap(LedgerRow.init(fields:))
        }
    }

    @Test(arguments: CrashPoint.allCases)
    func restartEndsWithExactlyOneRowAndNoStrayFiles(crash: CrashPoint) throws {
        let spool = try Spool()
        defer { try? FileManager.default.removeItem(at: spool.root) }
        try Data("picture".utf8).write(to: spool.root.appendingPathComponent("inbox/a.png"))
        // The crashed instance: claims the file and gets as far as `crash`.
        do {
            let crashed = try ClaimFolder.create(in: spool.work)
            let claim = try #require(try crashed.claim(FileName("a.png"), from: spool.inbox))
            let final = try spool.outbox.write([1, 2, 3], as: FileName("NEGATIVE_Prob_80_Name_a.png.png"),
                                               temporary: Outbox.temporaryName(claimID: claim.claimID))
            if crash != .afterOutboxLink {
                let row = LedgerRow(time: LedgerRow.timestamp(), inputFile: "a.png", sha256: "h", bytes: 7, result: "NEGATIVE",
                                    prob: 80, policy: "both", outputFile: final.description, status: .ok, models: "m@1",
                                    elapsedMilliseconds: 1)
                let journal = Journal(row: row, input: claim.name.bytes, ownOutput: final.bytes, disposition: .archive)
                try claim.item.writeAtomically(Journal.fileName, bytes: Array(try JSONEncoder().encode(journal)))
                if crash == .afterLedgerAppend { _ = try Ledger(path: spool.ledgerPath).commit(row) { _ in } }
            }
        }   // the crashed instance's lock is released here
        let processor = try spool.processor()
        let adopted = try ClaimFolder.adoptOrphans(in: spool.work)
        #expect(adopted.count == 1)
        let requeued = try processor.recover(adopted[0])
        let outboxFiles = try spool.outbox.folder.entries().map(\.description)
        switch crash {
        case .afterOutboxLink:
            // Nothing was recorded: the copy goes, the input is processed again from the start.
            #expect(requeued.map(\.claim.name) == [FileName("a.png")])
            #expect(outboxFiles.isEmpty)
            #expect(try spool.rows().isEmpty)
        case .afterJournal, .afterLedgerAppend:
            #expect(requeued.isEmpty)
            #expect(try spool.rows().map(\.inputFile) == ["a.png"])
            #expect(outboxFiles == ["NEGATIVE_Prob_80_Name_a.png.png"])
            #expect(try spool.archive.entries() == [FileName("a.png")])
            #expect(try adopted[0].items().isEmpty)
            #expect(try adopted[0].removeIfEmpty(from: spool.work))
        }
    }
}
